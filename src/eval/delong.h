// DeLong's test for ROC AUCs of correlated scorings of the same rows.
//
// DeLong, DeLong & Clarke-Pearson (1988), "Comparing the areas under two or more correlated
// receiver operating characteristic curves: a nonparametric approach", Biometrics 44(3).
// Each AUC is a Mann-Whitney U statistic; its variance and the covariance between the AUCs
// of several scorings come from the structural components
//   V10(x_i) = share of negatives that positive i outscores (ties count one half)
//   V01(y_j) = share of positives that outscore negative j
// as S = S10 / m + S01 / n, with S10 and S01 the sample covariance matrices (denominators
// m - 1 and n - 1) of the components over the m positives and n negatives. The components
// are computed with midranks in O(N log N) per scoring (Sun & Xu 2014, "Fast implementation
// of DeLong's algorithm for comparing the areas under correlated receiver operating
// characteristic curves", IEEE Signal Processing Letters 21(11)), never the O(m n) pair loop.
//
// Unweighted only: DeLong's variance is defined for a sample of independent rows.
// Inputs: labels 0/1, one finite score per row per scoring (any scale: only the order counts).
// Errors: InvalidArgument for sizes, labels or scores (naming the row); FailedPrecondition
// with fewer than 2 positives or 2 negatives (no variance can be estimated).
// Pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "keel/status.h"

namespace keel {

struct DeLongEstimate {
  size_t positives = 0;
  size_t negatives = 0;
  std::vector<double> auc;         // one per scoring
  std::vector<double> covariance;  // k x k, row-major; the diagonal holds the AUC variances

  double Covariance(size_t a, size_t b) const { return covariance[a * auc.size() + b]; }
  double Variance(size_t r) const { return Covariance(r, r); }
};

// The AUCs of k >= 1 scorings of the same rows and their DeLong covariance matrix.
Result<DeLongEstimate> DeLongCovariance(std::span<const int32_t> labels,
                                        std::span<const std::span<const double>> scores);

// The test of AUC(b) - AUC(a) = 0.
struct DeLongTestResult {
  double auc_a = 0;
  double auc_b = 0;
  double var_a = 0;
  double var_b = 0;
  double covariance = 0;
  double difference = 0;  // auc_b - auc_a
  double se = 0;          // sqrt(var_a + var_b - 2 covariance)
  double z = 0;           // difference / se (0 when both are 0)
  double p_value = 1;     // two-sided, from the standard normal
  // Normal-theory interval for the difference at the requested confidence.
  double lower = 0;
  double upper = 0;
};

// Errors: as above, and confidence outside (0, 1).
Result<DeLongTestResult> DeLongTest(std::span<const int32_t> labels,
                                    std::span<const double> scores_a,
                                    std::span<const double> scores_b, double confidence = 0.95);

// The two-sided standard-normal quantile z with P(|Z| <= z) = confidence, confidence in (0, 1)
// (1.959963984540054 for 0.95).
double TwoSidedNormalQuantile(double confidence);
// P(|Z| >= |z|) for a standard normal Z.
double TwoSidedNormalPValue(double z);

}  // namespace keel
