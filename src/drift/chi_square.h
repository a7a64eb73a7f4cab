// Pearson's chi-square test of homogeneity for two count vectors over the same categories,
// equal to scipy.stats.chi2_contingency([a, b], correction=False).
//
// No continuity correction is applied, for 2x2 tables too (SciPy's default applies Yates'
// correction when dof = 1): Yates' correction is conservative, and drift samples are large
// enough that it only hides small shifts. Categories empty on both sides are dropped first
// (SciPy would reject a zero expected count); a table left with one category has
// statistic 0, dof 0 and p-value 1.
#pragma once

#include <span>

namespace keel::drift {

struct ChiSquareResult {
  double statistic = 0;
  int dof = 0;
  double p_value = 1;
};

// `a` and `b` are counts (>= 0) per category, same length. Either side summing to zero gives
// the degenerate result (0, 0, 1).
ChiSquareResult ChiSquareHomogeneity(std::span<const double> a, std::span<const double> b);

// P(X >= x) for X ~ chi-square(dof); dof >= 1.
double ChiSquareSf(double x, double dof);

}  // namespace keel::drift
