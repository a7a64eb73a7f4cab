#include "eval/binary_metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

#include "core/number_format.h"

namespace keel {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline double WeightAt(std::span<const double> weights, size_t i) {
  return weights.empty() ? 1.0 : weights[i];
}

inline size_t RowAt(std::span<const uint32_t> order, size_t k) {
  return order.empty() ? k : order[k];
}

}  // namespace

Status CheckBinaryInputs(std::span<const int32_t> labels, std::span<const double> scores,
                         std::span<const double> weights, bool probabilities) {
  if (labels.size() != scores.size()) {
    return Status::InvalidArgument("{} labels but {} scores: one score per row is needed",
                                   labels.size(), scores.size());
  }
  if (!weights.empty() && weights.size() != labels.size()) {
    return Status::InvalidArgument("{} weights for {} rows: one weight per row is needed",
                                   weights.size(), labels.size());
  }
  if (labels.size() > UINT32_MAX) {
    return Status::ResourceExhausted("{} rows: at most {} rows can be evaluated at once",
                                     labels.size(), UINT32_MAX);
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] != 0 && labels[i] != 1) {
      return Status::InvalidArgument("row {}: binary label {} is not 0 or 1", i, labels[i]);
    }
    const double s = scores[i];
    if (!std::isfinite(s)) {
      return Status::InvalidArgument("row {}: score {} is not a finite number", i,
                                     FormatDouble(s));
    }
    if (probabilities && (s < 0.0 || s > 1.0)) {
      return Status::InvalidArgument("row {}: probability {} is outside [0, 1]", i,
                                     FormatDouble(s));
    }
  }
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!std::isfinite(weights[i]) || weights[i] < 0) {
      return Status::InvalidArgument("row {}: weight {} is not a finite non-negative number", i,
                                     FormatDouble(weights[i]));
    }
  }
  return Status::OK();
}

std::vector<uint32_t> DescendingScoreOrder(std::span<const double> scores) {
  std::vector<uint32_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return scores[a] > scores[b]; });
  return order;
}

double RocAucOrdered(std::span<const int32_t> labels, std::span<const double> scores,
                     std::span<const double> weights, std::span<const uint32_t> order) {
  // One pass from the highest score down: each negative is outranked by the positives seen
  // in earlier (higher) groups and ties with the positives of its own group.
  const size_t n = labels.size();
  double pos_total = 0, neg_total = 0, wins = 0;
  size_t k = 0;
  while (k < n) {
    const double group_score = scores[RowAt(order, k)];
    double group_pos = 0, group_neg = 0;
    for (; k < n && scores[RowAt(order, k)] == group_score; ++k) {
      const size_t i = RowAt(order, k);
      const double w = WeightAt(weights, i);
      if (labels[i] == 1) {
        group_pos += w;
      } else {
        group_neg += w;
      }
    }
    wins += group_neg * (pos_total + 0.5 * group_pos);
    pos_total += group_pos;
    neg_total += group_neg;
  }
  if (pos_total <= 0 || neg_total <= 0) return kNaN;
  return wins / (pos_total * neg_total);
}

double AveragePrecisionOrdered(std::span<const int32_t> labels, std::span<const double> scores,
                               std::span<const double> weights, std::span<const uint32_t> order) {
  // Each threshold's recall step is (positive weight of its group) / (all positive weight),
  // so AP = sum over groups of group_pos * precision / pos_total: one pass, no recall array.
  const size_t n = labels.size();
  double tp = 0, fp = 0, weighted_precision = 0;
  size_t k = 0;
  while (k < n) {
    const double group_score = scores[RowAt(order, k)];
    double group_pos = 0;
    for (; k < n && scores[RowAt(order, k)] == group_score; ++k) {
      const size_t i = RowAt(order, k);
      const double w = WeightAt(weights, i);
      if (labels[i] == 1) {
        group_pos += w;
      } else {
        fp += w;
      }
    }
    tp += group_pos;
    if (group_pos > 0) weighted_precision += group_pos * (tp / (tp + fp));
  }
  if (tp <= 0) return kNaN;
  return weighted_precision / tp;
}

double ClippedBinaryLogLoss(int32_t label, double p) {
  const double q = std::clamp(p, kLogLossEpsilon, 1.0 - kLogLossEpsilon);
  return label == 1 ? -std::log(q) : -std::log1p(-q);
}

ThresholdMetrics ThresholdMetricsFromCounts(double threshold, double tp, double fp, double tn,
                                            double fn) {
  ThresholdMetrics m;
  m.threshold = threshold;
  m.tp = tp;
  m.fp = fp;
  m.tn = tn;
  m.fn = fn;
  const double total = tp + fp + tn + fn;
  m.accuracy = total > 0 ? (tp + tn) / total : kNaN;
  m.precision = tp + fp > 0 ? tp / (tp + fp) : 0.0;
  m.recall = tp + fn > 0 ? tp / (tp + fn) : 0.0;
  // 2PR / (P + R) written with counts, which is exact and 0 when tp is 0.
  m.f1 = 2 * tp + fp + fn > 0 ? 2 * tp / (2 * tp + fp + fn) : 0.0;
  return m;
}

int CalibrationBin(double p, int bins) {
  const double width = 1.0 / bins;
  int b = static_cast<int>(std::ceil(p * bins)) - 1;
  b = std::clamp(b, 0, bins - 1);
  // The guess can be off by one where p * bins rounds; settle it against the exact edges.
  while (b > 0 && b * width >= p) --b;
  while (b < bins - 1 && (b + 1) * width < p) ++b;
  return b;
}

Result<double> RocAuc(std::span<const int32_t> labels, std::span<const double> scores,
                      std::span<const double> weights) {
  KEEL_RETURN_IF_ERROR(CheckBinaryInputs(labels, scores, weights, false));
  const auto order = DescendingScoreOrder(scores);
  return RocAucOrdered(labels, scores, weights, order);
}

Result<double> AveragePrecision(std::span<const int32_t> labels, std::span<const double> scores,
                                std::span<const double> weights) {
  KEEL_RETURN_IF_ERROR(CheckBinaryInputs(labels, scores, weights, false));
  const auto order = DescendingScoreOrder(scores);
  return AveragePrecisionOrdered(labels, scores, weights, order);
}

Result<double> BinaryLogLoss(std::span<const int32_t> labels, std::span<const double> scores,
                             std::span<const double> weights) {
  KEEL_RETURN_IF_ERROR(CheckBinaryInputs(labels, scores, weights, true));
  double total = 0, sum = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double w = WeightAt(weights, i);
    total += w;
    sum += w * ClippedBinaryLogLoss(labels[i], scores[i]);
  }
  return total > 0 ? sum / total : kNaN;
}

Result<double> BrierScore(std::span<const int32_t> labels, std::span<const double> scores,
                          std::span<const double> weights) {
  KEEL_RETURN_IF_ERROR(CheckBinaryInputs(labels, scores, weights, true));
  double total = 0, sum = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double w = WeightAt(weights, i);
    const double d = scores[i] - labels[i];
    total += w;
    sum += w * d * d;
  }
  return total > 0 ? sum / total : kNaN;
}

Result<ThresholdMetrics> MetricsAtThreshold(std::span<const int32_t> labels,
                                            std::span<const double> scores, double threshold,
                                            std::span<const double> weights) {
  KEEL_RETURN_IF_ERROR(CheckBinaryInputs(labels, scores, weights, false));
  if (!std::isfinite(threshold)) {
    return Status::InvalidArgument("threshold {} is not a finite number", FormatDouble(threshold));
  }
  double tp = 0, fp = 0, tn = 0, fn = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double w = WeightAt(weights, i);
    const bool positive = scores[i] >= threshold;
    if (labels[i] == 1) {
      (positive ? tp : fn) += w;
    } else {
      (positive ? fp : tn) += w;
    }
  }
  return ThresholdMetricsFromCounts(threshold, tp, fp, tn, fn);
}

Result<double> ExpectedCalibrationError(std::span<const int32_t> labels,
                                        std::span<const double> scores,
                                        std::span<const double> weights, int bins) {
  KEEL_RETURN_IF_ERROR(CheckBinaryInputs(labels, scores, weights, true));
  if (bins < 1 || bins > kMaxCalibrationBins) {
    return Status::InvalidArgument("calibration bins {} is outside [1, {}]", bins,
                                   kMaxCalibrationBins);
  }
  // sum_b (W_b / W) |Y_b / W_b - P_b / W_b| = sum_b |Y_b - P_b| / W: only the per-bin sums of
  // weighted labels and scores are needed.
  std::vector<double> gap(bins, 0.0);
  double total = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double w = WeightAt(weights, i);
    gap[CalibrationBin(scores[i], bins)] += w * (labels[i] - scores[i]);
    total += w;
  }
  if (total <= 0) return kNaN;
  double sum = 0;
  for (double g : gap) sum += std::abs(g);
  return sum / total;
}

}  // namespace keel
