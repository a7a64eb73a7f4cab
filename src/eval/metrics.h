// Metric identifiers: names, direction and which task each applies to.
//
// The metric functions themselves live per task (binary_metrics.h, multiclass_metrics.h,
// regression_metrics.h) and take plain spans so fairness, drift and monitoring code can call
// them directly; MetricComputer (metric_computer.h) evaluates a task's whole metric list under
// arbitrary row weights, which is what the bootstrap and the comparison gate use.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/model.h"

namespace keel {

enum class Metric : uint8_t {
  // Binary: the score is the probability of the positive class (class 1).
  kAuc,        // ROC AUC (Mann-Whitney; ties count one half)
  kPrAuc,      // average precision, scikit-learn's definition (no interpolation)
  kLogLoss,    // binary or multiclass cross-entropy, natural log, clipped (see the task headers)
  kBrier,      // mean squared difference between P(positive) and the 0/1 label
  kAccuracy,   // share of rows whose predicted class is the label (binary: at the threshold)
  kPrecision,  // binary, at the threshold
  kRecall,     // binary, at the threshold
  kF1,         // binary, at the threshold
  kEce,        // expected calibration error over equal-width probability bins
  kMacroF1,    // multiclass: unweighted mean of the per-class F1
  kRmse,       // regression
  kMae,        // regression
  kR2,         // regression: coefficient of determination
  // Regression, the loss of the model's own objective (MetricsForModel), as scikit-learn's
  // mean_pinball_loss, mean_poisson_deviance, mean_gamma_deviance, mean_tweedie_deviance
  // (model/objective_loss.h), at the alpha and variance power of MetricOptions.
  kPinballLoss,      // reg:quantileerror
  kCoverage,         // reg:quantileerror: share of rows with target <= prediction (near alpha)
  kPoissonDeviance,  // count:poisson
  kGammaDeviance,    // reg:gamma
  kTweedieDeviance,  // reg:tweedie
};

// Stable lower-case names used on the command line and in JSON: "auc", "pr_auc", "logloss",
// "brier", "accuracy", "precision", "recall", "f1", "ece", "macro_f1", "rmse", "mae", "r2",
// "pinball_loss", "coverage", "poisson_deviance", "gamma_deviance", "tweedie_deviance".
std::string_view MetricName(Metric metric);
// Parses a name above (also "roc_auc", "average_precision", "log_loss"); false if unknown. The
// objective losses are reported, not parsed: the gate and the project file cannot pick them
// (they need the model's alpha or variance power).
bool ParseMetric(std::string_view text, Metric* metric);

// A name for people, as a sentence or a chart uses it: "AUC", "PR AUC", "log loss",
// "Brier score", "accuracy", "precision", "recall", "F1", "ECE", "macro F1", "RMSE", "MAE",
// "R2", "pinball loss", "coverage", "Poisson deviance", "gamma deviance", "Tweedie deviance".
std::string_view MetricLabel(Metric metric);

// True when a larger value is better (AUC, accuracy, R2, ...); false for losses and errors.
// Coverage counts as higher-is-better only in the sense that it is not a loss: what is good
// is being near alpha.
bool HigherIsBetter(Metric metric);

// The metrics reported for a task, in report order:
//   binary      auc, pr_auc, logloss, brier, accuracy, precision, recall, f1, ece
//   multiclass  logloss, accuracy, macro_f1
//   regression  rmse, mae, r2
const std::vector<Metric>& MetricsFor(Task task);
bool MetricAppliesTo(Metric metric, Task task);

// MetricsFor(model.task) followed by the loss of the model's own objective: pinball_loss and
// coverage (reg:quantileerror), poisson_deviance, gamma_deviance or tweedie_deviance.
std::vector<Metric> MetricsForModel(const Model& model);
// Whether `metric` is one of those objective losses (they apply to regression only).
bool IsObjectiveLoss(Metric metric);

// The metric the comparison gate uses unless told otherwise: auc, logloss, rmse.
Metric DefaultMetric(Task task);

}  // namespace keel
