// The "complexity must pay" gate: a candidate model replaces the baseline only when it is
// better by a margin that matters, the improvement is statistically significant on the same
// test rows, and it is fast enough.
//
// Both models predict the same rows of one test table. The difference on the chosen metric
// is tested with DeLong's test for AUC (delong.h; unweighted data) and with a paired
// bootstrap otherwise (the same resampled rows score both models, bootstrap.h). Cost is
// measured on the spot (model_cost.h). Models trained on different tasks, targets or label
// mappings (LabelMapping::Version) are never compared: that is an error, not a verdict.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/context.h"
#include "eval/evaluation.h"
#include "eval/metrics.h"
#include "eval/model_cost.h"
#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"
#include "predict/predictor.h"

namespace keel {

struct CompareOptions {
  // The metric of the gate; unset = DefaultMetric(task) (auc, logloss, rmse).
  std::optional<Metric> metric;
  // The smallest improvement worth the change, in the metric's units (>= 0): AUC points,
  // nats of log loss, target units of RMSE. Improvement = candidate - baseline for metrics
  // where higher is better, baseline - candidate otherwise.
  double min_gain = 0;
  // Significance level of the paired test, in (0, 1); the gain's interval has coverage
  // 1 - alpha, so "significant" and "the interval excludes 0" agree.
  double alpha = 0.05;
  // The candidate's p99 single-row latency must not exceed this, in microseconds (> 0).
  double latency_budget_us = 1000;
  // Metrics with confidence intervals for both models (threshold, calibration bins, and the
  // bootstrap's resamples, seed and confidence, which the paired bootstrap reuses).
  EvaluationOptions evaluation;
  CostOptions cost;
};

// Checks min_gain, alpha, the budget and the evaluation options. Errors: InvalidArgument.
Status CheckCompareOptions(const CompareOptions& options);

// One side of the comparison (all borrowed).
struct CompareInput {
  const Model* model = nullptr;
  const Predictor* predictor = nullptr;  // compiled from `model`
  uint64_t file_bytes = 0;               // size of the artifact; 0 when unknown
  std::string name;                      // how to call it (usually the file path)
};

// The paired test of the candidate's improvement over the baseline.
struct GainTest {
  Metric metric = Metric::kAuc;
  std::string method;   // "delong" or "paired_bootstrap"
  double baseline = 0;  // the metric of each model on all rows
  double candidate = 0;
  double gain = 0;   // improvement, signed (see CompareOptions::min_gain)
  double lower = 0;  // interval of the gain at `confidence`
  double upper = 0;
  double confidence = 0.95;
  double p_value = 1;    // two-sided, of "no difference"
  size_t resamples = 0;  // paired bootstrap: resamples with a finite difference
};

struct Verdict {
  bool ship_candidate = false;
  bool gain_reaches_min = false;  // gain >= min_gain
  bool significant = false;       // gain > 0 and p < alpha
  bool within_budget = false;     // candidate p99 <= latency budget
  // One sentence that says why, with the numbers, ending in "ship the candidate" or
  // "keep the baseline".
  std::string reason;
};

struct Comparison {
  Task task = Task::kBinary;
  size_t rows = 0;                  // labeled rows both models were scored on
  uint64_t rows_missing_label = 0;  // rows left out because their target is missing
  std::string weight_column;        // when rows were weighted
  std::string baseline_name;
  std::string candidate_name;
  Evaluation baseline;
  Evaluation candidate;
  ModelCost baseline_cost;
  ModelCost candidate_cost;
  GainTest test;
  Verdict verdict;
  CompareOptions options;
};

// Errors (InvalidArgument) naming both sides when the tasks, targets or label mapping
// versions differ.
Status CheckComparable(const Model& baseline, const Model& candidate);

// The paired test on two scorings of the same labeled rows (same task, labels/targets and
// weights; checked). DeLong for unweighted AUC, else the paired bootstrap with
// options.evaluation.bootstrap at confidence 1 - alpha. Errors: InvalidArgument when the
// rows differ, the metric does not apply, or the bootstrap is off (resamples 0) where it is
// needed; the errors of DeLongTest; Cancelled (the bootstrap runs on ctx's threads).
Result<GainTest> TestGain(const ScoredRows& baseline, const ScoredRows& candidate, Metric metric,
                          const CompareOptions& options, const Context& ctx);

// The gate's decision on a test and the candidate's measured cost. Pure.
Verdict DecideVerdict(const GainTest& test, const ModelCost& candidate_cost,
                      const CompareOptions& options);

// Predicts `test` with both models, evaluates both, tests the gain, measures both costs and
// decides. `test` is read with the baseline's schema; each model encodes its own features
// from it by column name. Encoding, prediction, the bootstraps and the throughput
// measurement run on ctx.threads() threads. Errors: those of CheckCompareOptions,
// CheckComparable, ReadLabels, EncodeFeatures, Evaluate, TestGain and MeasureCosts.
Result<Comparison> CompareModels(const CompareInput& baseline, const CompareInput& candidate,
                                 const Table& test, const CompareOptions& options,
                                 const Context& ctx);

// {"task", "rows", "rows_missing_label", "weight_column", "metric", "min_gain", "alpha",
//  "latency_budget_us",
//  "test": {"metric", "method", "baseline", "candidate", "gain", "lower", "upper",
//           "confidence", "p_value", "resamples", "higher_is_better"},
//  "verdict": {"ship": "candidate"|"baseline", "ship_candidate", "gain_reaches_min",
//              "significant", "within_budget", "reason"},
//  "baseline": {"name", "cost": {...}, "evaluation": EvaluationToJson},
//  "candidate": {...}}
// with cost {"file_bytes", "latency_rows", "p50_us", "p99_us", "mean_us",
// "rows_per_second", "batch_threads"}.
nlohmann::json ComparisonToJson(const Comparison& comparison);
nlohmann::json ModelCostToJson(const ModelCost& cost);

}  // namespace keel
