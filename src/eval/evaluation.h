// Evaluation of one model's predictions: every metric of its task with a bootstrap
// confidence interval, plus the curves a report draws (binary).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "core/context.h"
#include "core/json_number.h"
#include "eval/binary_metrics.h"
#include "eval/bootstrap.h"
#include "eval/curves.h"
#include "eval/metric_computer.h"
#include "eval/metrics.h"

namespace keel {

struct EvaluationOptions {
  MetricOptions metric;        // threshold and calibration bins
  BootstrapOptions bootstrap;  // resamples, seed, confidence
  // ROC and PR curves are thinned to at most this many points (>= 2) for charts.
  size_t max_curve_points = 201;
  // The metrics to report, in order; empty = MetricsFor(task). EvaluationOptionsFor sets a
  // model's (with its objective's loss) and the loss parameters in `metric`.
  std::vector<Metric> metrics;
};

// `options` with a model's metrics (MetricsForModel) and its objective's loss parameters
// (quantile_alpha, tweedie_variance_power).
EvaluationOptions EvaluationOptionsFor(const Model& model, EvaluationOptions options);

struct MetricEstimate {
  Metric metric = Metric::kAuc;
  double value = 0;   // on all rows (NaN when undefined)
  Interval interval;  // bootstrap percentile interval at bootstrap.confidence
};

struct Evaluation {
  Task task = Task::kBinary;
  size_t rows = 0;
  double total_weight = 0;
  int32_t num_classes = 0;              // classification; 0 for regression
  std::vector<double> class_weight;     // classification: weight of the rows of each true class
  std::vector<MetricEstimate> metrics;  // options.metrics (or MetricsFor(task)), in that order
  EvaluationOptions options;            // as used

  // Binary only (empty otherwise).
  ThresholdMetrics at_threshold;
  // The DeLong standard error of the AUC; unset with weights or fewer than 2 rows per class.
  std::optional<double> auc_standard_error;
  RocCurve roc;                  // thinned to options.max_curve_points
  PrCurve pr;                    // thinned likewise
  ReliabilityCurve reliability;  // options.metric.calibration_bins bins

  // The estimate of `metric`, or nullptr when the task does not have it.
  const MetricEstimate* Find(Metric metric) const;
};

// Evaluates `rows` (see ScoredRows; predictions of classifiers are probabilities). The
// bootstrap runs on ctx's threads and stops when ctx is cancelled. Deterministic for a given
// bootstrap seed, whatever the thread count.
// Errors: InvalidArgument from the input and option checks (naming the row, value or
// option); FailedPrecondition when there are no rows; Cancelled.
Result<Evaluation> Evaluate(const ScoredRows& rows, const EvaluationOptions& options,
                            const Context& ctx);

// The evaluation as JSON:
//   {"task", "rows", "total_weight", "confidence", "resamples", "seed",
//    "metrics": {"<name>": {"value", "lower", "upper", "resamples_used"}, ...},
//    "classes": [weights]                                        (classification)
//    "threshold", "confusion": {"tp","fp","tn","fn"}, "auc_standard_error",
//    "curves": {"roc": {"fpr","tpr","thresholds"}, "pr": {"recall","precision","thresholds"},
//               "reliability": {"lower","upper","weight","mean_predicted","observed"}},
//    "ece"                                                        (binary)}
// Non-finite numbers (undefined metrics, the +infinity first threshold) are null.
nlohmann::json EvaluationToJson(const Evaluation& evaluation);

}  // namespace keel
