// `keel evaluate`: a model's metrics on labeled data, each with a bootstrap confidence
// interval, plus the curves a report draws (binary). The data is read with the model's schema
// (usecase/scoring.h): its feature columns and, because evaluating needs labels, its target.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/context.h"
#include "eval/model_evaluation.h"
#include "keel/status.h"
#include "usecase/scoring.h"

namespace keel::usecase {

struct EvaluateRequest {
  ScoringInput input;
  // Threshold, calibration bins, the bootstrap's resamples, seed and confidence, and the
  // curves' points, with the evaluation stage's defaults; threads come from the Context.
  EvaluationOptions options;
};

struct EvaluateResult {
  EvaluateRequest request;
  std::string target;
  Task task = Task::kBinary;
  std::vector<std::string> classes;  // classification
  ModelEvaluation evaluation;
  uint64_t rows_read = 0, rows_rejected = 0;
  double seconds = 0;

  nlohmann::json ToJson() const;
  // A head line (model, data, task, target, rows) and the metrics table.
  std::string ToText() const;
};

// Loads the model, reads the data (requiring the target: "... which evaluate needs for
// labels"), predicts and evaluates. Rejected records and rows without a label are left out
// with a warning. Errors: those of LoadForScoring and EvaluateModel (naming the data file).
Result<EvaluateResult> Evaluate(const EvaluateRequest& request, const Context& ctx);

}  // namespace keel::usecase
