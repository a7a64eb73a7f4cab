// `keel predict`: score a data file with a model, one output row per input record, in input
// order (DESIGN.md): prob_<class> per class or `prediction`, raw margins on request, the id
// column first when the schema has one; a record the reader rejected gets a line of empty
// cells and a warning, never silence.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/context.h"
#include "keel/status.h"
#include "usecase/scoring.h"

namespace keel::usecase {

struct PredictRequest {
  ScoringInput input;
  std::string out_path;  // predictions CSV; "-" = return the text in PredictResult::csv
  bool raw = false;      // also raw_<class> margins
  double interval = 0;   // conformal level: lower/upper or set columns (0 = none)
};

struct PredictResult {
  PredictRequest request;
  std::string task;
  std::vector<std::string> columns;  // output columns after the id column
  std::string id_column;             // "" when the data has none
  uint64_t rows_read = 0, rows_predicted = 0, rows_rejected = 0, output_rows = 0;
  nlohmann::json unseen_categories = nlohmann::json::object();  // feature -> rows
  nlohmann::json missing_values = nlohmann::json::object();     // feature -> rows
  std::vector<std::string> absent_columns;
  double read_seconds = 0, predict_seconds = 0, total_seconds = 0;
  std::string csv;  // the predictions, when out_path is "-"

  nlohmann::json ToJson() const;
  // One line: "predicted N of M rows -> OUT (K rejected) in S s".
  std::string ToText() const;
};

Result<PredictResult> Predict(const PredictRequest& request, const Context& ctx);

}  // namespace keel::usecase
