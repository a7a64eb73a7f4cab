#include "eval/curves.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace keel {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Cumulative (tp, fp) at each distinct score, from the highest down: the shared core of the
// ROC and PR curves (scikit-learn's _binary_clf_curve).
struct CumulativeCounts {
  std::vector<double> tp, fp, thresholds;
};

CumulativeCounts CountByThreshold(std::span<const int32_t> labels, std::span<const double> scores,
                                  std::span<const double> weights) {
  const auto order = DescendingScoreOrder(scores);
  CumulativeCounts c;
  double tp = 0, fp = 0;
  size_t k = 0;
  while (k < order.size()) {
    const double score = scores[order[k]];
    double group = 0;
    for (; k < order.size() && scores[order[k]] == score; ++k) {
      const size_t i = order[k];
      const double w = weights.empty() ? 1.0 : weights[i];
      (labels[i] == 1 ? tp : fp) += w;
      group += w;
    }
    // Rows of weight 0 do not exist for the curve (as scikit-learn drops them): a score
    // only they hold is no threshold.
    if (group == 0) continue;
    c.tp.push_back(tp);
    c.fp.push_back(fp);
    c.thresholds.push_back(score);
  }
  return c;
}

template <typename T>
std::vector<T> Pick(const std::vector<T>& v, const std::vector<size_t>& idx) {
  std::vector<T> out;
  out.reserve(idx.size());
  for (size_t i : idx) out.push_back(v[i]);
  return out;
}

}  // namespace

Result<RocCurve> ComputeRocCurve(std::span<const int32_t> labels, std::span<const double> scores,
                                 std::span<const double> weights) {
  KEEL_RETURN_IF_ERROR(CheckBinaryInputs(labels, scores, weights, false));
  const auto c = CountByThreshold(labels, scores, weights);
  const double pos = c.tp.empty() ? 0 : c.tp.back();
  const double neg = c.fp.empty() ? 0 : c.fp.back();
  RocCurve r;
  r.fpr.reserve(c.tp.size() + 1);
  r.tpr.reserve(c.tp.size() + 1);
  r.thresholds.reserve(c.tp.size() + 1);
  r.fpr.push_back(neg > 0 ? 0.0 : kNaN);
  r.tpr.push_back(pos > 0 ? 0.0 : kNaN);
  r.thresholds.push_back(kInf);
  for (size_t j = 0; j < c.tp.size(); ++j) {
    r.fpr.push_back(neg > 0 ? c.fp[j] / neg : kNaN);
    r.tpr.push_back(pos > 0 ? c.tp[j] / pos : kNaN);
    r.thresholds.push_back(c.thresholds[j]);
  }
  return r;
}

Result<PrCurve> ComputePrCurve(std::span<const int32_t> labels, std::span<const double> scores,
                               std::span<const double> weights) {
  KEEL_RETURN_IF_ERROR(CheckBinaryInputs(labels, scores, weights, false));
  const auto c = CountByThreshold(labels, scores, weights);
  const double pos = c.tp.empty() ? 0 : c.tp.back();
  PrCurve r;
  r.recall.reserve(c.tp.size() + 1);
  r.precision.reserve(c.tp.size() + 1);
  r.thresholds.reserve(c.tp.size() + 1);
  r.recall.push_back(0.0);
  r.precision.push_back(1.0);
  r.thresholds.push_back(kInf);
  for (size_t j = 0; j < c.tp.size(); ++j) {
    const double predicted = c.tp[j] + c.fp[j];
    r.recall.push_back(pos > 0 ? c.tp[j] / pos : kNaN);
    r.precision.push_back(predicted > 0 ? c.tp[j] / predicted : 0.0);
    r.thresholds.push_back(c.thresholds[j]);
  }
  return r;
}

Result<ReliabilityCurve> ComputeReliabilityCurve(std::span<const int32_t> labels,
                                                 std::span<const double> scores,
                                                 std::span<const double> weights, int bins) {
  KEEL_RETURN_IF_ERROR(CheckBinaryInputs(labels, scores, weights, true));
  if (bins < 1 || bins > kMaxCalibrationBins) {
    return Status::InvalidArgument("calibration bins {} is outside [1, {}]", bins,
                                   kMaxCalibrationBins);
  }
  ReliabilityCurve r;
  r.weight.assign(bins, 0.0);
  std::vector<double> sum_p(bins, 0.0), sum_y(bins, 0.0);
  double total = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double w = weights.empty() ? 1.0 : weights[i];
    const int b = CalibrationBin(scores[i], bins);
    r.weight[b] += w;
    sum_p[b] += w * scores[i];
    sum_y[b] += w * labels[i];
    total += w;
  }
  const double width = 1.0 / bins;
  double gap = 0;
  for (int b = 0; b < bins; ++b) {
    r.lower.push_back(b * width);
    r.upper.push_back(b + 1 == bins ? 1.0 : (b + 1) * width);
    const bool filled = r.weight[b] > 0;
    r.mean_predicted.push_back(filled ? sum_p[b] / r.weight[b] : kNaN);
    r.observed.push_back(filled ? sum_y[b] / r.weight[b] : kNaN);
    gap += std::abs(sum_y[b] - sum_p[b]);
  }
  r.ece = total > 0 ? gap / total : kNaN;
  return r;
}

std::vector<size_t> ThinnedIndices(size_t n, size_t max_points) {
  max_points = std::max<size_t>(max_points, 2);
  std::vector<size_t> idx;
  if (n <= max_points) {
    idx.resize(n);
    for (size_t i = 0; i < n; ++i) idx[i] = i;
    return idx;
  }
  idx.reserve(max_points);
  for (size_t j = 0; j < max_points; ++j) {
    // Rounded positions j * (n - 1) / (max_points - 1): strictly increasing because
    // n - 1 > max_points - 1, first 0 and last n - 1.
    idx.push_back((j * (n - 1) + (max_points - 1) / 2) / (max_points - 1));
  }
  return idx;
}

RocCurve Thin(const RocCurve& curve, size_t max_points) {
  const auto idx = ThinnedIndices(curve.fpr.size(), max_points);
  return {Pick(curve.fpr, idx), Pick(curve.tpr, idx), Pick(curve.thresholds, idx)};
}

PrCurve Thin(const PrCurve& curve, size_t max_points) {
  const auto idx = ThinnedIndices(curve.recall.size(), max_points);
  return {Pick(curve.recall, idx), Pick(curve.precision, idx), Pick(curve.thresholds, idx)};
}

}  // namespace keel
