#include "fairness/group_metrics.h"

#include <limits>

#include "eval/binary_metrics.h"

namespace keel::fairness {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Ratio(uint64_t num, uint64_t den) {
  return den == 0 ? kNaN : static_cast<double>(num) / static_cast<double>(den);
}

GroupMetrics MetricsOfRows(const BinaryOutcomes& outcomes, std::span<const uint32_t> rows,
                           size_t total_rows) {
  GroupMetrics m;
  double score_sum = 0;
  for (uint32_t r : rows) {
    const bool y = outcomes.labels[r] != 0;
    const bool d = outcomes.decisions[r] != 0;
    if (y) {
      ++(d ? m.counts.tp : m.counts.fn);
    } else {
      ++(d ? m.counts.fp : m.counts.tn);
    }
    score_sum += outcomes.scores[r];
  }
  m.share = Ratio(rows.size(), total_rows);
  m.rates = RatesOf(m.counts);
  m.mean_score = rows.empty() ? kNaN : score_sum / static_cast<double>(rows.size());
  // The score metrics are src/eval's, on the group's rows gathered into spans.
  std::vector<int32_t> labels(rows.size());
  std::vector<double> scores(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    labels[i] = outcomes.labels[rows[i]] ? 1 : 0;
    scores[i] = outcomes.scores[rows[i]];
  }
  auto value_or_nan = [](const Result<double>& r) { return r.ok() ? *r : kNaN; };
  m.auc = rows.empty() ? kNaN : value_or_nan(RocAuc(labels, scores));
  m.logloss = rows.empty() ? kNaN : value_or_nan(BinaryLogLoss(labels, scores));
  m.calibration_error = rows.empty() ? kNaN : value_or_nan(ExpectedCalibrationError(labels, scores));
  return m;
}

}  // namespace

ConfusionRates RatesOf(const ConfusionCounts& c) {
  ConfusionRates r;
  const uint64_t n = c.count();
  r.base_rate = Ratio(c.tp + c.fn, n);
  r.selection_rate = Ratio(c.tp + c.fp, n);
  r.tpr = Ratio(c.tp, c.tp + c.fn);
  r.fpr = Ratio(c.fp, c.fp + c.tn);
  r.fnr = Ratio(c.fn, c.tp + c.fn);
  r.precision = Ratio(c.tp, c.tp + c.fp);
  r.accuracy = Ratio(c.tp + c.tn, n);
  return r;
}

std::vector<GroupMetrics> ComputeGroupMetrics(const BinaryOutcomes& outcomes,
                                              const GroupAssignment& groups,
                                              size_t min_group_size) {
  const size_t k = groups.num_groups();
  std::vector<std::vector<uint32_t>> rows(k);
  for (size_t i = 0; i < groups.codes.size(); ++i) {
    rows[static_cast<size_t>(groups.codes[i])].push_back(static_cast<uint32_t>(i));
  }
  std::vector<GroupMetrics> out;
  out.reserve(k);
  for (size_t g = 0; g < k; ++g) {
    GroupMetrics m = MetricsOfRows(outcomes, rows[g], groups.codes.size());
    m.group = groups.labels[g];
    m.too_small = rows[g].size() < min_group_size || rows[g].empty();
    out.push_back(std::move(m));
  }
  return out;
}

GroupMetrics ComputeOverallMetrics(const BinaryOutcomes& outcomes) {
  std::vector<uint32_t> rows(outcomes.scores.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<uint32_t>(i);
  GroupMetrics m = MetricsOfRows(outcomes, rows, rows.size());
  m.group = "all";
  return m;
}

std::vector<uint8_t> ThresholdDecisions(std::span<const double> scores, double threshold) {
  std::vector<uint8_t> out(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) out[i] = scores[i] >= threshold ? 1 : 0;
  return out;
}

}  // namespace keel::fairness
