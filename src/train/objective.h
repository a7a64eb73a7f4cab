// Losses for gradient boosting: gradients, hessians and the starting margin.
//
// Labels: binary 0/1 (1 = LabelMapping classes[1]), multiclass the class index, regression
// the value. Weights scale both gradient and hessian (empty = all 1). Margins and gradients
// for K outputs are laid out row-major: [row * K + k].
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.h"

namespace keel {

// Gradient and hessian of one row for one output, float32 as in LightGBM and XGBoost: halves
// the memory the histogram loop streams; histograms accumulate in double.
struct GradPair {
  float g = 0;
  float h = 0;
};

struct ObjectiveConfig {
  Objective objective = Objective::kBinaryLogistic;
  int num_outputs = 1;
  double huber_delta = 0;       // from the parameter table (GbdtConfigOf); used by huber only
  double quantile_alpha = 0.5;  // reg:quantileerror only: the quantile level
  // reg:quantileerror with num_outputs = K > 1 (`--quantiles`): output k's level, ascending;
  // empty = one output at quantile_alpha.
  std::vector<double> quantile_levels;
  double tweedie_variance_power = 1.5;  // reg:tweedie only, in (1, 2)
};

// The objective of a model, with the loss parameters it records (Model::quantile_alpha,
// Model::tweedie_variance_power); huber_delta is not recorded and stays 0.
ObjectiveConfig ObjectiveConfigOf(const Model& model);

// Whether Keel can train a model with this objective: all but reg:logistic, which comes only
// from imported models.
//
// The losses, per row with label y, margin m and weight w (gradient and hessian both times w),
// as LightGBM and XGBoost define them:
//   reg:quantileerror  pinball loss at alpha: g = 1 - alpha if m >= y else -alpha, h = 1;
//                      leaves refitted to the alpha-quantile of their residuals (RefitsLeaves)
//   count:poisson      g = e^m - y, h = e^(m + 0.7) (0.7 = max_delta_step of both peers: a
//                      hessian inflated by e^0.7 damps the first steps from a tiny mean)
//   reg:gamma          g = 1 - y e^-m, h = y e^-m
//   reg:tweedie (rho)  g = -y e^((1-rho) m) + e^((2-rho) m),
//                      h = -y (1-rho) e^((1-rho) m) + (2-rho) e^((2-rho) m)
// The last three fit log(mean): the prediction is e^m (model/link_function.h).
bool Trainable(Objective objective);

// The first row whose label the objective cannot fit (poisson and tweedie: y < 0; gamma:
// y <= 0; any objective: a non-finite y), with a reason such as "a count must be >= 0";
// also a poisson, gamma or tweedie target whose labels sum to 0 (row = labels.size()), since
// the log of a zero mean has no finite start. `row` indexes `labels`.
struct LabelProblem {
  size_t row = 0;
  std::string reason;
};
std::optional<LabelProblem> CheckLabels(Objective objective, std::span<const double> labels);

// Fills grads[row * K + k] for every row (labels.size() rows) from margins[row * K + k].
// Runs on `threads` workers. Errors: Internal when the spans disagree in size; Unsupported
// for an objective that is not Trainable.
Status ComputeGradients(const ObjectiveConfig& config, std::span<const double> labels,
                        std::span<const float> weights, std::span<const double> margins,
                        std::span<GradPair> grads, int threads);

// The constant margin boosting starts from (one per output): log-odds of the weighted
// positive rate, log class priors, weighted mean (squared), weighted median (absolute,
// huber), weighted alpha-quantile (quantile), log of the weighted mean (poisson, gamma,
// tweedie; as LightGBM's boost_from_average); {0} for an objective that is not Trainable
// (trainers refuse those first).
std::vector<double> BaseMargin(const ObjectiveConfig& config, std::span<const double> labels,
                               std::span<const float> weights);

// The quantile level of output k: quantile_levels[k], or quantile_alpha for one output.
double QuantileLevel(const ObjectiveConfig& config, size_t output);

// The levels of `--quantiles`: "0.05,0.95" (',' separated, at least two distinct, each in
// (0, 1)), returned ascending. Errors: InvalidArgument naming the item.
Result<std::vector<double>> ParseQuantileLevels(std::string_view text);

// Whether leaf values are re-fitted after a tree is grown: the absolute loss takes the
// weighted median of the residuals in each leaf, the quantile loss their weighted
// alpha-quantile, as LightGBM does (their hessians carry no curvature, so -G/H alone would
// only give the sign).
bool RefitsLeaves(Objective objective);

// The quantile level a refitting objective takes of a leaf's residuals (RefitsLeaves) for
// the trees of `output`: 0.5 for the absolute loss, QuantileLevel for the quantile loss.
double RefitQuantile(const ObjectiveConfig& config, size_t output = 0);

// Weighted alpha-quantile of (value, weight) pairs: the smallest value whose cumulative
// weight (values ascending) reaches alpha of the total; when it reaches exactly alpha and
// a larger value follows, the midpoint of the two (so alpha = 0.5 is the usual median). NaN
// when empty.
double WeightedQuantile(std::vector<std::pair<double, double>> value_weight, double alpha);

// WeightedQuantile at 0.5.
double WeightedMedian(std::vector<std::pair<double, double>> value_weight);

}  // namespace keel
