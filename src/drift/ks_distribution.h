// Null distributions of the Kolmogorov-Smirnov statistics, computed the way SciPy 1.10 does.
//
// Drift verdicts compare p-values with those of scipy.stats.ks_2samp, so every branch SciPy
// takes (exact lattice-path counts for small samples, the one-sample two-sided distribution
// `kstwo` at n = round(n1*n2/(n1+n2)) for large ones) is reproduced here, each from its
// published algorithm: Hodges (1958) and Viehmann (2021) for the exact two-sample counts;
// Durbin (1968) with Marsaglia-Tsang-Wang (2003), Pomeranz (1974), Pelz-Good (1976) and the
// Simard-L'Ecuyer (2011) selection rules for `kstwo`; Birnbaum-Tingey for the one-sided
// Smirnov tail. All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>

namespace keel::drift {

// P(D_n^+ >= e): the exact one-sided one-sample tail (scipy.special.smirnov). n >= 1,
// 0 <= e <= 1; NaN otherwise.
double SmirnovSf(int64_t n, double e);

// P(D_n >= x) for the two-sided one-sample statistic (scipy.stats.kstwo.sf(x, n)). n >= 1.
double KolmogorovSf(int64_t n, double x);

// The exact two-sided two-sample p-value P(D_{n1,n2} >= d) by lattice-path counting, after
// rounding d to the lattice h / lcm(n1, n2) as SciPy does (the rounded statistic is written to
// `*d_rounded`). Returns nullopt when the computation is not numerically possible (SciPy then
// falls back to the asymptotic method).
std::optional<double> KsTwoSampleExactSf(int64_t n1, int64_t n2, double d, double* d_rounded);

// How ks_2samp(method='auto') evaluated a p-value.
enum class KsMethod { kExact, kAsymptotic };

struct KsPValue {
  double statistic = 0;  // d, rounded to the lattice in exact mode
  double p_value = 1;
  KsMethod method = KsMethod::kExact;
};

// The two-sided p-value of a two-sample statistic d for sample sizes n1, n2 >= 1, choosing the
// method as scipy.stats.ks_2samp(method='auto') does: exact when max(n1, n2) <= 10000 (and the
// exact computation succeeds), else kstwo.sf(d, round(n1*n2/(n1+n2))). Clipped to [0, 1].
KsPValue KsTwoSamplePValue(int64_t n1, int64_t n2, double d);

}  // namespace keel::drift
