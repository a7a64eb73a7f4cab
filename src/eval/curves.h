// ROC, precision-recall and reliability curves as data, for reports and dashboards.
//
// Inputs follow binary_metrics.h (labels 0/1, scores of the positive class, optional
// weights; rows of weight 0 are left out, so no point comes from them alone); errors are the
// same InvalidArgument. Each curve is a struct of parallel vectors
// so a chart can take its x and y directly. Pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "eval/binary_metrics.h"
#include "keel/status.h"

namespace keel {

// One point per distinct score t, from the highest down, of the rule "positive when
// score >= t", preceded by the point (0, 0) whose threshold is +infinity. The same points as
// scikit-learn's roc_curve(drop_intermediate=False) (which writes max score + 1 for +inf).
// Without both classes the rates are NaN.
struct RocCurve {
  std::vector<double> fpr;         // false positive rate, non-decreasing, ends at 1
  std::vector<double> tpr;         // true positive rate, non-decreasing, ends at 1
  std::vector<double> thresholds;  // decreasing
};
Result<RocCurve> ComputeRocCurve(std::span<const int32_t> labels, std::span<const double> scores,
                                 std::span<const double> weights = {});

// The points of scikit-learn's precision_recall_curve in the opposite order: first
// (recall 0, precision 1, threshold +infinity), then one point per distinct score from the
// highest down. Without positives the recall is NaN.
struct PrCurve {
  std::vector<double> recall;     // non-decreasing
  std::vector<double> precision;
  std::vector<double> thresholds;  // decreasing
};
Result<PrCurve> ComputePrCurve(std::span<const int32_t> labels, std::span<const double> scores,
                               std::span<const double> weights = {});

// Reliability (calibration) curve over equal-width bins (CalibrationBin's assignment, as
// scikit-learn's calibration_curve(strategy="uniform")). Every bin is listed, empty ones
// with weight 0 and NaN means, so a chart can tell "no data" from "well calibrated".
struct ReliabilityCurve {
  std::vector<double> lower;           // bin edges in probability
  std::vector<double> upper;
  std::vector<double> weight;          // rows (weight) in the bin
  std::vector<double> mean_predicted;  // mean score in the bin
  std::vector<double> observed;        // share of positives in the bin
  // Expected calibration error of the same bins (see ExpectedCalibrationError).
  double ece = 0;
};
// Errors: also bins outside [1, kMaxCalibrationBins] and scores outside [0, 1].
Result<ReliabilityCurve> ComputeReliabilityCurve(std::span<const int32_t> labels,
                                                 std::span<const double> scores,
                                                 std::span<const double> weights = {},
                                                 int bins = kDefaultCalibrationBins);

// Indices of at most `max_points` points out of `n` to draw a curve with: the first and the
// last always, the rest evenly spaced in between, increasing. All of them when n is small.
std::vector<size_t> ThinnedIndices(size_t n, size_t max_points);
// Curves thinned to at most `max_points` points (>= 2) with ThinnedIndices.
RocCurve Thin(const RocCurve& curve, size_t max_points);
PrCurve Thin(const PrCurve& curve, size_t max_points);

}  // namespace keel
