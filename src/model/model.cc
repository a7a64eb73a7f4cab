#include "model/model.h"

#include <cmath>

#include "model/calibration.h"
#include "model/conformal.h"
#include "model/quantile_outputs.h"

namespace keel {

std::string_view TaskName(Task task) {
  switch (task) {
    case Task::kBinary:
      return "binary";
    case Task::kMulticlass:
      return "multiclass";
    case Task::kRegression:
      return "regression";
  }
  return "unknown";
}

std::string_view InputPrecisionName(InputPrecision precision) {
  return precision == InputPrecision::kFloat64 ? "float64" : "float32";
}

std::string_view ObjectiveName(Objective objective) {
  switch (objective) {
    case Objective::kBinaryLogistic:
      return "binary:logistic";
    case Objective::kMultiSoftmax:
      return "multi:softmax";
    case Objective::kSquaredError:
      return "reg:squarederror";
    case Objective::kAbsoluteError:
      return "reg:absoluteerror";
    case Objective::kHuber:
      return "reg:huber";
    case Objective::kRegLogistic:
      return "reg:logistic";
    case Objective::kPoisson:
      return "count:poisson";
    case Objective::kGamma:
      return "reg:gamma";
    case Objective::kTweedie:
      return "reg:tweedie";
    case Objective::kQuantile:
      return "reg:quantileerror";
  }
  return "unknown";
}

bool ParseObjective(std::string_view text, Objective* objective) {
  static constexpr Objective kAll[] = {Objective::kBinaryLogistic, Objective::kMultiSoftmax,
                                       Objective::kSquaredError,   Objective::kAbsoluteError,
                                       Objective::kHuber,          Objective::kRegLogistic,
                                       Objective::kPoisson,        Objective::kGamma,
                                       Objective::kTweedie,        Objective::kQuantile};
  for (Objective o : kAll) {
    if (ObjectiveName(o) == text) {
      *objective = o;
      return true;
    }
  }
  return false;
}

Task TaskOf(Objective objective) {
  switch (objective) {
    case Objective::kBinaryLogistic:
      return Task::kBinary;
    case Objective::kMultiSoftmax:
      return Task::kMulticlass;
    default:
      return Task::kRegression;
  }
}

int32_t Model::FeatureIndex(std::string_view name) const {
  for (size_t i = 0; i < features.size(); ++i) {
    if (features[i].name == name) return static_cast<int32_t>(i);
  }
  return -1;
}

namespace {

Status ValidateTree(const Model& model, const Tree& tree, size_t t) {
  const auto n = static_cast<int32_t>(tree.nodes.size());
  if (n == 0) return Status::Corrupt("tree {} has no nodes", t);
  if (tree.class_index < 0 || tree.class_index >= model.num_outputs) {
    return Status::Corrupt("tree {} adds to output {} but the model has {} outputs", t,
                           tree.class_index, model.num_outputs);
  }
  // Every node must be reached exactly once from the root: rules out cycles and sharing.
  std::vector<uint8_t> seen(static_cast<size_t>(n), 0);
  std::vector<int32_t> stack = {0};
  size_t visited = 0;
  while (!stack.empty()) {
    const int32_t i = stack.back();
    stack.pop_back();
    if (seen[static_cast<size_t>(i)])
      return Status::Corrupt("tree {} node {} is reached twice", t, i);
    seen[static_cast<size_t>(i)] = 1;
    ++visited;
    const TreeNode& node = tree.nodes[static_cast<size_t>(i)];
    if (node.is_leaf()) {
      if (node.right >= 0) return Status::Corrupt("tree {} node {} has one child", t, i);
      if (!std::isfinite(node.value)) return Status::Corrupt("tree {} leaf {} is not finite", t, i);
      continue;
    }
    if (node.left >= n || node.right < 0 || node.right >= n) {
      return Status::Corrupt("tree {} node {} has a child index out of range", t, i);
    }
    if (node.feature < 0 || node.feature >= static_cast<int32_t>(model.features.size())) {
      return Status::Corrupt("tree {} node {} splits on feature {} of {}", t, i, node.feature,
                             model.features.size());
    }
    if (node.is_categorical) {
      for (size_t k = 0; k < node.categories.size(); ++k) {
        if (node.categories[k] < 0 || (k > 0 && node.categories[k] <= node.categories[k - 1])) {
          return Status::Corrupt("tree {} node {}: categories must be sorted, distinct, >= 0", t,
                                 i);
        }
      }
    } else if (std::isnan(node.threshold)) {
      return Status::Corrupt("tree {} node {} has a NaN threshold", t, i);
    }
    stack.push_back(node.left);
    stack.push_back(node.right);
  }
  if (visited != static_cast<size_t>(n)) {
    return Status::Corrupt("tree {} has {} nodes unreachable from its root", t,
                           static_cast<size_t>(n) - visited);
  }
  return Status::OK();
}

}  // namespace

Status ValidateModel(const Model& model) {
  if (model.num_outputs < 1) return Status::Corrupt("model has {} outputs", model.num_outputs);
  if (model.base_margin.size() != static_cast<size_t>(model.num_outputs)) {
    return Status::Corrupt("model has {} base margins for {} outputs", model.base_margin.size(),
                           model.num_outputs);
  }
  if (model.objective == Objective::kQuantile &&
      !(model.quantile_alpha > 0 && model.quantile_alpha < 1)) {
    return Status::Corrupt("quantile model with alpha {}: it must be in (0, 1)",
                           model.quantile_alpha);
  }
  if (HasQuantileOutputs(model)) {
    auto levels = QuantileLevels(model);
    if (!levels.ok()) return levels.status();
    if (levels->size() != static_cast<size_t>(model.num_outputs)) {
      return Status::Corrupt("quantile model with {} outputs has {} quantile levels",
                             model.num_outputs, levels->size());
    }
  }
  // [1, 2): XGBoost's range for imported models; Keel trains in (1, 2).
  if (model.objective == Objective::kTweedie &&
      !(model.tweedie_variance_power >= 1 && model.tweedie_variance_power < 2)) {
    return Status::Corrupt("tweedie model with variance power {}: it must be in [1, 2)",
                           model.tweedie_variance_power);
  }
  if (model.task == Task::kMulticlass && model.num_outputs < 2) {
    return Status::Corrupt("multiclass model with {} outputs", model.num_outputs);
  }
  if (model.task != Task::kMulticlass && model.num_outputs != 1 && !HasQuantileOutputs(model)) {
    return Status::Corrupt("{} model with {} outputs", TaskName(model.task), model.num_outputs);
  }
  if (model.task != Task::kRegression && !model.labels.classes.empty()) {
    const size_t want = model.task == Task::kBinary ? 2 : static_cast<size_t>(model.num_outputs);
    if (model.labels.classes.size() != want) {
      return Status::Corrupt("{} model lists {} classes", TaskName(model.task),
                             model.labels.classes.size());
    }
  }
  if (model.kind == Model::Kind::kForest) {
    for (size_t t = 0; t < model.forest.trees.size(); ++t) {
      KEEL_RETURN_IF_ERROR(ValidateTree(model, model.forest.trees[t], t));
    }
  } else {
    if (model.input_precision != InputPrecision::kFloat32) {
      return Status::Corrupt("linear model with input precision {}: linear models read float32",
                             InputPrecisionName(model.input_precision));
    }
    const auto& lin = model.linear;
    if (lin.weights.size() != lin.terms.size() * static_cast<size_t>(model.num_outputs)) {
      return Status::Corrupt("linear model has {} weights for {} terms x {} outputs",
                             lin.weights.size(), lin.terms.size(), model.num_outputs);
    }
    for (const auto& term : lin.terms) {
      if (term.feature < 0 || term.feature >= static_cast<int32_t>(model.features.size())) {
        return Status::Corrupt("linear term refers to feature {} of {}", term.feature,
                               model.features.size());
      }
      if (term.kind == LinearTerm::Kind::kNumeric && !(term.scale > 0)) {
        return Status::Corrupt("linear term for feature {} has scale {}", term.feature, term.scale);
      }
    }
  }
  // The stored calibration and conformal scores, which every predictor applies.
  KEEL_RETURN_IF_ERROR(CalibrationOf(model).status());
  KEEL_RETURN_IF_ERROR(ConformalOf(model).status());
  return Status::OK();
}

}  // namespace keel
