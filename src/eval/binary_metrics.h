// Binary classification metrics on plain spans.
//
// Inputs shared by every function here (rows in any order):
//   labels   0 (negative) or 1 (positive), one per row
//   scores   the score of the positive class, one per row. The rank metrics (ROC AUC, average
//            precision) accept any finite scores; the probability metrics (logloss, Brier,
//            calibration) need probabilities in [0, 1].
//   weights  one finite, non-negative weight per row, or empty for all 1. With integer
//            weights every metric equals the unweighted metric on the data where row i is
//            repeated weights[i] times; the bootstrap relies on this.
// Errors (InvalidArgument, naming the row and the value): sizes differ, a label other than
// 0/1, a non-finite score (or one outside [0, 1] where probabilities are needed), a negative
// or non-finite weight. A metric that is undefined on valid data (AUC without both classes,
// all weights zero) is NaN, not an error, since a bootstrap resample can hit it legitimately.
// All functions are pure and thread-safe.
#pragma once

#include <cfloat>
#include <cstdint>
#include <span>
#include <vector>

#include "keel/status.h"

namespace keel {

// Checks the inputs described above; `probabilities` also requires scores in [0, 1].
Status CheckBinaryInputs(std::span<const int32_t> labels, std::span<const double> scores,
                         std::span<const double> weights, bool probabilities);

// ROC AUC as the Mann-Whitney statistic: the weighted share of (positive, negative) pairs in
// which the positive scores higher, with tied pairs counting one half. Equals the trapezoidal
// area under the ROC curve (scikit-learn's roc_auc_score). NaN without both classes.
Result<double> RocAuc(std::span<const int32_t> labels, std::span<const double> scores,
                      std::span<const double> weights = {});

// PR AUC as average precision, scikit-learn's definition (average_precision_score): the sum
// over distinct score thresholds t, from high to low, of (R(t) - R(previous t)) * P(t), where
// P and R are the precision and recall of "score >= t". No interpolation and no trapezoid, so
// it is not optimistic. NaN without positives.
Result<double> AveragePrecision(std::span<const int32_t> labels, std::span<const double> scores,
                                std::span<const double> weights = {});

// Probabilities are clipped to [kLogLossEpsilon, 1 - kLogLossEpsilon] before the log, as
// scikit-learn 1.2 does for float64 (eps = machine epsilon), so a confident mistake costs
// about 36 nats instead of infinity.
inline constexpr double kLogLossEpsilon = DBL_EPSILON;

// Mean of -log P(label) with natural logs, P clipped as above (scikit-learn's log_loss).
Result<double> BinaryLogLoss(std::span<const int32_t> labels, std::span<const double> scores,
                             std::span<const double> weights = {});

// Mean of (score - label)^2 (scikit-learn's brier_score_loss).
Result<double> BrierScore(std::span<const int32_t> labels, std::span<const double> scores,
                          std::span<const double> weights = {});

// Confusion counts (weighted) and the metrics derived from them, for the rule
// "predict positive when score >= threshold". Precision, recall and F1 are 0 when their
// denominator is 0 (scikit-learn's zero_division=0); accuracy is NaN when all weights are 0.
struct ThresholdMetrics {
  double threshold = 0.5;
  double tp = 0, fp = 0, tn = 0, fn = 0;
  double accuracy = 0, precision = 0, recall = 0, f1 = 0;
};
Result<ThresholdMetrics> MetricsAtThreshold(std::span<const int32_t> labels,
                                            std::span<const double> scores, double threshold,
                                            std::span<const double> weights = {});
// The metrics of given confusion counts (rules as above).
ThresholdMetrics ThresholdMetricsFromCounts(double threshold, double tp, double fp, double tn,
                                            double fn);

// Number of equal-width probability bins of the calibration error and reliability curve.
inline constexpr int kDefaultCalibrationBins = 10;
inline constexpr int kMaxCalibrationBins = 1000;

// The bin of probability p among `bins` equal-width bins over [0, 1], as scikit-learn's
// calibration_curve(strategy="uniform") assigns it: bin 0 is [0, 1/bins], bin b > 0 is
// (b/bins, (b+1)/bins] (right-closed, edges computed as b * (1.0 / bins)).
int CalibrationBin(double p, int bins);

// Expected calibration error: sum over bins b of (W_b / W) * |mean label_b - mean score_b|,
// with the bins of CalibrationBin (equal width; 10 by default) and empty bins skipped.
// Errors: also bins outside [1, kMaxCalibrationBins].
Result<double> ExpectedCalibrationError(std::span<const int32_t> labels,
                                        std::span<const double> scores,
                                        std::span<const double> weights = {},
                                        int bins = kDefaultCalibrationBins);

// ---- Kernels for callers that check their inputs once and evaluate many times (bootstrap).
// Inputs must have passed CheckBinaryInputs; `order` lists the rows by descending score (ties
// in any order; DescendingScoreOrder makes one), or is empty when the rows already are.

// Row indices sorted by descending score.
std::vector<uint32_t> DescendingScoreOrder(std::span<const double> scores);

double RocAucOrdered(std::span<const int32_t> labels, std::span<const double> scores,
                     std::span<const double> weights, std::span<const uint32_t> order);
double AveragePrecisionOrdered(std::span<const int32_t> labels, std::span<const double> scores,
                               std::span<const double> weights, std::span<const uint32_t> order);

// -log P(label) of one row with P clipped as documented above.
double ClippedBinaryLogLoss(int32_t label, double p);

}  // namespace keel
