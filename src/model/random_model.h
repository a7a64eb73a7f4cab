// Random, valid models and inputs for tests, benchmarks and fuzz seeds.
//
// The models exercise every corner of the IR: numeric splits with thresholds on, between and
// beyond float32 values (including +-inf), both comparison kinds, every missing rule and
// default direction, categorical splits with small and huge codes, unbalanced and deep trees,
// constant trees and several outputs. Inputs mix those threshold values (so ties are hit
// exactly), NaN, signed zeros, infinities and category codes (negative and non-integer too).
// Deterministic for a given seed.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/random.h"
#include "model/model.h"

namespace keel {

struct RandomModelOptions {
  int num_features = 6;
  int num_categorical = 2;  // the last num_categorical features are categorical
  int num_trees = 20;
  int max_depth = 6;
  double leaf_probability = 0.2;  // chance that a node above max_depth is a leaf
  Objective objective = Objective::kBinaryLogistic;
  int num_classes = 3;  // multiclass only
  bool categorical_splits = true;
  bool special_missing_rules = true;  // kZeroOrNaN and kNaNAsZero splits
  int num_category_codes = 12;        // categorical splits list codes below this
  bool huge_category_codes = true;    // some categorical splits also list code 70000
};

class RandomModelMaker {
 public:
  explicit RandomModelMaker(uint64_t seed) : rng_(seed) {}

  // A value pool shared by thresholds and inputs so that comparisons hit exact ties.
  float PoolValue() {
    static constexpr float kPool[] = {0.0f,  -0.0f,   1.0f,    -1.0f,   0.5f,  0.1f,
                                      -0.1f, 2.5f,    1e-30f,  -1e-30f, 1e30f, 3.0f,
                                      7.0f,  100.25f, -1e-45f, 1e-45f};
    const uint64_t k = rng_.Below(20);
    if (k < 16) return kPool[k];
    if (k == 16) return std::numeric_limits<float>::max();
    if (k == 17) return -std::numeric_limits<float>::max();
    return static_cast<float>(rng_.Uniform() * 20 - 10);
  }

  double Threshold() {
    const float v = PoolValue();
    switch (rng_.Below(8)) {
      case 0:
        return std::nextafter(static_cast<double>(v), 1e300);  // just above a float
      case 1:
        return std::nextafter(static_cast<double>(v), -1e300);  // just below a float
      case 2:
        return std::nextafter(v, 1e30f);  // the next float
      case 3:
        return std::numeric_limits<double>::infinity() * (rng_.Below(2) ? 1 : -1);
      case 4:
        return rng_.Below(2) ? 1e300 : -1e300;  // beyond float range
      default:
        return v;
    }
  }

  float Input(const FeatureSpec& f) {
    const uint64_t k = rng_.Below(10);
    if (k == 0) return std::numeric_limits<float>::quiet_NaN();
    if (f.kind == FeatureSpec::Kind::kCategorical) {
      if (k == 1) return -1.0f;
      if (k == 2) return 2.5f;
      if (k == 3) return 70000.0f;
      if (k == 4) return std::numeric_limits<float>::infinity();
      // A few codes past the largest a split lists.
      return static_cast<float>(rng_.Below(static_cast<uint64_t>(max_code_) + 4));
    }
    if (k == 1) return std::numeric_limits<float>::infinity();
    if (k == 2) return -std::numeric_limits<float>::infinity();
    return PoolValue();
  }

  std::vector<float> Rows(const Model& m, size_t rows) {
    std::vector<float> x(rows * m.features.size());
    for (size_t r = 0; r < rows; ++r) {
      for (size_t f = 0; f < m.features.size(); ++f)
        x[r * m.features.size() + f] = Input(m.features[f]);
    }
    return x;
  }

  Model Make(const RandomModelOptions& o) {
    max_code_ = o.num_category_codes;
    Model m;
    m.objective = o.objective;
    m.task = TaskOf(o.objective);
    m.num_outputs = m.task == Task::kMulticlass ? o.num_classes : 1;
    m.base_margin.assign(static_cast<size_t>(m.num_outputs), 0.0);
    for (auto& b : m.base_margin) b = rng_.Uniform() - 0.5;
    for (int f = 0; f < o.num_features; ++f) {
      FeatureSpec spec;
      spec.name = "f" + std::to_string(f);
      if (f >= o.num_features - o.num_categorical) {
        spec.kind = FeatureSpec::Kind::kCategorical;
        spec.source_kind = ColumnKind::kCategorical;
      }
      m.features.push_back(spec);
      m.schema.columns.push_back({spec.name, spec.source_kind, Role::kFeature, {}, {}, {}, {}});
    }
    if (m.task == Task::kBinary) m.labels.classes = {"no", "yes"};
    if (m.task == Task::kMulticlass) {
      for (int k = 0; k < m.num_outputs; ++k) m.labels.classes.push_back("c" + std::to_string(k));
    }
    for (int t = 0; t < o.num_trees; ++t) {
      Tree tree;
      tree.class_index = static_cast<int32_t>(rng_.Below(static_cast<uint64_t>(m.num_outputs)));
      Grow(m, o, &tree, 0);
      m.forest.trees.push_back(std::move(tree));
    }
    return m;
  }

  Rng& rng() { return rng_; }

 private:
  int32_t Grow(const Model& m, const RandomModelOptions& o, Tree* tree, int depth) {
    const auto index = static_cast<int32_t>(tree->nodes.size());
    tree->nodes.emplace_back();
    TreeNode n;
    n.cover = 1 + static_cast<double>(rng_.Below(100));
    if (depth >= o.max_depth || rng_.Uniform() < o.leaf_probability) {
      n.value = rng_.Uniform() * 2 - 1;
      tree->nodes[static_cast<size_t>(index)] = n;
      return index;
    }
    n.feature = static_cast<int32_t>(rng_.Below(m.features.size()));
    n.default_left = rng_.Below(2) == 0;
    n.gain = rng_.Uniform();
    if (m.features[static_cast<size_t>(n.feature)].kind == FeatureSpec::Kind::kCategorical &&
        o.categorical_splits) {
      n.is_categorical = true;
      n.categories_left = rng_.Below(2) == 0;
      for (int32_t c = 0; c < o.num_category_codes; ++c) {
        if (rng_.Below(3) == 0) n.categories.push_back(c);
      }
      if (o.huge_category_codes && rng_.Below(4) == 0) n.categories.push_back(70000);
    } else {
      n.threshold = Threshold();
      n.less_equal = rng_.Below(2) == 0;
      if (o.special_missing_rules) n.missing_rule = static_cast<MissingRule>(rng_.Below(3));
    }
    n.left = Grow(m, o, tree, depth + 1);
    n.right = Grow(m, o, tree, depth + 1);
    tree->nodes[static_cast<size_t>(index)] = n;
    return index;
  }

  Rng rng_;
  int max_code_ = 12;  // of the last model made: inputs reach a few codes beyond it
};

}  // namespace keel
