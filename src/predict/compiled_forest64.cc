#include "predict/compiled_forest64.h"

#include <algorithm>
#include <cmath>

#include "model/split_rule.h"

namespace keel {
namespace {

// Upper bound on category bitset words (8 bytes each): refuses sets needing over 2 GiB.
constexpr size_t kMaxCatWords = size_t{1} << 28;

}  // namespace

Result<std::unique_ptr<CompiledForest64>> CompiledForest64::Compile(const Model& model) {
  std::unique_ptr<CompiledForest64> f(new CompiledForest64());
  f->num_features_ = model.features.size();
  f->num_outputs_ = model.num_outputs;
  f->base_ = model.base_margin;
  f->base_.resize(static_cast<size_t>(model.num_outputs), 0.0);
  size_t total = 0;
  for (const Tree& tree : model.forest.trees) total += tree.nodes.size();
  if (total >= size_t{1} << 31) {
    return Status::ResourceExhausted("forest too large to compile ({} nodes)", total);
  }
  f->trees_.reserve(model.forest.trees.size());
  for (const Tree& tree : model.forest.trees) {
    // IR node i becomes compiled node or leaf index[i].
    std::vector<int32_t> index(tree.nodes.size());
    for (size_t i = 0; i < tree.nodes.size(); ++i) {
      if (tree.nodes[i].is_leaf()) {
        index[i] = ~static_cast<int32_t>(f->leaves_.size());
        f->leaves_.push_back(tree.nodes[i].value);
      } else {
        index[i] = static_cast<int32_t>(f->nodes_.size());
        f->nodes_.emplace_back();
      }
    }
    for (size_t i = 0; i < tree.nodes.size(); ++i) {
      const TreeNode& src = tree.nodes[i];
      if (src.is_leaf()) continue;
      Node& n = f->nodes_[static_cast<size_t>(index[i])];
      n.feature = src.feature;
      n.child[0] = index[static_cast<size_t>(src.left)];
      n.child[1] = index[static_cast<size_t>(src.right)];
      bool nan_left = src.default_left;
      if (src.default_left) n.flags |= kDefaultLeft;
      if (src.is_categorical) {
        n.flags |= kCategorical;
        if (src.categories_left) n.flags |= kCategoriesLeft;
        const size_t codes =
            src.categories.empty() ? 0 : static_cast<size_t>(src.categories.back()) + 1;  // sorted
        const size_t words = (codes + 63) / 64;
        if (f->cat_bits_.size() + words > kMaxCatWords) {
          return Status::ResourceExhausted("categorical splits too large to compile");
        }
        n.cat_offset = static_cast<uint32_t>(f->cat_bits_.size());
        n.cat_codes = static_cast<uint32_t>(codes);
        f->cat_bits_.resize(f->cat_bits_.size() + words, 0);
        for (int32_t c : src.categories) {
          f->cat_bits_[n.cat_offset + static_cast<size_t>(c) / 64] |= uint64_t{1} << (c % 64);
        }
      } else {
        n.threshold = src.threshold;
        if (src.less_equal) n.flags |= kLessEqual;
        if (src.missing_rule == MissingRule::kZeroOrNaN) n.flags |= kZeroMissing;
        if (src.missing_rule == MissingRule::kNaNAsZero) {
          // NaN reads as 0, so it goes where 0 goes.
          nan_left = src.less_equal ? 0.0 <= src.threshold : 0.0 < src.threshold;
        }
      }
      if (nan_left) n.flags |= kNaNLeft;
    }
    f->trees_.push_back({index[0], tree.class_index});
  }
  return f;
}

inline bool CompiledForest64::GoesLeft(const Node& n, double x) const {
  if (std::isnan(x)) return (n.flags & kNaNLeft) != 0;
  x = FoldTinyToZero(x);
  if (n.flags & kCategorical) {
    const int64_t code = CategoryCodeOf64(x);
    const bool listed = code >= 0 && code < static_cast<int64_t>(n.cat_codes) &&
                        ((cat_bits_[n.cat_offset + static_cast<size_t>(code) / 64] >>
                          (static_cast<uint64_t>(code) % 64)) &
                         1u) != 0;
    return listed == ((n.flags & kCategoriesLeft) != 0);
  }
  if ((n.flags & kZeroMissing) && x == 0.0) return (n.flags & kDefaultLeft) != 0;
  return (n.flags & kLessEqual) ? x <= n.threshold : x < n.threshold;
}

inline double CompiledForest64::Leaf(const TreeRef& t, const double* x) const {
  int32_t i = t.root;
  while (i >= 0) {
    const Node& n = nodes_[static_cast<size_t>(i)];
    i = n.child[GoesLeft(n, x[n.feature]) ? 0 : 1];
  }
  return leaves_[static_cast<size_t>(~i)];
}

void CompiledForest64::RawRow(const double* x, double* margins) const {
  std::copy(base_.begin(), base_.end(), margins);
  for (const TreeRef& t : trees_) margins[t.output] += Leaf(t, x);
}

void CompiledForest64::RawBlock(const double* x, size_t rows, double* margins) const {
  const auto k = static_cast<size_t>(num_outputs_);
  for (size_t r = 0; r < rows; ++r) std::copy(base_.begin(), base_.end(), margins + r * k);
  // Tree by tree over the block, so a tree's nodes stay in cache; each row's margin still
  // adds the trees in model order, as RawRow does.
  for (const TreeRef& t : trees_) {
    double* m = margins + static_cast<size_t>(t.output);
    for (size_t r = 0; r < rows; ++r) m[r * k] += Leaf(t, x + r * num_features_);
  }
}

}  // namespace keel
