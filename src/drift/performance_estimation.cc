#include "drift/performance_estimation.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace keel::drift {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void FromConfusion(double tp, double fp, double fn, double tn, BinaryPerformance* m) {
  const double n = tp + fp + fn + tn;
  if (n <= 0) return;
  m->accuracy = (tp + tn) / n;
  m->precision = tp + fp > 0 ? tp / (tp + fp) : 0.0;
  m->recall = tp + fn > 0 ? tp / (tp + fn) : 0.0;
  m->f1 = m->precision + m->recall > 0 ? 2 * m->precision * m->recall / (m->precision + m->recall)
                                       : 0.0;
  m->positive_rate = (tp + fn) / n;
}

}  // namespace

BinaryPerformance EstimateBinaryPerformance(std::span<const double> probabilities,
                                            double threshold) {
  std::vector<double> p;
  p.reserve(probabilities.size());
  for (double x : probabilities) {
    if (!std::isnan(x)) p.push_back(std::clamp(x, 0.0, 1.0));
  }
  // Tie groups, by p descending: ties move together (one point of the expected ROC curve).
  std::sort(p.begin(), p.end(), std::greater<>());
  std::vector<double> rows, sums;
  std::vector<uint8_t> positive;
  for (size_t i = 0; i < p.size();) {
    size_t j = i;
    double sum = 0;
    while (j < p.size() && p[j] == p[i]) sum += p[j++];
    rows.push_back(static_cast<double>(j - i));
    sums.push_back(sum);
    positive.push_back(p[i] >= threshold ? 1 : 0);
    i = j;
  }
  return EstimateBinaryPerformanceGrouped(rows, sums, positive);
}

BinaryPerformance EstimateBinaryPerformanceGrouped(std::span<const double> rows,
                                                   std::span<const double> sums,
                                                   std::span<const uint8_t> positive) {
  BinaryPerformance m;
  double n = 0, tp = 0, fp = 0, fn = 0, tn = 0;
  for (size_t g = 0; g < rows.size(); ++g) {
    n += rows[g];
    if (positive[g]) {
      tp += sums[g];
      fp += rows[g] - sums[g];
    } else {
      fn += sums[g];
      tn += rows[g] - sums[g];
    }
  }
  m.rows = static_cast<uint64_t>(n);
  if (n <= 0) return m;
  FromConfusion(tp, fp, fn, tn, &m);
  // Expected ROC curve: TPR = cumulative sum of p / sum p, FPR = of (1 - p) / sum (1 - p).
  const double pos = tp + fn;
  const double neg = n - pos;
  if (pos <= 0 || neg <= 0) return m;
  double ctp = 0, cfp = 0, area = 0;
  for (size_t g = 0; g < rows.size(); ++g) {
    const double tpr0 = ctp / pos, fpr0 = cfp / neg;
    ctp += sums[g];
    cfp += rows[g] - sums[g];
    area += (cfp / neg - fpr0) * (ctp / pos + tpr0) / 2;
  }
  m.roc_auc = area;
  return m;
}

BinaryPerformance RealizedBinaryPerformance(std::span<const double> probabilities,
                                            std::span<const int8_t> labels, double threshold) {
  BinaryPerformance m;
  std::vector<std::pair<double, int8_t>> rows;
  const size_t n = std::min(probabilities.size(), labels.size());
  for (size_t i = 0; i < n; ++i) {
    if (!std::isnan(probabilities[i]) && (labels[i] == 0 || labels[i] == 1)) {
      rows.emplace_back(probabilities[i], labels[i]);
    }
  }
  m.rows = rows.size();
  if (rows.empty()) return m;
  double tp = 0, fp = 0, fn = 0, tn = 0;
  for (const auto& [p, y] : rows) {
    if (p >= threshold) {
      (y ? tp : fp) += 1;
    } else {
      (y ? fn : tn) += 1;
    }
  }
  FromConfusion(tp, fp, fn, tn, &m);
  // Mann-Whitney: average ranks over ties.
  std::sort(rows.begin(), rows.end());
  double rank_sum = 0, npos = 0;
  for (size_t i = 0; i < rows.size();) {
    size_t j = i;
    double pos_in_tie = 0;
    while (j < rows.size() && rows[j].first == rows[i].first) pos_in_tie += rows[j++].second;
    const double avg_rank = (static_cast<double>(i + j - 1)) / 2.0 + 1.0;
    rank_sum += avg_rank * pos_in_tie;
    npos += pos_in_tie;
    i = j;
  }
  const double nneg = static_cast<double>(rows.size()) - npos;
  if (npos > 0 && nneg > 0) m.roc_auc = (rank_sum - npos * (npos + 1) / 2) / (npos * nneg);
  return m;
}

double ExpectedCalibrationError(std::span<const double> probabilities,
                                std::span<const int8_t> labels, int bins) {
  bins = std::max(bins, 1);
  std::vector<double> sum_p(static_cast<size_t>(bins), 0), sum_y(static_cast<size_t>(bins), 0),
      count(static_cast<size_t>(bins), 0);
  double total = 0;
  const size_t n = std::min(probabilities.size(), labels.size());
  for (size_t i = 0; i < n; ++i) {
    const double p = probabilities[i];
    if (std::isnan(p) || (labels[i] != 0 && labels[i] != 1)) continue;
    const auto b = static_cast<size_t>(std::clamp(static_cast<int>(p * bins), 0, bins - 1));
    sum_p[b] += p;
    sum_y[b] += labels[i];
    count[b] += 1;
    total += 1;
  }
  if (total == 0) return kNaN;
  double ece = 0;
  for (size_t b = 0; b < count.size(); ++b) {
    if (count[b] > 0)
      ece += count[b] / total * std::fabs(sum_p[b] / count[b] - sum_y[b] / count[b]);
  }
  return ece;
}

double EstimateMulticlassAccuracy(std::span<const double> probabilities, size_t classes) {
  if (classes == 0 || probabilities.size() < classes) return kNaN;
  const size_t rows = probabilities.size() / classes;
  double s = 0;
  size_t n = 0;
  for (size_t r = 0; r < rows; ++r) {
    const double* p = probabilities.data() + r * classes;
    const double mx = *std::max_element(p, p + classes);
    if (std::isnan(mx)) continue;
    s += mx;
    ++n;
  }
  return n > 0 ? s / static_cast<double>(n) : kNaN;
}

double RealizedMulticlassAccuracy(std::span<const double> probabilities, size_t classes,
                                  std::span<const int32_t> labels) {
  if (classes == 0) return kNaN;
  const size_t rows = std::min(probabilities.size() / classes, labels.size());
  double right = 0, n = 0;
  for (size_t r = 0; r < rows; ++r) {
    if (labels[r] < 0) continue;
    const double* p = probabilities.data() + r * classes;
    const auto best = static_cast<int32_t>(std::max_element(p, p + classes) - p);
    right += best == labels[r] ? 1 : 0;
    n += 1;
  }
  return n > 0 ? right / n : kNaN;
}

}  // namespace keel::drift
