// `keel stream`: score JSON Lines as they arrive, one prediction line per input line in input
// order, and watch drift windows (by row count or event time, tumbling or sliding) against the
// model's training profile, with a fairness alert when a window's groups drift apart
// (drift/stream_scorer.h, drift/window_monitor.h).
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/context.h"
#include "drift/stream_scorer.h"
#include "keel/status.h"
#include "model/model.h"
#include "predict/predictor.h"

namespace keel::usecase {

struct StreamRequest {
  std::string model_path;  // .keel
  // Batch size, the drift windows (size, slide, smallest window judged, tests, fairness gate)
  // and whether every window is reported or only those that drift.
  drift::StreamOptions options;
  bool drift_windows = true;  // against the training profile (off: only score)
  // A prediction at or above this counts as selected in the windows' group rates (unset: the
  // training profile's).
  std::optional<double> selection_threshold;
  // Drift events, one JSON object per line, go to this file ("" or "-": to Stream's `events`).
  std::string events_path;
};

struct StreamResult {
  StreamRequest request;
  drift::StreamSummary summary;

  nlohmann::json ToJson() const;  // drift::StreamSummaryToJson with "ok"
  std::string ToText() const;     // one line: lines, rows per second, windows, events, alerts
};

// What every stream source (stdin here, NATS in nats_stream.h) sets up before its first
// event: the model, its compiled predictor, the training profile the drift windows compare
// with (null with the windows off) and where the window events go.
struct StreamSetup {
  Model model;
  std::unique_ptr<Predictor> predictor;
  std::shared_ptr<const drift::Profile> reference;
  // Writes a reported window as one JSON line to request.events_path or `events`.
  std::function<void(const drift::WindowResult&)> on_window;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> events_file{nullptr, &std::fclose};
};

// Loads and checks the model for `request` (windows by event time need a time column). Without
// a training profile in the model the windows are off, with a warning. Errors: the model's;
// InvalidArgument for windows by event time when the model's schema has no time column;
// IoError when the events file cannot be written.
Result<std::unique_ptr<StreamSetup>> PrepareStream(const StreamRequest& request, std::FILE* events);

// Reads JSON Lines from `in_fd` to the end of input, writes the predictions to `out` and the
// reported windows to `events` (unless request.events_path names a file). Without a training
// profile in the model the windows are off, with a warning. Errors: the model's; InvalidArgument
// for windows by event time when the model's schema has no time column, or bad window options;
// IoError when the events file cannot be written; RunStream's.
Result<StreamResult> Stream(const StreamRequest& request, const Context& ctx, int in_fd,
                            std::FILE* out, std::FILE* events);

}  // namespace keel::usecase
