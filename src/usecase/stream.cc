#include "usecase/stream.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/log.h"
#include "drift/model_profile.h"
#include "model/model_io.h"
#include "predict/predictor.h"

namespace keel::usecase {
namespace {

// The model's training profile, with another selection threshold when asked; null (and a
// warning) when the model has none.
Result<std::shared_ptr<const drift::Profile>> Reference(const Model& model,
                                                        std::optional<double> selection) {
  auto profile = drift::LoadReferenceProfile(model);
  if (!profile.ok()) {
    log::Warn("{}: drift windows are off", profile.status().message());
    return std::shared_ptr<const drift::Profile>();
  }
  if (!selection) return std::make_shared<const drift::Profile>(std::move(*profile));
  // Same profile, another selection threshold for the group rates: rebuild the layout.
  if (!profile->layout().groups.empty()) {
    log::Warn(
        "--selection-threshold differs from the training profile's {}: training "
        "selection rates are those at the training threshold",
        profile->layout().selection_threshold);
  }
  nlohmann::json j = profile->ToJson();
  j["selection_threshold"] = *selection;
  KEEL_ASSIGN_OR_RETURN(drift::Profile changed, drift::Profile::FromJson(j));
  return std::make_shared<const drift::Profile>(std::move(changed));
}

}  // namespace

Result<std::unique_ptr<StreamSetup>> PrepareStream(const StreamRequest& request,
                                                   std::FILE* events) {
  auto setup = std::make_unique<StreamSetup>();
  KEEL_ASSIGN_OR_RETURN(setup->model, LoadModel(request.model_path));
  auto predictor = Predictor::Create(setup->model);
  if (!predictor.ok()) return predictor.status().WithContext(request.model_path);
  setup->predictor = std::move(*predictor);
  if (request.options.window.mode == drift::WindowOptions::Mode::kTime &&
      setup->model.schema.FirstWithRole(Role::kTime).empty()) {
    return Status::InvalidArgument(
        "--window-time needs event times, but the model's schema has no column with role time");
  }
  if (request.drift_windows) {
    KEEL_ASSIGN_OR_RETURN(setup->reference, Reference(setup->model, request.selection_threshold));
  }
  if (!request.events_path.empty() && request.events_path != "-") {
    setup->events_file.reset(std::fopen(request.events_path.c_str(), "w"));
    if (!setup->events_file) {
      return Status::IoError("cannot write drift events to {}: {}", request.events_path,
                             std::strerror(errno));
    }
    events = setup->events_file.get();
  }
  setup->on_window = [events](const drift::WindowResult& w) {
    std::string line =
        drift::WindowResultToJson(w).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), events);
    std::fflush(events);
  };
  return setup;
}

Result<StreamResult> Stream(const StreamRequest& request, const Context& ctx, int in_fd,
                            std::FILE* out, std::FILE* events) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<StreamSetup> setup, PrepareStream(request, events));
  StreamResult r;
  r.request = request;
  KEEL_ASSIGN_OR_RETURN(r.summary,
                        drift::RunStream(setup->model, *setup->predictor, setup->reference,
                                         request.options, ctx, in_fd, out, setup->on_window));
  if (!r.summary.first_error.empty()) {
    log::Warn("{} unreadable lines (an error line was written in their place); first: {}",
              r.summary.parse_errors, r.summary.first_error);
  }
  return r;
}

nlohmann::json StreamResult::ToJson() const {
  nlohmann::json j = drift::StreamSummaryToJson(summary);
  j["ok"] = true;
  return j;
}

std::string StreamResult::ToText() const {
  const drift::StreamSummary& s = summary;
  return fmt::format(
      "keel stream: {} lines, {} predicted, {} unreadable, {:.3f} s ({:.0f} rows/s); {} windows, "
      "{} drift events, {} fairness alerts\n",
      s.lines, s.rows_predicted, s.parse_errors, s.seconds,
      drift::StreamSummaryToJson(s)["rows_per_second"].get<double>(), s.windows, s.drift_events,
      s.fairness_alerts);
}

}  // namespace keel::usecase
