// Limited-memory BFGS for smooth unconstrained minimisation (the linear baseline's solver).
//
// Converges to the optimum of a smooth convex function: it stops when the largest gradient
// component is below `tolerance`, not after a fixed number of passes. Line search:
// backtracking with the Armijo condition, starting from the unit quasi-Newton step.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "keel/status.h"

namespace keel {

struct LbfgsOptions {
  int max_iterations = 1000;
  double tolerance = 1e-7;  // on max |gradient component|
  int history = 10;
};

struct LbfgsResult {
  double value = 0;          // f at the solution
  double gradient_max = 0;   // max |g| at the solution
  int iterations = 0;
  bool converged = false;    // gradient_max <= tolerance
};

// f(x, grad) returns f at x and writes its gradient into grad (same size as x). It may
// return a non-OK Status to abort. `x` holds the start on entry and the solution on return.
using LbfgsFunction = std::function<Result<double>(std::span<const double> x,
                                                  std::span<double> grad)>;

Result<LbfgsResult> MinimizeLbfgs(const LbfgsFunction& f, std::vector<double>* x,
                                  const LbfgsOptions& options);

}  // namespace keel
