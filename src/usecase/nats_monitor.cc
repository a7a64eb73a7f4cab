#include "usecase/nats_monitor.h"

#include <fmt/format.h>

#include <memory>
#include <optional>

#include "core/log.h"
#include "core/stopwatch.h"
#include "drift/model_profile.h"
#include "drift/pane_profiles.h"
#include "keel/table.h"
#include "model/model_io.h"

namespace keel::usecase {

Result<NatsMonitorResult> MonitorNats(const NatsMonitorRequest& request, const Context& ctx,
                                      std::FILE* out) {
  if (request.source.stream.empty() || request.source.subject.empty()) {
    return Status::InvalidArgument(
        "--from nats:// needs --stream NAME and --subject SUBJECT (the profiles' subject)");
  }
  if (request.window.size_micros != 0) KEEL_RETURN_IF_ERROR(request.window.Validate());
  Stopwatch clock;
  KEEL_ASSIGN_OR_RETURN(Model model, LoadModel(request.model_path));
  auto profile = drift::LoadReferenceProfile(model);
  if (!profile.ok()) {
    return Status::FailedPrecondition("{}: {}", request.model_path, profile.status().message());
  }
  auto reference = std::make_shared<const drift::Profile>(std::move(*profile));
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<NatsConsumer> consumer,
                        NatsConsumer::Open(request.source, ctx));
  log::Info("keel monitor: pane profiles from stream '{}' ({}) at {}", request.source.stream,
            request.source.subject, request.source.url);

  NatsMonitorResult result;
  result.request = request;
  auto sink = [&](const drift::WindowResult& w) {
    ++result.windows;
    if (w.drifted) ++result.drift_events;
    if (w.fairness_alert) ++result.fairness_alerts;
    std::fputs((drift::WindowResultToJson(w).dump() + "\n").c_str(), out);
    std::fflush(out);
  };
  // Rows that came after their window was evaluated: reported, never merged silently.
  auto late = [&](const drift::PaneMessage& m, uint64_t rows) {
    ++result.late_panes;
    const nlohmann::json j = {{"event", "late"},
                              {"instance", m.instance},
                              {"pane_start", FormatTimestamp(m.pane * m.slide_micros)},
                              {"pane_end", FormatTimestamp((m.pane + 1) * m.slide_micros)},
                              {"rows", rows}};
    log::Warn(
        "keel monitor: {} rows of '{}' for the pane from {} came after its windows were "
        "evaluated (counted as late_rows, not merged)",
        rows, m.instance, j["pane_start"].get<std::string>());
    std::fputs((j.dump() + "\n").c_str(), out);
    std::fflush(out);
  };
  // Built with the first message's window when the request leaves it open.
  std::optional<drift::PaneMerger> merger;
  auto make_merger = [&](const drift::PaneMessage& m) -> Status {
    drift::WindowOptions w = request.window;
    w.mode = drift::WindowOptions::Mode::kTime;
    if (w.size_micros == 0) {
      w.size_micros = m.size_micros;
      w.slide_micros = m.slide_micros;
      KEEL_RETURN_IF_ERROR(w.Validate());
    }
    const int64_t slide = w.slide_micros == 0 ? w.size_micros : w.slide_micros;
    merger.emplace(reference, w, request.grace_windows * (w.size_micros / slide), sink);
    merger->set_settle(static_cast<double>(request.settle.count()) / 1000);
    merger->set_late_sink(late);
    return Status::OK();
  };
  const auto wait = std::chrono::milliseconds(
      request.until_idle.count() > 0 ? std::min<int64_t>(request.until_idle.count(), 1000) : 1000);
  Stopwatch idle;
  while (!ctx.cancelled()) {
    KEEL_ASSIGN_OR_RETURN(NatsMessages batch, consumer->Fetch(256, wait));
    if (merger) KEEL_RETURN_IF_ERROR(merger->Tick(clock.Seconds()));
    if (batch.items.empty()) {
      if (request.until_idle.count() > 0 &&
          idle.Seconds() * 1000 >= static_cast<double>(request.until_idle.count())) {
        break;
      }
      continue;
    }
    for (const NatsMessage& msg : batch.items) {
      auto j = nlohmann::json::parse(msg.data, nullptr, false);
      auto m = drift::PaneMessageFromJson(j);
      if (!m.ok()) {
        // Not ours (or damaged): counted and skipped, never redelivered forever.
        if (result.bad_messages++ == 0) {
          log::Warn("keel monitor: message {} of '{}' skipped: {}", msg.stream_sequence,
                    request.source.stream, m.status().message());
        }
      } else {
        if (!merger) KEEL_RETURN_IF_ERROR(make_merger(*m));
        KEEL_RETURN_IF_ERROR(merger->Add(*m));
      }
      KEEL_RETURN_IF_ERROR(consumer->Ack(msg));
    }
    idle.Reset();
  }
  if (merger) {
    KEEL_RETURN_IF_ERROR(merger->Finish());
    result.messages = merger->messages();
    result.instances = merger->instances();
    result.late_rows = merger->late_rows();
    result.duplicate_rows = merger->duplicate_rows();
    result.overlapping_rows = merger->overlapping_rows();
    result.skipped_sequences = merger->skipped_sequences();
    if (result.overlapping_rows > 0) {
      log::Warn(
          "keel monitor: {} rows came in profiles partly counted already (merged, so the "
          "windows holding them may count some events twice); are all consumers keel "
          "stream of this version?",
          result.overlapping_rows);
    }
  }
  result.seconds = clock.Seconds();
  return result;
}

nlohmann::json NatsMonitorResult::ToJson() const {
  return {{"ok", true},
          {"messages", messages},
          {"instances", instances},
          {"windows", windows},
          {"drift_events", drift_events},
          {"fairness_alerts", fairness_alerts},
          {"late_rows", late_rows},
          {"late_panes", late_panes},
          {"duplicate_rows", duplicate_rows},
          {"overlapping_rows", overlapping_rows},
          {"skipped_sequences", skipped_sequences},
          {"bad_messages", bad_messages},
          {"seconds", seconds}};
}

std::string NatsMonitorResult::ToText() const {
  return fmt::format(
      "keel monitor: {} pane profiles from {} consumers, {} windows, {} drift events, {} "
      "fairness alerts, {} late rows, {} duplicate rows dropped, {:.3f} s\n",
      messages, instances, windows, drift_events, fairness_alerts, late_rows, duplicate_rows,
      seconds);
}

}  // namespace keel::usecase
