// Limited-memory BFGS for smooth unconstrained minimisation (the linear baseline's solver).
//
// Converges to the optimum of a smooth convex function: it stops when the largest gradient
// component is below `tolerance`, not after a fixed number of passes; before that only when
// max_iterations run out or when it can make no more progress (f has not fallen by 1e-12 of
// itself, nor the largest gradient component below its best, for 10 iterations: the precision
// limit). Line search: from the
// unit quasi-Newton step, backtracking (with safeguarded cubic interpolation) until the
// step satisfies the Armijo sufficient-decrease condition or, close to the optimum, the
// approximate Wolfe conditions of Hager and Zhang (2005). The second test matters: near the
// optimum the decrease of f is below the rounding error of f itself (f ~ 1 while the
// remaining decrease is ~|g|^2 ~ 1e-20), so a test on f alone rejects every step and the
// solver would stall at |g| ~ 1e-7; the directional derivative is still accurate there.
#pragma once

#include <cstdint>
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

// Why the solver stopped.
enum class LbfgsStop : uint8_t {
  kConverged,      // the largest gradient component is within the tolerance
  kMaxIterations,  // max_iterations ran out first: more iterations would get closer
  kNoProgress,     // neither f nor the gradient improved measurably for several iterations,
                   // or no step was acceptable: the tolerance is below the precision of f and
                   // its gradient here, and more iterations would not help
};

struct LbfgsResult {
  double value = 0;         // f at the solution
  double gradient_max = 0;  // max |g| at the solution
  int iterations = 0;
  int evaluations = 0;     // calls of f, line searches included
  bool converged = false;  // gradient_max <= tolerance
  LbfgsStop stop = LbfgsStop::kMaxIterations;
};

// f(x, grad) returns f at x and writes its gradient into grad (same size as x). It may
// return a non-OK Status to abort (returned as is). `x` holds the start on entry and the
// last accepted iterate on return (also when not converged). Errors:
// InvalidArgument when f is not finite at the start. Not converging within max_iterations,
// or a line search that finds no acceptable step (f is not smooth, or its gradient is wrong
// or inaccurate at the tolerance), is not an error: the result says converged = false.
using LbfgsFunction =
    std::function<Result<double>(std::span<const double> x, std::span<double> grad)>;

Result<LbfgsResult> MinimizeLbfgs(const LbfgsFunction& f, std::vector<double>* x,
                                  const LbfgsOptions& options);

}  // namespace keel
