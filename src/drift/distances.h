// Distances between two distributions: Population Stability Index, Jensen-Shannon distance
// and the 1-Wasserstein (earth mover's) distance. Pure functions, thread-safe.
#pragma once

#include <span>

#include "drift/step_distribution.h"

namespace keel::drift {

// The proportion used in place of an empty bin in PSI (log(0) is undefined).
inline constexpr double kPsiEmptyBin = 1e-4;

// PSI = sum_i (c_i - r_i) ln(c_i / r_i) over bins, with r_i, c_i the shares of the reference
// and current counts and any zero share replaced by kPsiEmptyBin (no renormalisation).
// Counts per bin, same length; 0 when either side is empty.
double PopulationStabilityIndex(std::span<const double> reference, std::span<const double> current);

// scipy.spatial.distance.jensenshannon(p, q, base=2): sqrt of the Jensen-Shannon divergence in
// bits, so the distance lies in [0, 1]. Counts (or weights) per bin, same length; 0 when
// either side is empty.
double JensenShannonDistance(std::span<const double> p, std::span<const double> q);

// scipy.stats.wasserstein_distance(u_values, v_values, u_weights, v_weights): the integral of
// |F_u - F_v|, in the data's units. 0 when either side is empty.
double Wasserstein1(const StepDistribution& u, const StepDistribution& v);

}  // namespace keel::drift
