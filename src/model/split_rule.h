// The executable definition of one split decision of the model IR (model/model.h).
//
// Every consumer that walks IR trees directly (the reference evaluator, TreeSHAP, audits)
// decides through here, so "which way does this value go" has one answer everywhere. The
// compiled predictor (predict/compiled_forest.h) reproduces it exactly and is tested
// against it.
//
// A feature value is a float32; NaN means missing.
//   numeric split      per missing_rule: kNaN sends NaN the default way; kZeroOrNaN sends NaN
//                      and 0 (either sign) the default way; kNaNAsZero reads NaN as 0. Other
//                      values go left iff x < threshold (x <= threshold when less_equal),
//                      compared exactly (float widened to double).
//   categorical split  NaN goes the default way. A value x >= 0 stands for the category code
//                      trunc(x) (inputs are integer codes; truncation matches XGBoost and
//                      LightGBM for non-integers); a negative value is no category. Codes in
//                      `categories` go left iff categories_left; all others go the other way.
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

// Index of the leaf that feature vector `x` reaches in `tree`.
inline int32_t LeafIndex(const Tree& tree, const float* x) {
  int32_t i = 0;
  while (!tree.nodes[static_cast<size_t>(i)].is_leaf()) {
    const TreeNode& n = tree.nodes[static_cast<size_t>(i)];
    i = GoesLeft(n, x[n.feature]) ? n.left : n.right;
  }
  return i;
}

}  // namespace keel
