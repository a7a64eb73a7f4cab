// Monitoring with delayed labels: predictions logged when they were made, labels that arrive
// later, joined by id, and performance per window against the training performance. Windows
// without (enough) labels get a CBPE estimate (performance_estimation.h), clearly marked as
// an estimate; windows with labels get realized metrics as well.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "data/label_mapping.h"
#include "drift/performance_estimation.h"
#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"

namespace keel::drift {

// What the prediction log and the labels file hold.
struct MonitorSetup {
  Task task = Task::kBinary;
  std::vector<std::string> classes;       // class names by index; binary: classes[1] positive
  LabelMapping labels;                    // raw label text -> class
  std::string id_column;                  // in both files
  std::string label_column;               // in the labels file
  std::string time_column;                // in the log; empty = none
  std::vector<std::string> score_columns; // log columns: prob_<class> per class, or prediction
  // Training performance to compare with: {"split": "test", "auc": ..., "accuracy": ...};
  // null when unknown.
  nlohmann::json reference;
};

// The setup for a model's log: classes, label mapping, target, id and time columns from the
// model; reference metrics from model.sections["metrics"] (the test split, else validation,
// else training).
MonitorSetup MonitorSetupForModel(const Model& model);

struct MonitorOptions {
  bool by_time = false;
  uint64_t window_rows = 10000;  // log rows per window (by_time = false)
  int64_t window_micros = 0;     // window length (by_time = true), aligned to the epoch
  double threshold = 0.5;        // positive when P(positive) >= threshold
  double tolerance = 0.05;       // degraded when the metric falls this far below training
  uint64_t min_labels = 50;      // fewer labels: realized metrics are reported but not judged
};

struct MonitorWindow {
  uint64_t index = 0;
  uint64_t first_row = 0, last_row = 0;  // 1-based log rows
  uint64_t rows = 0;
  uint64_t labeled = 0;
  int64_t start_time = kMissingTime, end_time = kMissingTime;
  BinaryPerformance estimated;  // CBPE (binary)
  BinaryPerformance realized;   // labeled rows (binary)
  double calibration_error = std::numeric_limits<double>::quiet_NaN();  // labeled rows
  double estimated_accuracy = std::numeric_limits<double>::quiet_NaN();  // multiclass
  double realized_accuracy = std::numeric_limits<double>::quiet_NaN();   // multiclass
  double rmse = std::numeric_limits<double>::quiet_NaN();                // regression
  double mae = std::numeric_limits<double>::quiet_NaN();
  std::string basis;      // "realized" (enough labels), "estimated" (CBPE) or "none"
  std::string metric;     // the metric judged: roc_auc, accuracy, rmse
  double value = std::numeric_limits<double>::quiet_NaN();     // that metric on `basis`
  double reference = std::numeric_limits<double>::quiet_NaN(); // its training value
  bool degraded = false;
};

struct MonitorReport {
  std::vector<MonitorWindow> windows;
  uint64_t log_rows = 0;
  uint64_t label_rows = 0;
  uint64_t matched = 0;             // log rows that found their label
  uint64_t labels_without_prediction = 0;
  uint64_t duplicate_label_ids = 0; // later rows win
  uint64_t unmapped_labels = 0;     // label texts that are no class of the model
  uint64_t log_rows_without_id = 0;
  MonitorSetup setup;
  MonitorOptions options;
};

// Joins `labels` to `log` by id and evaluates the windows. Errors: NotFound naming a column
// the files lack; InvalidArgument for bad options.
Result<MonitorReport> MonitorPerformance(const Table& log, const Table& labels,
                                         const MonitorSetup& setup, const MonitorOptions& options);

nlohmann::json MonitorReportToJson(const MonitorReport& report);

}  // namespace keel::drift
