// Streaming scoring: JSON Lines events in, JSON Lines predictions out, drift windows on the
// side. The engine behind `keel stream`.
//
// Input is read in large blocks; every complete line read so far forms a batch (at most
// `batch_rows` lines), so a slow producer gets each answer as soon as its line arrives and a
// fast one is processed in big blocks. A batch is split into one contiguous part per thread;
// each part decodes its lines (simdjson On Demand, event_decoder.h), predicts its rows with
// the compiled model and formats its output lines, all without per-row allocation. The
// parts' outputs are then written in input order and the rows are added, in order, to the
// drift windows (window_monitor.h).
//
// Output: one line per non-empty input line, in input order:
//   {"<id>": <id as given>, "<time>": <time as given>, "prob_<class>": p, ...}
// (id and time only when the schema has those roles and the event carries them; columns as
// `keel predict` names them: prob_<class> per class, or "prediction"). A line that is not a
// JSON object gets {"line": N, "error": "..."} in its place and is counted, never dropped.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/context.h"
#include "drift/pane_profiles.h"
#include "drift/profile.h"
#include "drift/window_monitor.h"
#include "keel/status.h"
#include "model/model.h"
#include "predict/predictor.h"

namespace keel::drift {

struct StreamOptions {
  size_t batch_rows = 16384;                 // most lines decoded and predicted together
  size_t max_line_bytes = size_t{64} << 20;  // longer lines are an error (the stream stops)
  WindowOptions window;
  bool all_windows = false;  // report every window, not only those that drift
};

struct StreamSummary {
  uint64_t lines = 0;  // non-empty input lines
  uint64_t rows_predicted = 0;
  uint64_t parse_errors = 0;
  uint64_t invalid_values = 0;  // values of the wrong type (read as missing)
  uint64_t windows = 0;
  uint64_t drift_events = 0;
  uint64_t fairness_alerts = 0;
  uint64_t late_rows = 0;
  uint64_t untimed_rows = 0;
  double seconds = 0;
  std::string first_error;  // "line N: reason" of the first parse error
};

nlohmann::json StreamSummaryToJson(const StreamSummary& s);

// One event's text: `data` must stay readable up to the `buffer_end` passed with it, with at
// least simdjson::SIMDJSON_PADDING bytes after the last event (the decoder reads ahead).
struct StreamLine {
  const char* data = nullptr;
  size_t length = 0;
  // 1-based position in the input, for error texts (a NATS consumer: the stream sequence,
  // which also names the row in its pane profile, PaneCollector::BeginRow)
  uint64_t number = 0;
};

// What one batch scored, handed to the caller's sink before the batch counts.
class ScoredBatch {
 public:
  size_t rows() const { return ok_.size(); }
  // Whether line i decoded and was predicted.
  bool ok(size_t i) const { return ok_[i] != 0; }
  // Line i's output without its newline: the prediction object, or {"line", "error"} for a
  // line that failed.
  std::string_view output(size_t i) const;
  // Why line i failed ("" for a line that did not).
  std::string_view error(size_t i) const { return errors_[i]; }
  // Every output line, newline-terminated, in order, as a few contiguous blocks.
  const std::vector<std::string_view>& blocks() const { return blocks_; }

 private:
  friend class BatchScorer;
  std::vector<uint8_t> ok_;
  std::vector<std::string_view> errors_;
  std::vector<std::string_view> blocks_;
  std::vector<const char*> begin_;  // line i's output starts here and ends before its '\n'
  std::vector<const char*> end_;
};

// The decode -> validate -> predict -> format -> drift windows path of every stream source
// (stdin here, a NATS consumer in usecase/nats_stream.h): a batch of lines is split over the
// threads, each part decoded (simdjson On Demand, event_decoder.h), predicted with the
// compiled model and formatted without per-row allocation; the caller's sink then gets the
// outputs, and only when it returns OK are the rows counted and added, in order, to the drift
// windows (so a batch a sink could not deliver is neither counted nor windowed).
class BatchScorer {
 public:
  using Sink = std::function<Status(const ScoredBatch&)>;

  // With a `reference` profile, rows feed the drift windows and `on_window` receives each
  // window that drifts (or every window with options.all_windows; it is copied). `model` and
  // `predictor` must outlive the scorer. Errors: InvalidArgument for bad window options,
  // Corrupt for a profile that does not fit the model.
  static Result<std::unique_ptr<BatchScorer>> Create(
      const Model& model, const Predictor& predictor, std::shared_ptr<const Profile> reference,
      const StreamOptions& options, int threads,
      const std::function<void(const WindowResult&)>& on_window);
  ~BatchScorer();

  // Scores `lines` (at most options.batch_rows) and calls `sink` once. Errors: the sink's;
  // a bad line is not an error.
  Status Score(const std::vector<StreamLine>& lines, const char* buffer_end, const Sink& sink);

  // With drift windows on, also adds every windowed row to `panes` (by the row's event time;
  // pane_profiles.h), which must outlive the scorer's use; null stops that.
  void CollectPanes(PaneCollector* panes);

  // Closes the open windows (reporting them) and returns the counts so far.
  Status Finish(StreamSummary* summary);

  // Counts so far (before Finish: without the open windows).
  const StreamSummary& summary() const;

  class Impl;

 private:
  explicit BatchScorer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Scores the JSON Lines read from `in_fd` until end of input, writing predictions to `out`.
// With a `reference` profile, rows feed the drift windows and `on_window` receives each
// window that drifts (or every window with options.all_windows). Batches are split over the
// Context's threads. `model` and `predictor`
// (compiled from it) must outlive the call. Errors: InvalidArgument for bad window options,
// IoError when reading or writing fails, ResourceExhausted for a line longer than
// max_line_bytes, Cancelled when the Context is cancelled (checked before each read, so a
// caller blocked on a quiet input also closes it); a bad line is not an error.
Result<StreamSummary> RunStream(const Model& model, const Predictor& predictor,
                                std::shared_ptr<const Profile> reference,
                                const StreamOptions& options, const Context& ctx, int in_fd,
                                std::FILE* out,
                                const std::function<void(const WindowResult&)>& on_window);

}  // namespace keel::drift
