// A numeric distribution as a step CDF: sorted distinct values with positive weights.
//
// Every numeric drift statistic (KS, Wasserstein) runs on this one shape, whatever the data
// came from: a raw sample (weights are counts, so statistics are exact), a profile's exact
// value-count table (exact) or a quantile sketch's weighted items (approximate: the CDF is
// within the sketch's rank error). Plain value type; not thread-safe to mutate.
#pragma once

#include <span>
#include <vector>

namespace keel::drift {

struct StepDistribution {
  std::vector<double> values;   // strictly increasing, finite
  std::vector<double> weights;  // > 0, one per value
  double total = 0;             // sum of weights
  bool exact = true;            // false when the CDF is a sketch's approximation

  bool empty() const { return values.empty(); }

  // The empirical distribution of `sample`; NaN and infinite values are skipped.
  static StepDistribution FromSample(std::span<const double> sample);
  // Values with weights (any order, duplicates merged, non-finite values and weights <= 0
  // skipped).
  static StepDistribution FromWeighted(std::span<const double> values,
                                       std::span<const double> weights, bool exact);

  // Weighted mean and population standard deviation (ddof = 0); 0 when empty.
  double Mean() const;
  double StdDev() const;
};

}  // namespace keel::drift
