// Regression metrics on plain spans.
//
// Inputs: `targets` and `predictions`, one finite value per row each; `weights` one finite,
// non-negative weight per row or empty for all 1 (integer weights act as repeated rows).
// Errors (InvalidArgument naming the row and value): sizes differ, a non-finite value, a bad
// weight. Metrics undefined on valid data (all weights zero) are NaN. Pure and thread-safe.
#pragma once

#include <span>

#include "keel/status.h"

namespace keel {

Status CheckRegressionInputs(std::span<const double> targets, std::span<const double> predictions,
                             std::span<const double> weights);

// sqrt(mean (target - prediction)^2), as scikit-learn's mean_squared_error(squared=False).
Result<double> Rmse(std::span<const double> targets, std::span<const double> predictions,
                    std::span<const double> weights = {});

// mean |target - prediction| (mean_absolute_error).
Result<double> Mae(std::span<const double> targets, std::span<const double> predictions,
                   std::span<const double> weights = {});

// 1 - SS_res / SS_tot around the weighted mean target (r2_score). When every target is the
// same (SS_tot = 0) it is 1 for perfect predictions and 0 otherwise, as scikit-learn's
// force_finite=True gives, so it never divides by zero.
Result<double> R2(std::span<const double> targets, std::span<const double> predictions,
                  std::span<const double> weights = {});

// R2 from its sums (the rule above for SS_tot = 0).
double R2FromSums(double ss_res, double ss_tot);

}  // namespace keel
