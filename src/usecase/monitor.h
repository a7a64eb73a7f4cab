// `keel monitor`: a prediction log joined by id with labels that arrived later, performance per
// window against the training performance, and a CBPE estimate, marked as such, where labels
// are missing (drift/delayed_labels.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/context.h"
#include "drift/delayed_labels.h"
#include "keel/status.h"

namespace keel::usecase {

struct MonitorRequest {
  std::string log_path;     // JSON Lines: the id, optionally the time, prob_<class> or prediction
  std::string labels_path;  // the id and the label
  // The model that made the predictions: classes, id/time/target columns, training metrics
  // ("" = read the setup off the files).
  std::string model_path;
  std::string id_column;     // "" = the model's id-role column, else "id"
  std::string label_column;  // "" = the model's target, else the labels file's other column
  std::string time_column;   // "" = the model's time-role column
  std::string positive;      // without a model: the positive class ("" = the last prob_ column)
  char decimal = 0;          // CSV decimal mark of the labels file; 0 = sniff
  // Windows (rows or event time), the decision threshold, the tolerance and the labels a
  // window needs before its realized metric is judged.
  drift::MonitorOptions options;
};

struct MonitorResult {
  MonitorRequest request;
  drift::MonitorReport report;

  uint64_t degraded_windows() const;
  nlohmann::json ToJson() const;  // drift::MonitorReportToJson with "ok" and the paths
  std::string ToText() const;     // the training reference and a table of windows
};

// Errors: the model's and the files' (ReadTable), NotFound for a column the files lack (or,
// without a model, a log with neither prob_<class> nor prediction columns), MonitorPerformance's.
Result<MonitorResult> Monitor(const MonitorRequest& request, const Context& ctx);

}  // namespace keel::usecase
