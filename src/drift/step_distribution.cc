#include "drift/step_distribution.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace keel::drift {

StepDistribution StepDistribution::FromSample(std::span<const double> sample) {
  std::vector<double> sorted;
  sorted.reserve(sample.size());
  for (double v : sample) {
    if (std::isfinite(v)) sorted.push_back(v);
  }
  std::sort(sorted.begin(), sorted.end());
  StepDistribution d;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i + 1;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    d.values.push_back(sorted[i]);
    d.weights.push_back(static_cast<double>(j - i));
    i = j;
  }
  d.total = static_cast<double>(sorted.size());
  return d;
}

StepDistribution StepDistribution::FromWeighted(std::span<const double> values,
                                                std::span<const double> weights, bool exact) {
  std::vector<size_t> order;
  order.reserve(values.size());
  for (size_t i = 0; i < values.size() && i < weights.size(); ++i) {
    if (std::isfinite(values[i]) && weights[i] > 0) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  StepDistribution d;
  d.exact = exact;
  for (size_t i : order) {
    if (!d.values.empty() && d.values.back() == values[i]) {
      d.weights.back() += weights[i];
    } else {
      d.values.push_back(values[i]);
      d.weights.push_back(weights[i]);
    }
    d.total += weights[i];
  }
  return d;
}

double StepDistribution::Mean() const {
  if (total <= 0) return 0;
  double s = 0;
  for (size_t i = 0; i < values.size(); ++i) s += values[i] * weights[i];
  return s / total;
}

double StepDistribution::StdDev() const {
  if (total <= 0) return 0;
  const double mean = Mean();
  double s = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const double dv = values[i] - mean;
    s += dv * dv * weights[i];
  }
  return std::sqrt(s / total);
}

}  // namespace keel::drift
