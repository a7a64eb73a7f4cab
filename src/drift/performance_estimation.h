// Model performance over a window: realized from labels, or estimated from the predicted
// probabilities alone before labels arrive (confidence-based performance estimation, CBPE,
// the method of NannyML).
//
// CBPE assumes calibrated probabilities: a prediction p is right with probability p. The
// expected confusion matrix at threshold t is then TP = sum_{p>=t} p, FP = sum_{p>=t} (1-p),
// FN = sum_{p<t} p, TN = sum_{p<t} (1-p), and the expected ROC curve has, for predictions
// ranked by p, TPR = cumulative sum of p / sum p and FPR = cumulative sum of (1-p) /
// sum (1-p); the estimated ROC AUC is the trapezoidal area under it (ties share one point).
// For multiclass models the expected accuracy is the mean of the largest class probability.
// Estimates are only as good as the calibration: the realized metrics and the expected
// calibration error of windows with labels show how far they can be trusted.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <span>

namespace keel::drift {

struct BinaryPerformance {
  uint64_t rows = 0;
  double roc_auc = std::numeric_limits<double>::quiet_NaN();
  double accuracy = std::numeric_limits<double>::quiet_NaN();
  double precision = std::numeric_limits<double>::quiet_NaN();
  double recall = std::numeric_limits<double>::quiet_NaN();
  double f1 = std::numeric_limits<double>::quiet_NaN();
  double positive_rate = std::numeric_limits<double>::quiet_NaN();  // actual or expected
};

// CBPE estimates from positive-class probabilities (NaN entries skipped).
BinaryPerformance EstimateBinaryPerformance(std::span<const double> probabilities,
                                            double threshold);

// CBPE estimates from probabilities in tie groups (probability_bins.h): group i holds
// rows[i] rows whose probabilities sum to sums[i], predicted positive when positive[i];
// groups in descending order of probability (all three spans of one length).
BinaryPerformance EstimateBinaryPerformanceGrouped(std::span<const double> rows,
                                                   std::span<const double> sums,
                                                   std::span<const uint8_t> positive);

// Realized metrics from probabilities and 0/1 labels (same length; rows with a NaN
// probability or a label other than 0/1 are skipped). ROC AUC is the Mann-Whitney statistic
// with ties counting one half (scikit-learn's roc_auc_score); NaN without both classes.
// Precision, recall and F1 are 0 when their denominator is 0.
BinaryPerformance RealizedBinaryPerformance(std::span<const double> probabilities,
                                            std::span<const int8_t> labels, double threshold);

// Expected calibration error: sum over `bins` equal-width probability bins of
// (rows in bin / rows) * |mean probability - positive rate|. NaN when there are no rows.
double ExpectedCalibrationError(std::span<const double> probabilities,
                                std::span<const int8_t> labels, int bins = 10);

// Multiclass: expected accuracy (mean of the row maxima of `probabilities`, rows x classes)
// and realized accuracy (argmax == label, labels are class indices; -1 skipped).
double EstimateMulticlassAccuracy(std::span<const double> probabilities, size_t classes);
double RealizedMulticlassAccuracy(std::span<const double> probabilities, size_t classes,
                                  std::span<const int32_t> labels);

}  // namespace keel::drift
