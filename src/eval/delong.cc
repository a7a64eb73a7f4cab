#include "eval/delong.h"

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/number_format.h"

namespace keel {
namespace {

// Midranks (1-based; tied values share the mean of their ranks) of `values`.
void MidRanks(std::span<const double> values, std::vector<uint32_t>* order,
              std::vector<double>* ranks) {
  const size_t n = values.size();
  order->resize(n);
  std::iota(order->begin(), order->end(), 0u);
  std::sort(order->begin(), order->end(),
            [&](uint32_t a, uint32_t b) { return values[a] < values[b]; });
  ranks->resize(n);
  size_t a = 0;
  while (a < n) {
    size_t b = a + 1;
    while (b < n && values[(*order)[b]] == values[(*order)[a]]) ++b;
    // Positions a..b-1 (0-based) hold ranks a+1..b: their mean is (a + b + 1) / 2.
    const double mid = 0.5 * static_cast<double>(a + b + 1);
    for (size_t t = a; t < b; ++t) (*ranks)[(*order)[t]] = mid;
    a = b;
  }
}

}  // namespace

double TwoSidedNormalQuantile(double confidence) {
  const boost::math::normal standard;
  return boost::math::quantile(standard, 0.5 + 0.5 * confidence);
}

double TwoSidedNormalPValue(double z) { return std::erfc(std::abs(z) / std::sqrt(2.0)); }

Result<DeLongEstimate> DeLongCovariance(std::span<const int32_t> labels,
                                        std::span<const std::span<const double>> scores) {
  if (scores.empty()) return Status::InvalidArgument("DeLong needs at least one scoring");
  if (labels.size() > UINT32_MAX) {
    return Status::ResourceExhausted("{} rows: at most {} rows can be evaluated at once",
                                     labels.size(), UINT32_MAX);
  }
  std::vector<uint32_t> pos_rows, neg_rows;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == 1) {
      pos_rows.push_back(static_cast<uint32_t>(i));
    } else if (labels[i] == 0) {
      neg_rows.push_back(static_cast<uint32_t>(i));
    } else {
      return Status::InvalidArgument("row {}: binary label {} is not 0 or 1", i, labels[i]);
    }
  }
  for (size_t r = 0; r < scores.size(); ++r) {
    if (scores[r].size() != labels.size()) {
      return Status::InvalidArgument("scoring {} has {} scores for {} labels", r,
                                     scores[r].size(), labels.size());
    }
    for (size_t i = 0; i < labels.size(); ++i) {
      if (!std::isfinite(scores[r][i])) {
        return Status::InvalidArgument("row {}: score {} of scoring {} is not a finite number",
                                       i, FormatDouble(scores[r][i]), r);
      }
    }
  }
  const size_t m = pos_rows.size(), n = neg_rows.size();
  if (m < 2 || n < 2) {
    return Status::FailedPrecondition(
        "DeLong's test needs at least 2 positive and 2 negative rows (got {} and {})", m, n);
  }
  const size_t k = scores.size();
  // Structural components, k x m and k x n.
  std::vector<double> v10(k * m), v01(k * n);
  DeLongEstimate est;
  est.positives = m;
  est.negatives = n;
  est.auc.resize(k);
  std::vector<double> x(m), y(n), z(m + n);
  std::vector<double> tx, ty, tz;
  std::vector<uint32_t> order;
  const double md = static_cast<double>(m), nd = static_cast<double>(n);
  for (size_t r = 0; r < k; ++r) {
    for (size_t i = 0; i < m; ++i) x[i] = z[i] = scores[r][pos_rows[i]];
    for (size_t j = 0; j < n; ++j) y[j] = z[m + j] = scores[r][neg_rows[j]];
    MidRanks(x, &order, &tx);
    MidRanks(y, &order, &ty);
    MidRanks(z, &order, &tz);
    // A positive's rank among all rows minus its rank among positives counts the negatives
    // below it (ties one half); likewise for negatives.
    double rank_sum = 0;
    for (size_t i = 0; i < m; ++i) {
      rank_sum += tz[i];
      v10[r * m + i] = (tz[i] - tx[i]) / nd;
    }
    for (size_t j = 0; j < n; ++j) v01[r * n + j] = 1.0 - (tz[m + j] - ty[j]) / md;
    est.auc[r] = (rank_sum - md * (md + 1) / 2) / (md * nd);
  }
  // S = S10 / m + S01 / n with sample covariances around each scoring's AUC (the mean of
  // both component vectors).
  est.covariance.assign(k * k, 0.0);
  for (size_t a = 0; a < k; ++a) {
    for (size_t b = a; b < k; ++b) {
      double s10 = 0, s01 = 0;
      for (size_t i = 0; i < m; ++i) {
        s10 += (v10[a * m + i] - est.auc[a]) * (v10[b * m + i] - est.auc[b]);
      }
      for (size_t j = 0; j < n; ++j) {
        s01 += (v01[a * n + j] - est.auc[a]) * (v01[b * n + j] - est.auc[b]);
      }
      const double s = s10 / (md - 1) / md + s01 / (nd - 1) / nd;
      est.covariance[a * k + b] = s;
      est.covariance[b * k + a] = s;
    }
  }
  return est;
}

Result<DeLongTestResult> DeLongTest(std::span<const int32_t> labels,
                                    std::span<const double> scores_a,
                                    std::span<const double> scores_b, double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0)) {
    return Status::InvalidArgument("confidence level {} is not strictly between 0 and 1",
                                   FormatDouble(confidence));
  }
  const std::span<const double> both[2] = {scores_a, scores_b};
  KEEL_ASSIGN_OR_RETURN(DeLongEstimate est, DeLongCovariance(labels, both));
  DeLongTestResult t;
  t.auc_a = est.auc[0];
  t.auc_b = est.auc[1];
  t.var_a = est.Variance(0);
  t.var_b = est.Variance(1);
  t.covariance = est.Covariance(0, 1);
  t.difference = t.auc_b - t.auc_a;
  // Rounding can leave a hair below zero when the scorings rank the rows alike.
  const double var = std::max(0.0, t.var_a + t.var_b - 2 * t.covariance);
  t.se = std::sqrt(var);
  if (t.se > 0) {
    t.z = t.difference / t.se;
    t.p_value = TwoSidedNormalPValue(t.z);
  } else if (t.difference == 0) {
    t.z = 0;
    t.p_value = 1;
  } else {
    t.z = t.difference > 0 ? HUGE_VAL : -HUGE_VAL;
    t.p_value = 0;
  }
  const double half = TwoSidedNormalQuantile(confidence) * t.se;
  t.lower = t.difference - half;
  t.upper = t.difference + half;
  return t;
}

}  // namespace keel
