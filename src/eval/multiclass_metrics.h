// Multiclass classification metrics on plain spans.
//
// Inputs shared by the functions here (rows in any order):
//   labels         the true class index of each row, in [0, num_classes)
//   probabilities  n x num_classes, row-major: row i holds P(class k) for k = 0..K-1;
//                  finite and in [0, 1] (rows need not sum to exactly 1)
//   predicted      the predicted class index of each row, in [0, num_classes)
//   weights        one finite, non-negative weight per row, or empty for all 1; integer
//                  weights act as repeated rows
// Errors (InvalidArgument naming the row and value): sizes that do not match, a class index
// out of range, a probability outside [0, 1] or not finite, a bad weight, num_classes < 2.
// Metrics undefined on valid data (all weights zero) are NaN. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "keel/status.h"

namespace keel {

Status CheckMulticlassInputs(std::span<const int32_t> labels,
                             std::span<const double> probabilities, int32_t num_classes,
                             std::span<const double> weights);

// The predicted class of each row: the index of the largest probability, the lowest index
// on ties (numpy's argmax). Inputs must have passed CheckMulticlassInputs.
std::vector<int32_t> PredictedClasses(std::span<const double> probabilities, int32_t num_classes);

// Mean of -log P(true class), natural logs, as scikit-learn's log_loss with
// labels = 0..K-1: each probability is clipped to [kLogLossEpsilon, 1 - kLogLossEpsilon]
// (binary_metrics.h) and the row is renormalised to sum to 1 before the log.
Result<double> MulticlassLogLoss(std::span<const int32_t> labels,
                                 std::span<const double> probabilities, int32_t num_classes,
                                 std::span<const double> weights = {});

// Weighted share of rows with predicted == label.
Result<double> Accuracy(std::span<const int32_t> labels, std::span<const int32_t> predicted,
                        int32_t num_classes, std::span<const double> weights = {});

// Unweighted mean over classes of F1 = 2 tp / (2 tp + fp + fn), as scikit-learn's
// f1_score(average="macro"): the mean runs over the classes that occur (with positive
// weight) among the labels or the predictions; a class never seen in either is left out,
// and an occurring class with tp = 0 counts as F1 = 0.
Result<double> MacroF1(std::span<const int32_t> labels, std::span<const int32_t> predicted,
                       int32_t num_classes, std::span<const double> weights = {});

// -log P(label) of one row of `num_classes` probabilities, clipped and renormalised as in
// MulticlassLogLoss.
double ClippedRowLogLoss(const double* probabilities, int32_t num_classes, int32_t label);

// Macro F1 from per-class weighted counts (each of size num_classes): true positives,
// predicted weight (tp + fp) and true weight (tp + fn).
double MacroF1FromCounts(std::span<const double> tp, std::span<const double> predicted,
                         std::span<const double> actual);

}  // namespace keel
