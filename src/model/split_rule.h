// The executable definition of one split decision of the model IR (model/model.h).
//
// Every consumer that walks IR trees directly (the reference evaluator, TreeSHAP, audits)
// decides through here, so "which way does this value go" has one answer everywhere. The
// compiled predictor (predict/compiled_forest.h) reproduces it exactly and is tested
// against it.
//
// Float32 models (Model::input_precision kFloat32) read a feature value as a float32; NaN
// means missing.
//   numeric split      per missing_rule: kNaN sends NaN the default way; kZeroOrNaN sends NaN
//                      and 0 (either sign) the default way; kNaNAsZero reads NaN as 0. Other
//                      values go left iff x < threshold (x <= threshold when less_equal),
//                      compared exactly (float widened to double).
//   categorical split  NaN goes the default way. A value x >= 0 stands for the category code
//                      trunc(x) (inputs are integer codes; truncation matches XGBoost and
//                      LightGBM for non-integers); a negative value is no category. Codes in
//                      `categories` go left iff categories_left; all others go the other way.
//
// Float64 models (kFloat64, LightGBM's rules, include/LightGBM/tree.h of LightGBM 4.6) read
// the double itself, and first read any |x| <= kZeroThreshold as 0 (LightGBM drops such
// values from a row before predicting, so they count as zeros):
//   numeric split      as above, on the double; kZeroOrNaN's zero is that zero.
//   categorical split  NaN goes the default way. Otherwise the code is x truncated to an
//                      int32 as x86 does it: trunc(x) for -1 < x < 2^31 (so -0.5 is code 0),
//                      no code otherwise (negative, or beyond int32, which the conversion
//                      turns into INT_MIN).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "model/model.h"

namespace keel {

// The category code a feature value stands for, or -1 when it stands for none (NaN,
// negative, or beyond any int32 code).
inline int64_t CategoryCodeOf(float x) {
  if (!(x >= 0.0f) || x >= 2147483648.0f) return -1;
  return static_cast<int64_t>(x);
}

// True when the node's sorted category list contains `code`.
inline bool CategoryListed(const TreeNode& node, int64_t code) {
  if (code < 0) return false;
  return std::binary_search(node.categories.begin(), node.categories.end(),
                            static_cast<int32_t>(code));
}

// Whether value x goes to node.left. `node` must be an internal node.
inline bool GoesLeft(const TreeNode& node, float x) {
  if (node.is_categorical) {
    if (std::isnan(x)) return node.default_left;
    return CategoryListed(node, CategoryCodeOf(x)) == node.categories_left;
  }
  double v = x;
  switch (node.missing_rule) {
    case MissingRule::kNaN:
      if (std::isnan(x)) return node.default_left;
      break;
    case MissingRule::kZeroOrNaN:
      if (std::isnan(x) || v == 0.0) return node.default_left;
      break;
    case MissingRule::kNaNAsZero:
      if (std::isnan(x)) v = 0.0;
      break;
  }
  return node.less_equal ? v <= node.threshold : v < node.threshold;
}

// LightGBM's kZeroThreshold: the float 1e-35f, widened to double.
inline constexpr double kZeroThreshold = static_cast<double>(1e-35f);

// A float64 model's reading of a value: |x| <= kZeroThreshold is 0 (NaN stays NaN).
inline double FoldTinyToZero(double x) {
  return (x >= -kZeroThreshold && x <= kZeroThreshold) ? 0.0 : x;
}

// The category code a float64 model's (already folded) value stands for, or -1 for none.
inline int64_t CategoryCodeOf64(double x) {
  if (!(x > -1.0) || !(x < 2147483648.0)) return -1;
  return static_cast<int64_t>(x);
}

// Whether double value x goes to node.left under the float64 rules above.
inline bool GoesLeft64(const TreeNode& node, double x) {
  if (std::isnan(x)) {
    if (node.is_categorical || node.missing_rule != MissingRule::kNaNAsZero) {
      return node.default_left;
    }
    x = 0.0;
  }
  x = FoldTinyToZero(x);
  if (node.is_categorical) {
    return CategoryListed(node, CategoryCodeOf64(x)) == node.categories_left;
  }
  if (node.missing_rule == MissingRule::kZeroOrNaN && x == 0.0) return node.default_left;
  return node.less_equal ? x <= node.threshold : x < node.threshold;
}

// Index of the leaf that feature vector `x` reaches in `tree`, deciding each split with
// goes_left(node, value).
template <typename T, typename GoesLeftFn>
int32_t WalkToLeaf(const Tree& tree, const T* x, GoesLeftFn goes_left) {
  int32_t i = 0;
  while (!tree.nodes[static_cast<size_t>(i)].is_leaf()) {
    const TreeNode& n = tree.nodes[static_cast<size_t>(i)];
    i = goes_left(n, x[n.feature]) ? n.left : n.right;
  }
  return i;
}

// The leaf a float32 model's feature vector reaches.
inline int32_t LeafIndex(const Tree& tree, const float* x) {
  return WalkToLeaf(tree, x, [](const TreeNode& n, float v) { return GoesLeft(n, v); });
}

// The leaf a float64 model's double feature vector reaches.
inline int32_t LeafIndex64(const Tree& tree, const double* x) {
  return WalkToLeaf(tree, x, [](const TreeNode& n, double v) { return GoesLeft64(n, v); });
}

}  // namespace keel
