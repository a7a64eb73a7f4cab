// Drift windows over a stream of rows: tumbling or sliding, by row count or by event time.
//
// Rows go into panes (profiles of `slide` rows, or of one `slide` of event time); a window is
// the merge of the last size/slide panes (one pane for tumbling windows), compared with the
// reference profile whenever a pane closes and the window is full. Time panes are aligned to
// the epoch (pane = floor(t / slide)); a row whose time falls in an earlier pane than the
// current one (late) or has no time joins the current pane and is counted. Panes skipped by
// a gap in time are empty. At the end of the stream the last, partial window is evaluated
// too (marked partial) if it has at least `min_rows` rows.
//
// Not thread-safe: one monitor per stream, fed in stream order.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/group_size.h"
#include "drift/drift_detector.h"
#include "drift/group_disparity.h"
#include "drift/profile.h"
#include "keel/status.h"
#include "keel/table.h"

namespace keel::drift {

// The epoch-aligned pane of time t (micros) for panes of `slide` micros: floor(t / slide),
// negative times included.
int64_t TimePane(int64_t t, int64_t slide);

struct WindowOptions {
  enum class Mode { kCount, kTime };
  Mode mode = Mode::kCount;
  uint64_t size_rows = 10000;  // kCount
  uint64_t slide_rows = 0;     // kCount; 0 = size_rows (tumbling)
  int64_t size_micros = 0;     // kTime
  int64_t slide_micros = 0;    // kTime; 0 = size_micros (tumbling)
  uint64_t min_rows = 100;     // smaller windows are not evaluated
  DriftOptions drift;
  double fairness_gate = 0.1;               // demographic parity difference that raises an alert
  uint64_t min_group_rows = kMinGroupSize;  // smaller groups are left out of the disparity

  // InvalidArgument naming the option: sizes must be positive and a multiple of the slide.
  Status Validate() const;
};

struct WindowResult {
  uint64_t index = 0;      // 0-based window number
  uint64_t first_row = 0;  // 1-based stream row numbers
  uint64_t last_row = 0;
  uint64_t rows = 0;
  int64_t start_time = kMissingTime;  // time windows: the window's aligned start; else the
  int64_t end_time = kMissingTime;    // earliest and latest event time seen (micros)
  bool partial = false;               // the stream ended before the window was full
  DriftReport report;
  std::vector<AttributeDisparity> fairness;
  bool drifted = false;  // dataset, prediction or label drift
  bool fairness_alert = false;
  // Binary classifiers in `keel stream`: the label-free performance estimate (CBPE) from the
  // window's predicted probabilities (probability_bins.h); rows == 0 when there is none.
  BinaryPerformance estimated;
};

// The window as one JSON object: {"event": "drift"|"window", "window": {...}, "dataset_drift",
// "share_drifted", "drifted_features": [...], "prediction_drift", "label_drift",
// "features": [{"feature", "test", "statistic", "threshold", "drifted", ...}], "fairness",
// and for a binary classifier's stream windows "estimated_performance": {"method": "cbpe",
// "rows", "roc_auc", "accuracy", "precision", "recall", "f1", "positive_rate"}}.
nlohmann::json WindowResultToJson(const WindowResult& w);

// A window's merged profile compared with the reference: the drift report, the fairness
// disparities and the verdicts (rows = merged.rows(); index, rows range and times are the
// caller's). The one evaluation of WindowMonitor and of merged NATS panes (pane_profiles.h).
// Errors: CompareProfiles's.
Result<WindowResult> EvaluateWindow(const Profile& reference, const Profile& merged,
                                    const WindowOptions& options);

class WindowMonitor {
 public:
  using Sink = std::function<void(const WindowResult&)>;

  // `reference` is the training profile; `sink` receives every evaluated window.
  WindowMonitor(std::shared_ptr<const Profile> reference, WindowOptions options, Sink sink);

  // The pane the next row goes to (closing panes and evaluating windows as time moves on).
  // `time` is the row's event time in micros, kMissingTime when unknown.
  Profile& BeginRow(int64_t time);
  // Call after adding the row's values to the pane BeginRow returned. A count pane that is
  // now full closes here (evaluating its window).
  void EndRow();
  // Evaluates the last partial window. Errors: those of the comparison (none expected).
  Status Finish();

  uint64_t rows() const { return rows_; }
  uint64_t late_rows() const { return late_rows_; }
  uint64_t untimed_rows() const { return untimed_rows_; }
  uint64_t windows() const { return windows_; }
  // The first comparison error, if any (windows are then skipped, the stream goes on).
  const Status& status() const { return status_; }

 private:
  struct Pane {
    std::unique_ptr<Profile> profile;
    uint64_t first_row = 0;
    int64_t id = 0;  // time pane number
    int64_t min_time = kMissingTime, max_time = kMissingTime;
  };
  void ClosePane(bool final);
  void Evaluate(bool partial);
  Pane NewPane(int64_t id);

  std::shared_ptr<const Profile> reference_;
  WindowOptions options_;
  Sink sink_;
  size_t panes_per_window_ = 1;
  std::deque<Pane> closed_;  // at most panes_per_window_ - 1 kept between windows
  Pane current_;
  uint64_t panes_seen_ = 0;  // closed panes since the start, for "is the window full"
  uint64_t rows_ = 0;
  uint64_t late_rows_ = 0;
  uint64_t untimed_rows_ = 0;
  uint64_t windows_ = 0;
  bool started_ = false;
  Status status_;
};

}  // namespace keel::drift
