// Metrics computed during training: per-split scores and the early-stopping loss.
//
// Inputs are raw margins laid out [row * K + k] (K = outputs) and labels (binary 0/1,
// multiclass class index, regression value). Metrics are unweighted: they describe the rows
// as they are, whatever weights training used. The evaluation stage (src/eval) adds
// confidence intervals and comparisons on top; these are the point values.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "model/model.h"

namespace keel {

// Area under the ROC curve of `scores` for 0/1 `labels`, ties counted half (Mann-Whitney).
// NaN when one class is absent.
double Auc(std::span<const double> scores, std::span<const double> labels);

// Named metrics of a split, in a fixed order:
//   binary      auc, logloss, accuracy (threshold 0.5)
//   multiclass  auc (macro one-vs-rest), logloss, accuracy (argmax)
//   regression  rmse, mae, r2 of the predictions (the margins through the objective's link)
// Empty when there are no rows.
std::vector<std::pair<std::string, double>> SplitMetrics(Objective objective, int num_outputs,
                                                         std::span<const double> margins,
                                                         std::span<const double> labels);

// The loss early stopping watches (lower is better) and its name: logloss (binary,
// multiclass), rmse (squared error; and, on the predictions, the imported objectives Keel
// does not train: reg:logistic, count:poisson, reg:gamma, reg:tweedie), mae (absolute error,
// huber).
double StoppingLoss(Objective objective, int num_outputs, std::span<const double> margins,
                    std::span<const double> labels);
const char* StoppingLossName(Objective objective);

}  // namespace keel
