// Losses for gradient boosting: gradients, hessians and the starting margin.
//
// Labels: binary 0/1 (1 = LabelMapping classes[1]), multiclass the class index, regression
// the value. Weights scale both gradient and hessian (empty = all 1). Margins and gradients
// for K outputs are laid out row-major: [row * K + k].
#pragma once

#include <cstdint>
#include <span>
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
  double huber_delta = 0;  // from the parameter table (GbdtConfigOf); used by huber only
};

// Whether Keel can train a model with this objective: binary:logistic, multi:softmax and the
// identity-link regressions. The others (reg:logistic, count:poisson, reg:gamma, reg:tweedie)
// come only from imported models.
bool Trainable(Objective objective);

// Fills grads[row * K + k] for every row (labels.size() rows) from margins[row * K + k].
// Runs on `threads` workers. Errors: Internal when the spans disagree in size; Unsupported
// for an objective that is not Trainable.
Status ComputeGradients(const ObjectiveConfig& config, std::span<const double> labels,
                        std::span<const float> weights, std::span<const double> margins,
                        std::span<GradPair> grads, int threads);

// The constant margin boosting starts from (one per output): log-odds of the weighted
// positive rate, log class priors, weighted mean (squared), weighted median (absolute,
// huber); {0} for an objective that is not Trainable (trainers refuse those first).
std::vector<double> BaseMargin(const ObjectiveConfig& config, std::span<const double> labels,
                               std::span<const float> weights);

// Whether leaf values are re-fitted after a tree is grown: the absolute loss takes the
// weighted median of the residuals in each leaf, as LightGBM and XGBoost do (its hessian
// carries no curvature, so -G/H alone would only give the sign).
bool RefitsLeaves(Objective objective);

// Weighted median of `values` (weights may be empty); NaN when empty.
double WeightedMedian(std::vector<std::pair<double, double>> value_weight);

}  // namespace keel
