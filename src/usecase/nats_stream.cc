#include "usecase/nats_stream.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/log.h"
#include "core/stopwatch.h"
#include "drift/pane_profiles.h"
#include "usecase/stream_log.h"
#include "usecase/stream_metrics.h"

namespace keel::usecase {
namespace {

bool Blank(std::string_view data) {
  return std::all_of(data.begin(), data.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

// The headers tying a published message to its source event.
std::vector<NatsHeader> SourceHeaders(const std::string& stream, const NatsMessage& m) {
  std::vector<NatsHeader> h = {{"Keel-Stream", stream},
                               {"Keel-Sequence", std::to_string(m.stream_sequence)},
                               {"Keel-Subject", std::string(m.subject)}};
  if (!m.msg_id.empty()) h.emplace_back("Keel-Msg-Id", std::string(m.msg_id));
  return h;
}

// One line of text for a header value.
std::string HeaderText(std::string_view text) {
  std::string s(text.substr(0, 1000));
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return s;
}

class NatsScoringLoop {
 public:
  NatsScoringLoop(const NatsStreamRequest& r, NatsConsumer& consumer, drift::BatchScorer& scorer,
                  StreamPredictionLog* log, NatsStreamCounts& counts)
      : r_(r),
        consumer_(consumer),
        scorer_(scorer),
        log_(log),
        counts_(counts),
        dead_letter_(r.dead_letter.empty() ? r.to + ".dead" : r.dead_letter) {}

  // Scores, publishes and acknowledges one fetched batch; on an error its messages are
  // negatively acknowledged (redelivered at once, to any process of the consumer).
  Status Process(const NatsMessages& batch) {
    Status st = ProcessBatch(batch);
    if (!st.ok()) {
      for (const NatsMessage& m : batch.items) consumer_.Nak(m);
    }
    return st;
  }

 private:
  Status ProcessBatch(const NatsMessages& batch) {
    counts_.consumed += batch.items.size();
    for (const NatsMessage& m : batch.items) {
      if (m.delivered > 1) ++counts_.redelivered;
    }
    if (!batch.items.empty()) counts_.lag = batch.items.back().pending;
    // The events laid end to end with the decoder's padding after them; an empty message is
    // dead-lettered without being decoded.
    text_.clear();
    blank_.clear();
    scored_.clear();
    for (size_t i = 0; i < batch.items.size(); ++i) {
      const NatsMessage& m = batch.items[i];
      if (Blank(m.data)) {
        blank_.push_back(i);
        continue;
      }
      scored_.push_back(i);
      text_.append(m.data);
      text_.push_back('\n');
    }
    text_.append(simdjson::SIMDJSON_PADDING, ' ');
    lines_.clear();
    size_t offset = 0;
    for (size_t i : scored_) {
      const NatsMessage& m = batch.items[i];
      lines_.push_back({text_.data() + offset, m.data.size(), m.stream_sequence});
      offset += m.data.size() + 1;
    }
    auto deliver = [&](const drift::ScoredBatch& scored) -> Status {
      for (size_t i : blank_) {
        KEEL_RETURN_IF_ERROR(DeadLetter(batch.items[i], "empty message"));
      }
      ids_.clear();
      log_rows_.clear();
      scorer_ok_.assign(scored.rows(), 0);
      for (size_t k = 0; k < scored.rows(); ++k) {
        const NatsMessage& m = batch.items[scored_[k]];
        scorer_ok_[k] = scored.ok(k) ? 1 : 0;
        ids_.push_back(MsgId(m));
        if (scored.ok(k)) {
          KEEL_RETURN_IF_ERROR(consumer_.Publish(r_.to, scored.output(k),
                                                 SourceHeaders(r_.source.stream, m), ids_.back()));
          ++counts_.scored;
        } else {
          KEEL_RETURN_IF_ERROR(DeadLetter(m, scored.error(k)));
        }
      }
      // The log rows are committed while the stream acknowledges the publishes.
      if (log_ != nullptr) {
        for (size_t k = 0; k < scored.rows(); ++k) {
          if (scored.ok(k)) {
            log_rows_.push_back({ids_[k], batch.items[scored_[k]].data, scored.output(k)});
          }
        }
        KEEL_RETURN_IF_ERROR(log_->Log(log_rows_));
        counts_.logged += log_rows_.size();
      }
      uint64_t duplicates = 0;
      KEEL_RETURN_IF_ERROR(consumer_.WaitPublished(&duplicates));
      counts_.duplicates += duplicates;
      counts_.published += batch.items.size();
      return Status::OK();
    };
    // The batch's rows join the drift windows (and the pane profiles) once delivered. A
    // redelivered event may be in a pane profile its first consumer published before dying:
    // it is profiled alone, so the monitor can tell and count it once (pane_profiles.h).
    if (panes_ != nullptr) {
      for (const NatsMessage& m : batch.items) {
        if (m.delivered > 1) panes_->Separate(m.stream_sequence);
      }
    }
    KEEL_RETURN_IF_ERROR(scorer_.Score(lines_, text_.data() + text_.size(), deliver));
    if (panes_ != nullptr && !batch.items.empty()) {
      // The events finished without a row: dead letters.
      drift::SequenceSet handled;
      for (size_t i : blank_) handled.Insert(batch.items[i].stream_sequence);
      for (size_t k = 0; k < scored_.size(); ++k) {
        if (!scorer_ok_[k]) handled.Insert(batch.items[scored_[k]].stream_sequence);
      }
      KEEL_RETURN_IF_ERROR(PublishPanes(false, std::move(handled)));
    }
    // Every prediction, dead letter and pane profile is stored: the events are done.
    for (const NatsMessage& m : batch.items) KEEL_RETURN_IF_ERROR(consumer_.Ack(m));
    ++counts_.batches;
    return Status::OK();
  }

 public:
  // Profiles the scored rows per time pane for the merged monitor.
  void CollectPanes(drift::PaneCollector* panes, std::string subject, std::string instance,
                    int64_t size_micros) {
    panes_ = panes;
    profiles_to_ = std::move(subject);
    instance_ = std::move(instance);
    size_micros_ = size_micros;
  }

  // Publishes the pane deltas collected since the last call, each with the stream sequences
  // of its rows, the first also with `handled` (the batch's sequences without a row; alone
  // when the batch had no row), and, with `done`, the instance's goodbye; waits until the
  // stream stored them. Message ids "<instance>:<pane start>:<lowest sequence>" (":h:" for
  // `handled` alone) drop a repeat of the same publish.
  Status PublishPanes(bool done, drift::SequenceSet handled) {
    drift::PaneMessage m;
    m.instance = instance_;
    m.slide_micros = panes_->slide_micros();
    m.size_micros = size_micros_;
    m.latest = panes_->latest();
    std::vector<drift::PaneDelta> deltas = panes_->Take();
    if (deltas.empty() && !handled.empty()) {
      m.pane = m.latest == INT64_MIN ? 0 : m.latest;
      m.handled = std::move(handled);
      KEEL_RETURN_IF_ERROR(consumer_.Publish(profiles_to_, drift::PaneMessageToJson(m).dump(), {},
                                             fmt::format("{}:h:{}", instance_, m.handled.min())));
      ++counts_.profiles;
    }
    for (drift::PaneDelta& d : deltas) {
      m.pane = d.pane;
      m.profile = std::make_shared<drift::Profile>(std::move(d.profile));
      m.sequences = std::move(d.sequences);
      m.handled = std::move(handled);
      handled = drift::SequenceSet();
      KEEL_RETURN_IF_ERROR(
          consumer_.Publish(profiles_to_, drift::PaneMessageToJson(m).dump(), {},
                            fmt::format("{}:{}:{}", instance_, d.pane * m.slide_micros,
                                        m.sequences.empty() ? 0 : m.sequences.min())));
      ++counts_.profiles;
    }
    if (done) {
      m.profile.reset();
      m.sequences = m.handled = drift::SequenceSet();
      m.pane = m.latest == INT64_MIN ? 0 : m.latest;
      m.done = true;
      KEEL_RETURN_IF_ERROR(consumer_.Publish(profiles_to_, drift::PaneMessageToJson(m).dump(), {},
                                             fmt::format("{}:done", instance_)));
    }
    uint64_t duplicates = 0;
    return consumer_.WaitPublished(&duplicates);
  }

 private:
  std::string MsgId(const NatsMessage& m) const {
    return fmt::format("{}:{}", r_.source.stream, m.stream_sequence);
  }

  Status DeadLetter(const NatsMessage& m, std::string_view reason) {
    std::vector<NatsHeader> h = SourceHeaders(r_.source.stream, m);
    h.emplace_back("Keel-Error", HeaderText(reason));
    ++counts_.rejected;
    return consumer_.Publish(dead_letter_, m.data, h, MsgId(m));
  }

  const NatsStreamRequest& r_;
  NatsConsumer& consumer_;
  drift::BatchScorer& scorer_;
  StreamPredictionLog* log_;  // null: no prediction log
  NatsStreamCounts& counts_;
  const std::string dead_letter_;
  std::string text_;
  std::vector<size_t> blank_, scored_;  // indexes into the batch
  std::vector<uint8_t> scorer_ok_;      // per scored line: decoded and predicted
  std::vector<drift::StreamLine> lines_;
  std::vector<std::string> ids_;  // per scored line: "<stream>:<sequence>"
  std::vector<StreamLogRow> log_rows_;
  drift::PaneCollector* panes_ = nullptr;  // null: no pane profiles
  std::string profiles_to_, instance_;
  int64_t size_micros_ = 0;
};

std::string DefaultInstance(const std::string& consumer) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "host");
  return fmt::format("{}-{}-{}", consumer, host, static_cast<long>(getpid()));
}

}  // namespace

Status MergeableWindows(const drift::WindowOptions& window) {
  if (window.mode == drift::WindowOptions::Mode::kTime) return Status::OK();
  return Status::InvalidArgument(
      "with --from nats:// the drift windows must be by event time (--window-time D, e.g. "
      "1h), so that the consumers' windows merge in `keel monitor --from nats://`; row-count "
      "windows (--window N) cannot be merged (or pass --no-drift)");
}

Result<NatsStreamResult> StreamNats(const NatsStreamRequest& request, const Context& ctx,
                                    std::FILE* events) {
  if (request.to.empty()) {
    return Status::InvalidArgument("--from nats:// needs --to SUBJECT for the predictions");
  }
  if (request.source.stream.empty() || request.source.consumer.empty() ||
      request.source.subject.empty()) {
    return Status::InvalidArgument(
        "--from nats:// needs --stream NAME, --subject SUBJECT and --consumer NAME");
  }
  if (request.max_inflight == 0) {
    return Status::InvalidArgument("--max-inflight must be at least 1");
  }
  Stopwatch clock;
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<StreamSetup> setup, PrepareStream(request.stream, events));
  const drift::WindowOptions& window = request.stream.options.window;
  if (setup->reference != nullptr) KEEL_RETURN_IF_ERROR(MergeableWindows(window));
  drift::StreamOptions options = request.stream.options;
  options.batch_rows = request.max_inflight;
  KEEL_ASSIGN_OR_RETURN(
      std::unique_ptr<drift::BatchScorer> scorer,
      drift::BatchScorer::Create(setup->model, *setup->predictor, setup->reference, options,
                                 ctx.threads(), setup->on_window));
  std::unique_ptr<StreamPredictionLog> log;
  if (!request.log_db.empty()) {
    KEEL_ASSIGN_OR_RETURN(log,
                          StreamPredictionLog::Open(request.log_db, request.stream.model_path));
  }
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<NatsConsumer> consumer,
                        NatsConsumer::Open(request.source, ctx));
  log::Info("keel stream: consumer '{}' on stream '{}' ({}) at {}: predictions to '{}'",
            request.source.consumer, request.source.stream, request.source.subject,
            request.source.url, request.to);

  std::unique_ptr<StreamMetricsServer> metrics;
  if (request.metrics_port >= 0) {
    KEEL_ASSIGN_OR_RETURN(
        metrics, StreamMetricsServer::Start(request.metrics_host,
                                            static_cast<uint16_t>(request.metrics_port),
                                            request.source.stream, request.source.consumer));
    log::Info("keel stream: metrics on http://{}:{}/metrics", request.metrics_host,
              metrics->port());
  }
  NatsStreamResult result;
  result.request = request;
  NatsScoringLoop loop(request, *consumer, *scorer, log.get(), result.counts);
  std::unique_ptr<drift::PaneCollector> panes;
  if (setup->reference != nullptr) {
    const int64_t slide = window.slide_micros == 0 ? window.size_micros : window.slide_micros;
    panes = std::make_unique<drift::PaneCollector>(setup->reference->shared_layout(), slide);
    scorer->CollectPanes(panes.get());
    const std::string subject =
        request.profiles_to.empty() ? request.to + ".profiles" : request.profiles_to;
    std::string instance =
        request.instance.empty() ? DefaultInstance(request.source.consumer) : request.instance;
    log::Info("keel stream: pane profiles to '{}' as instance '{}'", subject, instance);
    loop.CollectPanes(panes.get(), subject, std::move(instance), window.size_micros);
  }
  const std::chrono::milliseconds wait =
      request.max_idle.count() > 0 ? std::min(request.max_idle, std::chrono::milliseconds(1000))
                                   : std::chrono::milliseconds(1000);
  Stopwatch idle;
  while (!ctx.cancelled()) {
    KEEL_ASSIGN_OR_RETURN(NatsMessages batch,
                          consumer->Fetch(static_cast<int>(request.max_inflight), wait));
    if (batch.items.empty()) {
      if (request.max_idle.count() > 0 &&
          idle.Seconds() * 1000 >= static_cast<double>(request.max_idle.count())) {
        break;
      }
      continue;
    }
    KEEL_RETURN_IF_ERROR(loop.Process(batch));
    if (metrics) metrics->Update(result.counts);
    idle.Reset();
  }
  KEEL_RETURN_IF_ERROR(scorer->Finish(&result.summary));
  if (panes) KEEL_RETURN_IF_ERROR(loop.PublishPanes(true, {}));
  result.summary.seconds = clock.Seconds();
  if (!result.summary.first_error.empty()) {
    log::Warn("{} malformed events went to the dead-letter subject; first: {}",
              result.counts.rejected, result.summary.first_error);
  }
  return result;
}

nlohmann::json NatsStreamResult::ToJson() const {
  nlohmann::json j = drift::StreamSummaryToJson(summary);
  const NatsStreamCounts& c = counts;
  j["consumed"] = c.consumed;
  j["scored"] = c.scored;
  j["published"] = c.published;
  j["rejected"] = c.rejected;
  j["redelivered"] = c.redelivered;
  j["duplicates"] = c.duplicates;
  j["lag"] = c.lag;
  if (!request.log_db.empty()) j["logged"] = c.logged;
  j["profiles"] = c.profiles;
  j["ok"] = true;
  return j;
}

std::string NatsStreamResult::ToText() const {
  const NatsStreamCounts& c = counts;
  return fmt::format(
      "keel stream: {} messages consumed ({} redelivered), {} scored, {} dead-lettered, {} "
      "duplicates dropped, {:.3f} s; {} windows, {} drift events, {} fairness alerts\n",
      c.consumed, c.redelivered, c.scored, c.rejected, c.duplicates, summary.seconds,
      summary.windows, summary.drift_events, summary.fairness_alerts);
}

}  // namespace keel::usecase
