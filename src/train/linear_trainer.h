// The linear baseline: L2-regularised logistic regression (binary and multinomial) and
// ridge linear regression, over standardised numerics, missing indicators and one-hot
// categories (top-k plus "other"), as LinearModel terms (model/model.h).
//
// Fitted objective (weights w_i, total W = sum w_i; the intercepts are not penalised):
//   (1/W) sum_i w_i loss_i + (l2 / 2) * |beta|^2
// where loss is the log loss (softmax cross-entropy for K classes) or half the squared
// error. Logistic fits run L-BFGS to a gradient tolerance; linear regression solves the
// normal equations exactly (Cholesky).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/context.h"
#include "model/model.h"
#include "train/binning.h"

namespace keel {

// The baseline's settings. No defaults of its own: LinearConfigOf (train/learner_config.h)
// fills it from the parameter table's values; zero only keeps a default-constructed config
// initialised. Threads come from the Context TrainLinear is given.
struct LinearConfig {
  double l2 = 0;
  int top_k = 0;
  int max_iterations = 0;
  double tolerance = 0;
};

struct LinearFit {
  LinearModel model;
  std::vector<double> intercepts;  // one per output: the model's base_margin
  int iterations = 0;
  bool converged = false;
  // Not converged: true when max_iterations ran out (more would get closer), false when the
  // solver could make no more progress (the tolerance is below the precision of the loss).
  bool hit_max_iterations = false;
  double gradient_max = 0;
};

// The warning for a fit that did not reach its tolerance, "" for one that did: where it
// stopped, why, and which parameter would change that (--linear-max-iter only when the
// iterations ran out).
std::string LinearFitWarning(const LinearFit& fit, const LinearConfig& config);

// The terms for `features` from their values at `rows`: numeric (centre = mean, scale = the
// standard deviation, 1 when 0) plus a missing indicator when any value is missing;
// categorical: the top_k most frequent codes, an "other" term when more codes occur, and a
// missing indicator when any is missing.
std::vector<LinearTerm> BuildLinearTerms(std::span<const RawFeature> features,
                                         std::span<const uint32_t> rows, int top_k);

// Fits the model on `rows` with ctx.threads() workers. labels/weights are indexed by table row
// (weights may be empty). Errors: Unsupported for objectives other than logistic, softmax and
// squared error; FailedPrecondition when the normal equations are singular (l2 = 0 with collinear
// terms); Cancelled when ctx is cancelled (checked before each pass over the rows).
Result<LinearFit> TrainLinear(std::span<const RawFeature> features, std::span<const uint32_t> rows,
                              std::span<const double> labels, std::span<const float> weights,
                              Objective objective, int num_outputs, const LinearConfig& config,
                              const Context& ctx);

// Margins [i * K + k] of `rows` under the fitted model, computed as the IR defines them
// (double arithmetic on the float32 feature values).
std::vector<double> PredictLinear(const LinearModel& model, std::span<const double> intercepts,
                                  std::span<const RawFeature> features,
                                  std::span<const uint32_t> rows);

}  // namespace keel
