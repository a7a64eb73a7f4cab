// `keel compare`: the "complexity must pay" gate between a baseline and a candidate model on
// the same labeled rows (eval/compare.h), and the verdict with its reasons. `keel run` gates
// its two models with the same CompareOnRows.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/context.h"
#include "eval/compare.h"
#include "keel/status.h"
#include "usecase/scoring.h"

namespace keel::usecase {

struct CompareRequest {
  // The baseline is input.model_path; the data is read once, with its schema, and must hold
  // the target (comparing needs labels).
  ScoringInput input;
  std::string candidate_path;
  // The gate (metric, min_gain, alpha, latency budget), the evaluation (threshold, bootstrap
  // resamples and seed) and the cost measurement, with the evaluation stage's defaults;
  // threads come from the Context.
  CompareOptions options;
};

struct CompareResult {
  CompareRequest request;
  Comparison comparison;
  uint64_t rows_read = 0, rows_rejected = 0;
  double seconds = 0;

  nlohmann::json ToJson() const;
  // A head line (rows compared) and the comparison: metrics, the test, the costs, the verdict.
  std::string ToText() const;
};

// Loads both models and reads the data, then CompareOnRows. Errors: CheckCompareOptions',
// a model's, the reader's, an absent target ("... which compare needs for labels"),
// CheckComparable's (different tasks or label mappings), CompareModels' (naming the data).
Result<CompareResult> Compare(const CompareRequest& request, const Context& ctx);

// CompareModels on `rows` with the Context's threads for prediction, the bootstrap and the
// batch throughput, warning about rows left out for want of a label.
Result<Comparison> CompareOnRows(const CompareInput& baseline, const CompareInput& candidate,
                                 const Table& rows, const CompareOptions& options,
                                 const Context& ctx);

}  // namespace keel::usecase
