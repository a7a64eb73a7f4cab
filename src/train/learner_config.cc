#include "train/learner_config.h"

#include "train/objective.h"

namespace keel {

GbdtConfig GbdtConfigOf(const TrainParams& p, Objective objective, int num_outputs) {
  GbdtConfig cfg;
  cfg.objective.objective = objective;
  cfg.objective.num_outputs = num_outputs;
  cfg.objective.huber_delta = p.huber_delta;
  cfg.objective.quantile_alpha = p.alpha;
  // ValidateParams checked the text; several outputs only when the target asked for them.
  if (objective == Objective::kQuantile && num_outputs > 1) {
    cfg.objective.quantile_levels = ParseQuantileLevels(p.quantiles).value_or({});
  }
  cfg.objective.tweedie_variance_power = p.tweedie_variance_power;
  cfg.tree.num_leaves = p.num_leaves;
  cfg.tree.max_depth = p.max_depth;
  cfg.tree.split.lambda_l1 = p.lambda_l1;
  cfg.tree.split.lambda_l2 = p.lambda_l2;
  cfg.tree.split.min_data_in_leaf = p.min_data_in_leaf;
  cfg.tree.split.min_sum_hessian = p.min_sum_hessian;
  cfg.tree.split.min_split_gain = p.min_split_gain;
  cfg.tree.split.max_cat_to_onehot = p.max_cat_to_onehot;
  cfg.tree.split.max_cat_threshold = p.max_cat_threshold;
  cfg.tree.split.cat_smooth = p.cat_smooth;
  cfg.tree.split.cat_l2 = p.cat_l2;
  cfg.tree.split.min_data_per_group = p.min_data_per_group;
  cfg.num_trees = p.num_trees;
  cfg.learning_rate = p.learning_rate;
  cfg.subsample = p.subsample;
  cfg.colsample = p.colsample;
  cfg.early_stopping_rounds = p.early_stopping_rounds;
  cfg.seed = static_cast<uint64_t>(p.seed);
  cfg.tree.quantized_grad = p.quantized_grad;
  cfg.tree.seed = cfg.seed;
  return cfg;
}

LinearConfig LinearConfigOf(const TrainParams& p) {
  LinearConfig cfg;
  cfg.l2 = p.linear_l2;
  cfg.top_k = p.linear_top_k;
  cfg.max_iterations = p.linear_max_iter;
  cfg.tolerance = p.linear_tol;
  return cfg;
}

}  // namespace keel
