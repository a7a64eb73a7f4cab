// Two-sample Kolmogorov-Smirnov test, equal to scipy.stats.ks_2samp (two-sided,
// method='auto') when both distributions are exact samples.
#pragma once

#include <cstdint>

#include "drift/ks_distribution.h"
#include "drift/step_distribution.h"

namespace keel::drift {

struct KsResult {
  double statistic = 0;  // sup |F_a - F_b|, in [0, 1]
  double p_value = 1;
  KsMethod method = KsMethod::kExact;
  double location = 0;  // the value where the supremum is reached
  int64_t n1 = 0;       // sample sizes the p-value used (weights rounded to counts)
  int64_t n2 = 0;
  bool exact = true;    // false when either side is a sketch approximation
};

// The KS statistic and p-value of `a` against `b`. Both must be non-empty (an empty side
// gives statistic 0 and p-value 1, never a crash). The statistic is computed as SciPy does
// (cumulative counts divided by the totals at every value of either side), so exact samples
// give SciPy's value bit for bit before the exact-mode lattice rounding.
KsResult KsTwoSample(const StepDistribution& a, const StepDistribution& b);

}  // namespace keel::drift
