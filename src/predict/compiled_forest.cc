#include "predict/compiled_forest.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "model/split_rule.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace keel {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr float kFltMax = std::numeric_limits<float>::max();
// Categorical codes below this are tested with a bitset; larger ones with a sorted list.
constexpr int32_t kMaxBitsetCode = 1 << 16;
// Upper bound on compiled slots (8 bytes each): refuses forests needing over 4 GiB.
constexpr size_t kMaxSlots = size_t{1} << 29;

// Smallest float >= v (v not NaN).
float FloatCeil(double v) {
  if (v > kFltMax) return kInf;
  if (v < -static_cast<double>(kFltMax))
    return v == -std::numeric_limits<double>::infinity() ? -kInf : -kFltMax;
  const float f = static_cast<float>(v);
  return static_cast<double>(f) < v ? std::nextafter(f, kInf) : f;
}

// Largest float <= v (v not NaN).
float FloatFloor(double v) {
  if (v < -static_cast<double>(kFltMax)) return -kInf;
  if (v > kFltMax) return v == std::numeric_limits<double>::infinity() ? kInf : kFltMax;
  const float f = static_cast<float>(v);
  return static_cast<double>(f) > v ? std::nextafter(f, -kInf) : f;
}

// A numeric split in canonical form: for non-missing x, go left iff x < t, unless the split
// sends every non-missing value one way.
struct Canonical {
  enum Kind { kCompare, kAllLeft, kAllRight } kind = kCompare;
  float t = 0;
};

Canonical Canonicalise(const TreeNode& n) {
  Canonical c;
  if (n.less_equal) {
    const float lo = FloatFloor(n.threshold);
    if (lo == kInf) {
      c.kind = Canonical::kAllLeft;
      return c;
    }
    c.t = std::nextafter(lo, kInf);  // x <= thr  <=>  x <= lo  <=>  x < nextup(lo)
  } else {
    c.t = FloatCeil(n.threshold);  // x < thr  <=>  x < smallest float >= thr
  }
  if (c.t == -kInf) c.kind = Canonical::kAllRight;
  return c;
}

// Whether a non-missing zero goes left by the split's comparison alone.
bool ZeroGoesLeft(const TreeNode& n) {
  return n.less_equal ? 0.0 <= n.threshold : 0.0 < n.threshold;
}

// How a compiled node decides: slot fields plus whether child 2i+1 is the IR's right child.
struct Encoded {
  uint32_t feature = 0;
  float threshold = 0;
  bool first_is_right = false;
  bool negated = false;  // reads -x from the second half of the extended row
};

int TreeDepth(const Tree& tree) {
  int depth = 0;
  std::vector<std::pair<int32_t, int>> stack = {{0, 0}};
  while (!stack.empty()) {
    auto [i, d] = stack.back();
    stack.pop_back();
    const TreeNode& n = tree.nodes[static_cast<size_t>(i)];
    if (n.is_leaf()) {
      depth = std::max(depth, d);
    } else {
      stack.push_back({n.left, d + 1});
      stack.push_back({n.right, d + 1});
    }
  }
  return depth;
}

}  // namespace

class ForestCompiler {
 public:
  ForestCompiler(const Model& model, CompiledForest* out) : model_(model), out_(out) {}

  Status Build() {
    const size_t n = model_.features.size();
    // Extended-row indices (x, -x, codes) stay below kCatBit.
    if (n >= (size_t{1} << 28)) {
      return Status::ResourceExhausted("model has {} features; the predictor supports < 2^28", n);
    }
    out_->num_features_ = n;
    out_->num_outputs_ = model_.num_outputs;
    out_->base_ = model_.base_margin;

    // Decide each tree's layout; fold constant trees into the base margin.
    struct Item {
      size_t tree;
      int depth;
      CompiledForest::TreeKind kind = CompiledForest::TreeKind::kPlain;
    };
    std::vector<Item> perfect, sparse;
    bool negates = false;
    for (size_t t = 0; t < model_.forest.trees.size(); ++t) {
      const Tree& tree = model_.forest.trees[t];
      if (tree.nodes[0].is_leaf()) {
        out_->base_[static_cast<size_t>(tree.class_index)] += tree.nodes[0].value;
        continue;
      }
      const int depth = TreeDepth(tree);
      if (depth <= CompiledForest::kMaxPerfectDepth) {
        perfect.push_back({t, depth, KindOf(tree)});
      } else {
        sparse.push_back({t, depth});
      }
    }
    // Encode every split once to learn whether the extended row needs -x.
    for (const Tree& tree : model_.forest.trees) {
      for (const TreeNode& node : tree.nodes) {
        if (!node.is_leaf() && !IsSpecial(node) && Encode(node, n).negated) negates = true;
      }
    }
    out_->code_base_ = negates ? 2 * n : n;
    // One code column per feature read by a small categorical split of a small-categorical
    // perfect tree or of a deep (sparse) tree; sparse trees decide such splits by mask too.
    code_column_.assign(n, kNoCodeColumn);
    auto add_code_columns = [&](const Tree& tree) {
      for (const TreeNode& node : tree.nodes) {
        if (node.is_leaf() || !IsSmallCategorical(node)) continue;
        const size_t f = static_cast<size_t>(node.feature);
        if (code_column_[f] != kNoCodeColumn) continue;
        code_column_[f] = static_cast<uint32_t>(out_->code_base_ + out_->code_features_.size());
        out_->code_features_.push_back(static_cast<uint32_t>(f));
      }
    };
    for (const Item& it : perfect) {
      if (it.kind == CompiledForest::TreeKind::kSmallCat)
        add_code_columns(model_.forest.trees[it.tree]);
    }
    for (const Item& it : sparse) add_code_columns(model_.forest.trees[it.tree]);
    out_->ext_width_ = out_->code_base_ + out_->code_features_.size();

    // Runs: by output, then depth, then kind, keeping model order inside a run.
    std::stable_sort(perfect.begin(), perfect.end(), [&](const Item& a, const Item& b) {
      const int ca = model_.forest.trees[a.tree].class_index;
      const int cb = model_.forest.trees[b.tree].class_index;
      if (ca != cb) return ca < cb;
      return a.depth != b.depth ? a.depth < b.depth : a.kind < b.kind;
    });
    size_t total_slots = 0;
    for (const Item& it : perfect) {
      total_slots += size_t{2} << it.depth;
      if (total_slots > kMaxSlots) {
        return Status::ResourceExhausted("forest too large to compile ({}+ slots)", total_slots);
      }
    }
    // 8 extra slots let the base start on a 64-byte boundary.
    out_->slots_.assign(total_slots + 8, CompiledForest::Slot{0, 0});
    const uintptr_t raw = reinterpret_cast<uintptr_t>(out_->slots_.data());
    const size_t skew = ((64 - raw % 64) % 64) / sizeof(CompiledForest::Slot);
    CompiledForest::Slot* base = out_->slots_.data() + skew;
    out_->slots_base_ = base;
    size_t offset = 0;
    for (const Item& it : perfect) {
      const Tree& tree = model_.forest.trees[it.tree];
      if (out_->runs_.empty() || out_->runs_.back().depth != it.depth ||
          out_->runs_.back().output != tree.class_index || out_->runs_.back().kind != it.kind) {
        out_->runs_.push_back({tree.class_index, it.depth, it.kind, 0, offset});
      }
      ++out_->runs_.back().num_trees;
      small_cat_ = it.kind == CompiledForest::TreeKind::kSmallCat;
      KEEL_RETURN_IF_ERROR(FillPerfect(tree, 0, 0, 0, it.depth, base + offset));
      offset += size_t{2} << it.depth;
    }

    std::stable_sort(sparse.begin(), sparse.end(), [&](const Item& a, const Item& b) {
      return model_.forest.trees[a.tree].class_index < model_.forest.trees[b.tree].class_index;
    });
    for (const Item& it : sparse) {
      const Tree& tree = model_.forest.trees[it.tree];
      if (out_->runs_.empty() || out_->runs_.back().depth != -1 ||
          out_->runs_.back().output != tree.class_index) {
        out_->runs_.push_back({tree.class_index, -1, CompiledForest::TreeKind::kSpecial, 0,
                               out_->sparse_roots_.size()});
      }
      ++out_->runs_.back().num_trees;
      KEEL_ASSIGN_OR_RETURN(int32_t root, AddSparse(tree));
      out_->sparse_roots_.push_back(root);
      out_->sparse_depths_.push_back(static_cast<uint32_t>(it.depth));
    }
    // The vector kernel's lane order: by depth within each chunk of a sparse run.
    constexpr uint32_t kChunk = CompiledForest::kSparseLaneChunk;
    for (const CompiledForest::Run& run : out_->runs_) {
      if (run.depth >= 0) continue;
      for (uint32_t chunk = 0; chunk < run.num_trees; chunk += kChunk) {
        const size_t first = run.offset + chunk;
        std::vector<uint32_t> pos(std::min(kChunk, run.num_trees - chunk));
        std::iota(pos.begin(), pos.end(), 0u);
        std::stable_sort(pos.begin(), pos.end(), [&](uint32_t a, uint32_t b) {
          return out_->sparse_depths_[first + a] < out_->sparse_depths_[first + b];
        });
        for (uint32_t k : pos) {
          out_->sparse_lane_roots_.push_back(out_->sparse_roots_[first + k]);
          out_->sparse_lane_depths_.push_back(out_->sparse_depths_[first + k]);
          out_->sparse_lane_pos_.push_back(k);
        }
      }
    }
    out_->has_special_ = !out_->specials_.empty();
    return Status::OK();
  }

 private:
  static constexpr uint32_t kNoCodeColumn = ~uint32_t{0};

  // A categorical split that lists only codes below kSmallCatCodes.
  static bool IsSmallCategorical(const TreeNode& node) {
    if (!node.is_categorical) return false;
    for (int32_t c : node.categories) {
      if (c < 0 || c >= CompiledForest::kSmallCatCodes) return false;
    }
    return true;
  }

  CompiledForest::TreeKind KindOf(const Tree& tree) const {
    bool small_cat = false;
    for (const TreeNode& node : tree.nodes) {
      if (node.is_leaf() || !IsSpecial(node)) continue;
      if (!IsSmallCategorical(node)) return CompiledForest::TreeKind::kSpecial;
      small_cat = true;
    }
    return small_cat ? CompiledForest::TreeKind::kSmallCat : CompiledForest::TreeKind::kPlain;
  }

  // The slot of a small categorical split: bit c of the mask is set when code c goes to
  // child 2i+2 (the IR's right child); 30 stands for every unlisted value, 31 for NaN.
  CompiledForest::Slot SmallCategoricalSlot(const TreeNode& node) const {
    uint32_t listed = 0;
    for (int32_t c : node.categories) listed |= uint32_t{1} << c;
    constexpr uint32_t kCodes = (uint32_t{1} << CompiledForest::kSmallCatCodes) - 1;
    // listed == categories_left means left; so listed codes go right iff !categories_left.
    uint32_t mask = node.categories_left ? (~listed & kCodes) : listed;
    if (node.categories_left) mask |= uint32_t{1} << 30;  // unlisted goes right
    if (!node.default_left) mask |= uint32_t{1} << 31;    // NaN goes right
    return {CompiledForest::kCatBit | code_column_[static_cast<size_t>(node.feature)],
            std::bit_cast<float>(mask)};
  }

  bool IsSpecial(const TreeNode& node) const {
    if (node.is_categorical) return true;
    return node.missing_rule == MissingRule::kZeroOrNaN && ZeroGoesLeft(node) != node.default_left;
  }

  // The slot encoding of a non-special split; negated features are offset by
  // `negated_offset` (num_features once the extended row width is known).
  Encoded Encode(const TreeNode& node, size_t negated_offset) const {
    bool default_left = node.default_left;
    // NaN read as zero goes wherever zero goes: a plain default direction.
    if (node.missing_rule == MissingRule::kNaNAsZero) default_left = ZeroGoesLeft(node);
    const Canonical c = Canonicalise(node);
    const uint32_t f = static_cast<uint32_t>(node.feature);
    Encoded e;
    e.first_is_right = !default_left;
    switch (c.kind) {
      case Canonical::kAllLeft:
      case Canonical::kAllRight: {
        const bool all_left = c.kind == Canonical::kAllLeft;
        e.feature = f;
        // Missing goes to child 2i+1 (the default side). If every value goes there too,
        // no comparison may succeed (NaN threshold); otherwise every non-missing value
        // must reach 2i+2 (x >= -inf).
        e.threshold = all_left == default_left ? kNaNf : -kInf;
        return e;
      }
      case Canonical::kCompare:
        break;
    }
    if (default_left) {
      e.feature = f;  // right (2i+2) iff x >= t
      e.threshold = c.t;
    } else {
      e.feature = f + static_cast<uint32_t>(negated_offset);  // left (2i+2) iff -x >= nextup(-t)
      e.negated = true;
      e.threshold = std::nextafter(-c.t, kInf);
    }
    return e;
  }

  Result<uint32_t> AddSpecial(const TreeNode& node) {
    CompiledForest::Special s;
    s.feature = static_cast<uint32_t>(node.feature);
    s.default_left = node.default_left;
    if (node.is_categorical) {
      s.categorical = true;
      s.categories_left = node.categories_left;
      s.bits_offset = static_cast<uint32_t>(out_->cat_bits_.size());
      int32_t bitset_max = -1;
      for (int32_t c : node.categories) {
        if (c < kMaxBitsetCode) bitset_max = c;
      }
      s.bits_count = static_cast<uint32_t>(bitset_max + 1);
      out_->cat_bits_.resize(out_->cat_bits_.size() + (s.bits_count + 63) / 64, 0);
      s.list_offset = static_cast<uint32_t>(out_->cat_list_.size());
      for (int32_t c : node.categories) {
        if (c < kMaxBitsetCode) {
          out_->cat_bits_[s.bits_offset + static_cast<uint32_t>(c) / 64] |= uint64_t{1} << (c % 64);
        } else {
          out_->cat_list_.push_back(c);
          ++s.list_count;
        }
      }
      if (out_->cat_bits_.size() >= (size_t{1} << 31) ||
          out_->cat_list_.size() >= (size_t{1} << 31)) {
        return Status::ResourceExhausted("categorical splits too large to compile");
      }
    } else {
      s.less_equal = node.less_equal;
      s.threshold = node.threshold;
    }
    if (out_->specials_.size() >= (size_t{1} << 31) - 1) {
      return Status::ResourceExhausted("too many special splits to compile");
    }
    out_->specials_.push_back(s);
    return static_cast<uint32_t>(out_->specials_.size() - 1);
  }

  // Fills heap position `pos` (at `level`) of a perfect tree of depth `depth` from IR node
  // `ir`. A leaf above the bottom level is replicated into the whole subtree below it; the
  // padding nodes there send everything to 2i+1, which holds the same value.
  Status FillPerfect(const Tree& tree, int32_t ir, size_t pos, int level, int depth,
                     CompiledForest::Slot* slots) {
    const TreeNode& node = tree.nodes[static_cast<size_t>(ir)];
    if (node.is_leaf()) {
      // Leaves under `pos` at the bottom level: a contiguous range in heap order.
      size_t first = pos, count = 1;
      for (int l = level; l < depth; ++l) {
        // Padding nodes at this level.
        for (size_t k = 0; k < count; ++k) slots[first + k] = {0, kNaNf};
        first = 2 * first + 1;
        count *= 2;
      }
      for (size_t k = 0; k < count; ++k)
        std::memcpy(&slots[first + k], &node.value, sizeof(double));
      return Status::OK();
    }
    int32_t first_child = node.left, second_child = node.right;
    if (small_cat_ && IsSmallCategorical(node)) {
      slots[pos] = SmallCategoricalSlot(node);
    } else if (IsSpecial(node)) {
      KEEL_ASSIGN_OR_RETURN(uint32_t index, AddSpecial(node));
      slots[pos] = {CompiledForest::kSpecialBit | index, 0.0f};
    } else {
      const Encoded e = Encode(node, out_->num_features_);
      slots[pos] = {e.feature, e.threshold};
      if (e.first_is_right) std::swap(first_child, second_child);
    }
    KEEL_RETURN_IF_ERROR(FillPerfect(tree, first_child, 2 * pos + 1, level + 1, depth, slots));
    return FillPerfect(tree, second_child, 2 * pos + 2, level + 1, depth, slots);
  }

  // Appends a deep tree in explicit-child form (iteratively: depth is unbounded). Nodes are
  // stored breadth-first, so the top levels every traversal reads share cache lines, and a
  // node's children are adjacent (child[1] == child[0] + 1), so a step is child[0] plus the
  // decision. A leaf's children are itself and its split (feature 0 >= NaN) always picks
  // child[0]; its value is at the same index of sparse_leaves_.
  Result<int32_t> AddSparse(const Tree& tree) {
    auto& nodes = out_->sparse_nodes_;
    auto& leaves = out_->sparse_leaves_;
    if (nodes.size() + tree.nodes.size() >= (size_t{1} << 31)) {
      return Status::ResourceExhausted("forest too large to compile");
    }
    const int32_t base = static_cast<int32_t>(nodes.size());
    std::vector<int32_t> order = {0};  // IR nodes in compiled order
    for (size_t k = 0; k < order.size(); ++k) {
      const TreeNode& node = tree.nodes[static_cast<size_t>(order[k])];
      const int32_t self = base + static_cast<int32_t>(k);
      CompiledForest::SparseNode out{0, kNaNf, {self, self}};
      leaves.push_back(node.is_leaf() ? node.value : 0.0);
      if (!node.is_leaf()) {
        int32_t first = node.left, second = node.right;
        if (IsSmallCategorical(node)) {
          const CompiledForest::Slot slot = SmallCategoricalSlot(node);
          out.feature = slot.feature;
          out.threshold = slot.threshold;
        } else if (IsSpecial(node)) {
          KEEL_ASSIGN_OR_RETURN(uint32_t s, AddSpecial(node));
          out.feature = CompiledForest::kSpecialBit | s;
          out.threshold = 0;
        } else {
          const Encoded e = Encode(node, out_->num_features_);
          out.feature = e.feature;
          out.threshold = e.threshold;
          if (e.first_is_right) std::swap(first, second);
        }
        out.child[0] = base + static_cast<int32_t>(order.size());
        out.child[1] = out.child[0] + 1;
        order.push_back(first);
        order.push_back(second);
      }
      nodes.push_back(out);
    }
    return base;
  }

  const Model& model_;
  CompiledForest* out_;
  std::vector<uint32_t> code_column_;  // per plain feature: its code column or kNoCodeColumn
  bool small_cat_ = false;             // the tree being filled is small-categorical
};

Result<std::unique_ptr<CompiledForest>> CompiledForest::Compile(const Model& model) {
  std::unique_ptr<CompiledForest> out(new CompiledForest());
  ForestCompiler compiler(model, out.get());
  KEEL_RETURN_IF_ERROR(compiler.Build());
  return out;
}

size_t CompiledForest::num_perfect_trees() const {
  size_t n = 0;
  for (const Run& r : runs_) n += r.depth >= 0 ? r.num_trees : 0;
  return n;
}

size_t CompiledForest::num_small_cat_trees() const {
  size_t n = 0;
  for (const Run& r : runs_) n += r.depth >= 0 && r.kind == TreeKind::kSmallCat ? r.num_trees : 0;
  return n;
}

size_t CompiledForest::num_sparse_trees() const {
  size_t n = 0;
  for (const Run& r : runs_) n += r.depth < 0 ? r.num_trees : 0;
  return n;
}

void CompiledForest::ExtendRow(const float* x, float* ext) const {
  const size_t n = num_features_;
  std::memcpy(ext, x, n * sizeof(float));
  if (code_base_ > n) {
    for (size_t i = 0; i < n; ++i) ext[n + i] = -x[i];
  }
  for (size_t j = 0; j < code_features_.size(); ++j) {
    const float v = x[code_features_[j]];
    const int64_t code = CategoryCodeOf(v);
    const uint32_t bits = std::isnan(v)                        ? 31u
                          : code >= 0 && code < kSmallCatCodes ? static_cast<uint32_t>(code)
                                                               : 30u;
    ext[code_base_ + j] = std::bit_cast<float>(bits);
  }
}

bool CompiledForest::SpecialGoesSecond(uint32_t index, const float* ext) const {
  const Special& s = specials_[index];
  const float x = ext[s.feature];
  if (std::isnan(x)) return !s.default_left;
  if (!s.categorical) {
    const double v = x;
    if (v == 0.0) return !s.default_left;
    return !(s.less_equal ? v <= s.threshold : v < s.threshold);
  }
  const int64_t code = CategoryCodeOf(x);
  bool listed = false;
  if (code >= 0 && code < static_cast<int64_t>(s.bits_count)) {
    listed = (cat_bits_[s.bits_offset + static_cast<size_t>(code) / 64] >> (code % 64)) & 1;
  } else if (code >= 0 && s.list_count > 0) {
    const int32_t* b = cat_list_.data() + s.list_offset;
    listed = std::binary_search(b, b + s.list_count, static_cast<int32_t>(code));
  }
  return listed != s.categories_left;
}

namespace {

inline double LeafAt(const CompiledForest::Slot* tree, uint32_t i) {
  double v;
  std::memcpy(&v, &tree[i], sizeof(double));
  return v;
}

using TreeKind = CompiledForest::TreeKind;

// A node of a small-categorical tree, without a branch: the ordered compare for a numeric
// node, bit `code` of the mask (the threshold's bits) for a categorical one.
inline uint32_t MixedGoesSecond(CompiledForest::Slot s, const float* ext) {
  const uint32_t is_cat = (s.feature >> 30) & 1;  // kCatBit
  const float x = ext[s.feature & ~CompiledForest::kCatBit];
  const uint32_t num = x >= s.threshold ? 1u : 0u;
  const uint32_t cat =
      (std::bit_cast<uint32_t>(s.threshold) >> (std::bit_cast<uint32_t>(x) & 31)) & 1;
  return num ^ ((num ^ cat) & is_cat);
}

// One traversal of a perfect tree: exactly D steps, no leaf test, one decision each.
template <int D, TreeKind K>
inline double PerfectLeaf(const CompiledForest& cf, const CompiledForest::Slot* tree,
                          const float* ext) {
  uint32_t i = 0;
  for (int d = 0; d < D; ++d) {
    const CompiledForest::Slot s = tree[i];
    uint32_t second;
    if constexpr (K == TreeKind::kSpecial) {
      if (s.feature & CompiledForest::kSpecialBit) [[unlikely]] {
        second = cf.SpecialGoesSecond(s.feature & ~CompiledForest::kSpecialBit, ext);
      } else {
        second = ext[s.feature] >= s.threshold;
      }
    } else if constexpr (K == TreeKind::kSmallCat) {
      second = MixedGoesSecond(s, ext);
    } else {
      second = ext[s.feature] >= s.threshold;
    }
    i = 2 * i + 1 + second;
  }
  return LeafAt(tree, i);
}

// One decision of a sparse node: the child index a row takes (a leaf stays on itself). The
// children are adjacent, so the index does not wait on a load addressed by the decision.
template <bool kSpecial>
inline int32_t SparseStep(const CompiledForest& cf, const CompiledForest::SparseNode& n,
                          const float* ext) {
  uint32_t second;
  if (kSpecial && (n.feature & CompiledForest::kSpecialBit)) {
    second = cf.SpecialGoesSecond(n.feature & ~CompiledForest::kSpecialBit, ext);
  } else {
    second = MixedGoesSecond({n.feature, n.threshold}, ext);  // numeric or small categorical
  }
  return n.child[0] + static_cast<int32_t>(second);
}

template <bool kSpecial>
inline double SparseLeaf(const CompiledForest& cf, const CompiledForest::SparseNode* nodes,
                         const double* leaves, int32_t root, const float* ext) {
  int32_t i = root;
  while (true) {
    const CompiledForest::SparseNode& n = nodes[i];
    if (n.child[0] == i) return leaves[i];
    i = SparseStep<kSpecial>(cf, n, ext);
  }
}

// One sparse run for one row, added to p in the documented lane order. kSparseInterleave
// trees step together for as many steps as the deepest of them needs; the ones that reach a
// leaf earlier stay on it (its children are itself), so the steps have no leaf test and the
// trees' load chains overlap.
template <bool kSpecial>
void SparseRunRow(const CompiledForest& cf, const CompiledForest::SparseNode* nodes,
                  const double* leaves, const int32_t* roots, const uint32_t* depths,
                  uint32_t count, const float* ext, double* p) {
  constexpr int G = CompiledForest::kSparseInterleave;
  static_assert(G % 4 == 0, "a group must keep tree t on partial t % 4");
  uint32_t t = 0;
  for (; t + G <= count; t += G) {
    int32_t at[G];
    uint32_t steps = 0;
    for (int j = 0; j < G; ++j) {
      at[j] = roots[t + j];
      steps = std::max(steps, depths[t + j]);
    }
    for (uint32_t s = 0; s < steps; ++s) {
      for (int j = 0; j < G; ++j) at[j] = SparseStep<kSpecial>(cf, nodes[at[j]], ext);
    }
    for (int j = 0; j < G; ++j) p[(t + j) & 3] += leaves[at[j]];
  }
  for (; t < count; ++t) p[t & 3] += SparseLeaf<kSpecial>(cf, nodes, leaves, roots[t], ext);
}

// Sum of one perfect run for one row, in the documented lane order.
template <int D, TreeKind K>
double PerfectRunRow(const CompiledForest& cf, const CompiledForest::Slot* first, uint32_t count,
                     const float* ext) {
  constexpr size_t kStride = size_t{2} << D;
  double p[4] = {0, 0, 0, 0};
  uint32_t t = 0;
  // Four independent traversals per iteration: the CPU overlaps their load chains.
  for (; t + 4 <= count; t += 4) {
    const CompiledForest::Slot* tree = first + t * kStride;
    const double a = PerfectLeaf<D, K>(cf, tree, ext);
    const double b = PerfectLeaf<D, K>(cf, tree + kStride, ext);
    const double c = PerfectLeaf<D, K>(cf, tree + 2 * kStride, ext);
    const double d = PerfectLeaf<D, K>(cf, tree + 3 * kStride, ext);
    p[0] += a;
    p[1] += b;
    p[2] += c;
    p[3] += d;
  }
  for (; t < count; ++t) p[t & 3] += PerfectLeaf<D, K>(cf, first + t * kStride, ext);
  return (p[0] + p[1]) + (p[2] + p[3]);
}

// One perfect run for a block of rows: each tree is applied to every row of the block while
// its slots are in L1. acc is lane-major: acc[lane * acc_stride + r].
template <int D, TreeKind K>
void PerfectRunBlock(const CompiledForest& cf, const CompiledForest::Slot* first, uint32_t count,
                     const float* ext, size_t width, size_t rows, double* acc, size_t acc_stride) {
  constexpr size_t kStride = size_t{2} << D;
  for (uint32_t t = 0; t < count; ++t) {
    const CompiledForest::Slot* tree = first + t * kStride;
    double* lane = acc + (t & 3) * acc_stride;
    size_t r = 0;
    for (; r + 4 <= rows; r += 4) {
      const double a = PerfectLeaf<D, K>(cf, tree, ext + r * width);
      const double b = PerfectLeaf<D, K>(cf, tree, ext + (r + 1) * width);
      const double c = PerfectLeaf<D, K>(cf, tree, ext + (r + 2) * width);
      const double d = PerfectLeaf<D, K>(cf, tree, ext + (r + 3) * width);
      lane[r] += a;
      lane[r + 1] += b;
      lane[r + 2] += c;
      lane[r + 3] += d;
    }
    for (; r < rows; ++r) lane[r] += PerfectLeaf<D, K>(cf, tree, ext + r * width);
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
#define KEEL_HAVE_AVX512_KERNEL 1
// GCC 12's gather intrinsics start from an "undefined" register it then warns about.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// The same traversal for 16 rows at once with AVX-512 gathers: one lane per row, the node
// index vector advanced D times (gather feature and threshold of each lane's node, gather
// the row's value, one masked compare), then the leaves gathered as doubles. Rows are
// independent, so this is the scalar loop vectorised across rows; sums keep the scalar
// path's lane order, so results are bit-identical. Returns the rows it handled (a multiple
// of 16); the caller finishes the rest with the scalar loop.
// The decision of 16 lanes given each lane's row value x: x >= threshold, or for the lanes
// in is_cat (kCat) bit `code` of the mask the threshold's bits hold.
template <bool kCat>
__attribute__((target("avx512f,avx512dq"))) inline __mmask16 LanesDecide(__m512 x, __m512i th,
                                                                         __mmask16 is_cat) {
  __mmask16 second = _mm512_cmp_ps_mask(x, _mm512_castsi512_ps(th), _CMP_GE_OQ);
  if constexpr (kCat) {
    const __m512i code = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(31));
    const __mmask16 cat = _mm512_test_epi32_mask(_mm512_srlv_epi32(th, code), _mm512_set1_epi32(1));
    second = static_cast<__mmask16>((second & ~is_cat) | (cat & is_cat));
  }
  return second;
}

// One level of the vectorised traversal: each lane's node (its Slot fields as raw bits)
// decides for that lane's row whether to go to child 2i+2. kCat adds the small-categorical
// mask test of MixedGoesSecond.
template <bool kCat>
__attribute__((target("avx512f,avx512dq"))) inline __mmask16 LanesGoSecond(__m512i f, __m512i th,
                                                                           __m512i row_off,
                                                                           const float* block) {
  const __m512i cat_bit = _mm512_set1_epi32(static_cast<int>(CompiledForest::kCatBit));
  __mmask16 is_cat = 0;
  if constexpr (kCat) {
    is_cat = _mm512_test_epi32_mask(f, cat_bit);
    f = _mm512_andnot_si512(cat_bit, f);
  }
  const __m512 x = _mm512_i32gather_ps(_mm512_add_epi32(row_off, f), block, 4);
  return LanesDecide<kCat>(x, th, is_cat);
}

// Small-categorical trees (kCat) add the mask test of MixedGoesSecond, lane by lane.
template <int D, bool kCat>
__attribute__((target("avx512f,avx512dq"))) size_t PerfectRunBlockAvx512(
    const CompiledForest::Slot* first, uint32_t count, const float* ext, size_t width, size_t rows,
    double* acc) {
  constexpr size_t kStride = size_t{2} << D;
  const size_t full = rows / 16 * 16;
  const __m512i lane_ids = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i one = _mm512_set1_epi32(1);
  for (size_t r = 0; r < full; r += 16) {
    const __m512i row_off =
        _mm512_mullo_epi32(lane_ids, _mm512_set1_epi32(static_cast<int>(width)));
    const float* block = ext + r * width;
    __m512d lo[4], hi[4];
    for (int l = 0; l < 4; ++l) {
      lo[l] = _mm512_loadu_pd(acc + l * rows + r);
      hi[l] = _mm512_loadu_pd(acc + l * rows + r + 8);
    }
    for (uint32_t t = 0; t < count; ++t) {
      const auto* tree = reinterpret_cast<const char*>(first + t * kStride);
      __m512i idx = _mm512_setzero_si512();
      for (int d = 0; d < D; ++d) {
        const __m512i f = _mm512_i32gather_epi32(idx, tree, 8);
        const __m512i th = _mm512_i32gather_epi32(idx, tree + 4, 8);
        const __mmask16 second = LanesGoSecond<kCat>(f, th, row_off, block);
        idx = _mm512_add_epi32(_mm512_add_epi32(idx, idx), one);
        idx = _mm512_mask_add_epi32(idx, second, idx, one);
      }
      const __m512d leaf_lo = _mm512_i32gather_pd(_mm512_castsi512_si256(idx), tree, 8);
      const __m512d leaf_hi = _mm512_i32gather_pd(_mm512_extracti64x4_epi64(idx, 1), tree, 8);
      lo[t & 3] = _mm512_add_pd(lo[t & 3], leaf_lo);
      hi[t & 3] = _mm512_add_pd(hi[t & 3], leaf_hi);
    }
    for (int l = 0; l < 4; ++l) {
      _mm512_storeu_pd(acc + l * rows + r, lo[l]);
      _mm512_storeu_pd(acc + l * rows + r + 8, hi[l]);
    }
  }
  return full;
}

// Trees of depth <= 6 (at most 63 nodes) kept in registers: each tree's node features and
// thresholds are loaded once per block of rows and split into four registers each, and a
// level's nodes are then picked with in-register permutes instead of gathers. Only the row's
// value and the leaf are gathered. Trees run in the outer loop and accumulate into acc in
// the same lane order as the other kernels, so results are bit-identical.
template <int D, bool kCat>
__attribute__((target("avx512f,avx512dq"))) size_t PerfectRunBlockAvx512Regs(
    const CompiledForest::Slot* first, uint32_t count, const float* ext, size_t width, size_t rows,
    double* acc) {
  static_assert(D >= 1 && D <= 6);
  constexpr size_t kStride = size_t{2} << D;
  constexpr int kInternal = (1 << D) - 1;
  // Registers of 8 slots (16 dwords) holding the internal nodes.
  constexpr int kSlotRegs = (kInternal + 7) / 8;
  const size_t full = rows / 16 * 16;
  if (full == 0) return 0;
  const __m512i lane_ids = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i row_off = _mm512_mullo_epi32(lane_ids, _mm512_set1_epi32(static_cast<int>(width)));
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, one);
  const __m512i bit5 = _mm512_set1_epi32(32);
  for (uint32_t t = 0; t < count; ++t) {
    const auto* tree_slots = first + t * kStride;
    const auto* tree = reinterpret_cast<const char*>(tree_slots);
    __m512i raw[8];
    for (int g = 0; g < 8; ++g) raw[g] = _mm512_setzero_si512();
    for (int g = 0; g < kSlotRegs; ++g) {
      // Masked: never reads past the internal nodes (the last tree ends the array).
      const int dwords = std::min(16, 2 * (kInternal - 8 * g));
      const __mmask16 m = static_cast<__mmask16>((1u << dwords) - 1);
      raw[g] = _mm512_maskz_loadu_epi32(m, tree_slots + 8 * g);
    }
    // fr[j] / tr[j]: features / thresholds of nodes 16j..16j+15.
    __m512i fr[4], tr[4];
    for (int j = 0; j < 4; ++j) {
      fr[j] = _mm512_permutex2var_epi32(raw[2 * j], even, raw[2 * j + 1]);
      tr[j] = _mm512_permutex2var_epi32(raw[2 * j], odd, raw[2 * j + 1]);
    }
    double* lane = acc + (t & 3) * rows;
    for (size_t r = 0; r < full; r += 16) {
      const float* block = ext + r * width;
      __m512i idx = _mm512_setzero_si512();
      for (int d = 0; d < D; ++d) {
        // Nodes of level d are 2^d - 1 .. 2^(d+1) - 2.
        __m512i f, th;
        if (d <= 3) {
          f = _mm512_permutexvar_epi32(idx, fr[0]);
          th = _mm512_permutexvar_epi32(idx, tr[0]);
        } else if (d == 4) {
          f = _mm512_permutex2var_epi32(fr[0], idx, fr[1]);
          th = _mm512_permutex2var_epi32(tr[0], idx, tr[1]);
        } else {
          const __mmask16 upper = _mm512_test_epi32_mask(idx, bit5);
          f = _mm512_mask_blend_epi32(upper, _mm512_permutex2var_epi32(fr[0], idx, fr[1]),
                                      _mm512_permutex2var_epi32(fr[2], idx, fr[3]));
          th = _mm512_mask_blend_epi32(upper, _mm512_permutex2var_epi32(tr[0], idx, tr[1]),
                                       _mm512_permutex2var_epi32(tr[2], idx, tr[3]));
        }
        const __mmask16 second = LanesGoSecond<kCat>(f, th, row_off, block);
        idx = _mm512_add_epi32(_mm512_add_epi32(idx, idx), one);
        idx = _mm512_mask_add_epi32(idx, second, idx, one);
      }
      const __m512d leaf_lo = _mm512_i32gather_pd(_mm512_castsi512_si256(idx), tree, 8);
      const __m512d leaf_hi = _mm512_i32gather_pd(_mm512_extracti64x4_epi64(idx, 1), tree, 8);
      _mm512_storeu_pd(lane + r, _mm512_add_pd(_mm512_loadu_pd(lane + r), leaf_lo));
      _mm512_storeu_pd(lane + r + 8, _mm512_add_pd(_mm512_loadu_pd(lane + r + 8), leaf_hi));
    }
  }
  return full;
}

template <bool kCat>
size_t PerfectRunBlockAvx512Depth(int depth, const CompiledForest::Slot* first, uint32_t count,
                                  const float* ext, size_t width, size_t rows, double* acc) {
  switch (depth) {
    case 1:
      return PerfectRunBlockAvx512Regs<1, kCat>(first, count, ext, width, rows, acc);
    case 2:
      return PerfectRunBlockAvx512Regs<2, kCat>(first, count, ext, width, rows, acc);
    case 3:
      return PerfectRunBlockAvx512Regs<3, kCat>(first, count, ext, width, rows, acc);
    case 4:
      return PerfectRunBlockAvx512Regs<4, kCat>(first, count, ext, width, rows, acc);
    case 5:
      return PerfectRunBlockAvx512Regs<5, kCat>(first, count, ext, width, rows, acc);
    case 6:
      return PerfectRunBlockAvx512Regs<6, kCat>(first, count, ext, width, rows, acc);
    case 7:
      return PerfectRunBlockAvx512<7, kCat>(first, count, ext, width, rows, acc);
    default:
      return PerfectRunBlockAvx512<8, kCat>(first, count, ext, width, rows, acc);
  }
}

size_t PerfectRunBlockAvx512Dispatch(int depth, bool small_cat, const CompiledForest::Slot* first,
                                     uint32_t count, const float* ext, size_t width, size_t rows,
                                     double* acc) {
  return small_cat ? PerfectRunBlockAvx512Depth<true>(depth, first, count, ext, width, rows, acc)
                   : PerfectRunBlockAvx512Depth<false>(depth, first, count, ext, width, rows, acc);
}

// Where the single-row kernel reads the row's value for each lane's feature: gathered from
// memory, or, for rows of at most 32 floats, picked from two registers (a permute instead
// of a gather; it reads the index's low 5 bits, so flag bits need no masking).
struct GatherRow {
  const float* ext;
  __attribute__((target("avx512f,avx512dq"))) __m512 Fetch(__m512i f) const {
    const __m512i cat_bit = _mm512_set1_epi32(static_cast<int>(CompiledForest::kCatBit));
    return _mm512_i32gather_ps(_mm512_andnot_si512(cat_bit, f), ext, 4);
  }
};
struct RegisterRow {
  __m512 lo, hi;
  __attribute__((target("avx512f,avx512dq"))) __m512 Fetch(__m512i f) const {
    return _mm512_permutex2var_ps(lo, f, hi);
  }
};

// One step of 16 lanes: each lane's node decides, the lane moves to child[0] or child[1].
template <bool kCat, class Row>
__attribute__((target("avx512f,avx512dq"))) inline __m512i SparseLanesStep(
    const CompiledForest::SparseNode* nodes, __m512i at, const Row& row) {
  static_assert(sizeof(CompiledForest::SparseNode) == 16, "gathers address 4-int nodes");
  const int* base = reinterpret_cast<const int*>(nodes);
  const __m512i q = _mm512_slli_epi32(at, 2);  // int offset of the node
  const __m512i f = _mm512_i32gather_epi32(q, base, 4);
  const __m512i th = _mm512_i32gather_epi32(q, base + 1, 4);
  const __m512i c0 = _mm512_i32gather_epi32(q, base + 2, 4);
  const __mmask16 is_cat =
      kCat ? _mm512_test_epi32_mask(f, _mm512_set1_epi32(static_cast<int>(CompiledForest::kCatBit)))
           : 0;
  const __mmask16 second = LanesDecide<kCat>(row.Fetch(f), th, is_cat);
  return _mm512_mask_add_epi32(c0, second, c0, _mm512_set1_epi32(1));
}

// Lanes t..min(t + 16, n) of a chunk: their roots (lanes past n repeat root t and are never
// stored), the most steps any of them needs, and how many there are.
struct SparseLanes {
  __m512i at;
  uint32_t steps;
  uint32_t count;
};
__attribute__((target("avx512f,avx512dq"))) inline SparseLanes LoadSparseLanes(
    const int32_t* roots, const uint32_t* depths, uint32_t t, uint32_t n) {
  const uint32_t count = std::min(16u, n - t);
  const __mmask16 m = static_cast<__mmask16>((1u << count) - 1);
  const __m512i at = _mm512_mask_loadu_epi32(_mm512_set1_epi32(roots[t]), m, roots + t);
  const uint32_t steps = _mm512_reduce_max_epu32(_mm512_maskz_loadu_epi32(m, depths + t));
  return {at, steps, count};
}

// Stores the leaf each of the first `count` lanes stands on to out[pos[lane]].
__attribute__((target("avx512f,avx512dq"))) inline void SparseLanesStore(__m512i at, uint32_t count,
                                                                         const double* leaves,
                                                                         const uint32_t* pos,
                                                                         double* out) {
  alignas(64) double v[16];
  _mm512_store_pd(v, _mm512_i32gather_pd(_mm512_castsi512_si256(at), leaves, 8));
  _mm512_store_pd(v + 8, _mm512_i32gather_pd(_mm512_extracti64x4_epi64(at, 1), leaves, 8));
  for (uint32_t j = 0; j < count; ++j) out[pos[j]] = v[j];
}

// Vectors of 16 lanes walked together (their gathers overlap); three measured best.
constexpr uint32_t kSparseVectors = 3;

// Walks lanes t..t + 16 V (or n) of a chunk together until the deepest is at its leaf, and
// stores their leaves to out[pos[lane]].
template <int V, bool kCat, class Row>
__attribute__((target("avx512f,avx512dq"))) inline void SparseVectorsWalk(
    const CompiledForest::SparseNode* nodes, const double* leaves, const int32_t* roots,
    const uint32_t* depths, const uint32_t* pos, uint32_t t, uint32_t n, const Row& row,
    double* out) {
  SparseLanes v[V];
  uint32_t steps = 0;
  for (int i = 0; i < V; ++i) {
    v[i] = LoadSparseLanes(roots, depths, t + 16 * i, n);
    steps = std::max(steps, v[i].steps);
  }
  for (uint32_t s = 0; s < steps; ++s) {
    for (int i = 0; i < V; ++i) v[i].at = SparseLanesStep<kCat>(nodes, v[i].at, row);
  }
  for (int i = 0; i < V; ++i) SparseLanesStore(v[i].at, v[i].count, leaves, pos + t + 16 * i, out);
}

// Deep trees of one run for one row, 16 trees per vector (one lane per tree, the last vector
// of a chunk possibly partly filled): each step
// gathers the lanes' node fields and row values and adds the decision to child[0], for as
// many steps as the deepest of the 16 needs (leaves stay put, see SparseNode). Lanes take
// the trees in the run's lane order (by depth within each kSparseLaneChunk trees, so a
// vector wastes few steps); kSparseVectors vectors are in flight so that their gathers
// overlap. The leaves are put back in model order and added to p[t % 4] as the scalar loop
// does, so the sums are the same bits. Needs node indices below 2^29 (the byte-offset index
// of a gather is 32-bit) and no out-of-line split.
template <bool kCat, class Row>
__attribute__((target("avx512f,avx512dq"))) void SparseRunRowLanes(
    const CompiledForest& cf, const CompiledForest::SparseNode* nodes, const double* leaves,
    const int32_t* lane_roots, const uint32_t* lane_depths, const uint32_t* lane_pos,
    uint32_t count, const float* ext, const Row& row, double* p) {
  constexpr uint32_t kChunk = CompiledForest::kSparseLaneChunk;
  double out[kChunk];
  for (uint32_t chunk = 0; chunk < count; chunk += kChunk) {
    const uint32_t n = std::min(kChunk, count - chunk);
    const int32_t* roots = lane_roots + chunk;
    const uint32_t* depths = lane_depths + chunk;
    const uint32_t* pos = lane_pos + chunk;
    for (uint32_t t = 0; t < n; t += 16 * kSparseVectors) {
      switch (std::min(kSparseVectors, (n - t + 15) / 16)) {
        case 3:
          SparseVectorsWalk<3, kCat>(nodes, leaves, roots, depths, pos, t, n, row, out);
          break;
        case 2:
          SparseVectorsWalk<2, kCat>(nodes, leaves, roots, depths, pos, t, n, row, out);
          break;
        default:
          SparseVectorsWalk<1, kCat>(nodes, leaves, roots, depths, pos, t, n, row, out);
          break;
      }
    }
    for (uint32_t i = 0; i < n; ++i) p[(chunk + i) & 3] += out[i];
  }
}

// Perfect trees of one run for one row, 16 trees per vector (one lane per tree, heap index
// i -> 2i + 1 + decision, D steps), kSparseVectors vectors at a time; the leaves are added
// to p[t % 4] in model order like the scalar loop. Needs fewer than 2^30 slots (kMaxSlots).
template <int D, bool kCat, class Row>
__attribute__((target("avx512f,avx512dq"))) void PerfectRunRowLanes(
    const CompiledForest::Slot* first, uint32_t count, const Row& row, double* p) {
  static_assert(kMaxSlots <= (size_t{1} << 29), "slot offsets in ints fit 31 bits");
  constexpr int32_t kStride = int32_t{2} << D;
  constexpr uint32_t V = kSparseVectors;
  const int* base = reinterpret_cast<const int*>(first);
  const __m512i lanes = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  const __m512i cat_bit = _mm512_set1_epi32(static_cast<int>(CompiledForest::kCatBit));
  for (uint32_t t = 0; t < count; t += 16 * V) {
    __m512i tree[V], at[V];
    for (uint32_t v = 0; v < V; ++v) {
      // Lanes past count walk tree t again and are never added.
      const __m512i idx =
          _mm512_min_epu32(_mm512_add_epi32(lanes, _mm512_set1_epi32(static_cast<int>(t + 16 * v))),
                           _mm512_set1_epi32(static_cast<int>(count - 1)));
      tree[v] = _mm512_mullo_epi32(idx, _mm512_set1_epi32(kStride));
      at[v] = _mm512_setzero_si512();
    }
    for (int d = 0; d < D; ++d) {
      for (uint32_t v = 0; v < V; ++v) {
        const __m512i q = _mm512_slli_epi32(_mm512_add_epi32(tree[v], at[v]), 1);
        const __m512i f = _mm512_i32gather_epi32(q, base, 4);
        const __m512i th = _mm512_i32gather_epi32(q, base + 1, 4);
        const __mmask16 is_cat = kCat ? _mm512_test_epi32_mask(f, cat_bit) : 0;
        const __mmask16 second = LanesDecide<kCat>(row.Fetch(f), th, is_cat);
        at[v] = _mm512_add_epi32(_mm512_add_epi32(at[v], at[v]), _mm512_set1_epi32(1));
        at[v] = _mm512_mask_add_epi32(at[v], second, at[v], _mm512_set1_epi32(1));
      }
    }
    for (uint32_t v = 0; v < V && t + 16 * v < count; ++v) {
      const __m512i s = _mm512_add_epi32(tree[v], at[v]);
      alignas(64) double leaf[16];
      _mm512_store_pd(leaf, _mm512_i32gather_pd(_mm512_castsi512_si256(s), first, 8));
      _mm512_store_pd(leaf + 8, _mm512_i32gather_pd(_mm512_extracti64x4_epi64(s, 1), first, 8));
      const uint32_t n = std::min(16u, count - (t + 16 * v));
      for (uint32_t j = 0; j < n; ++j) p[j & 3] += leaf[j];
    }
  }
}

// Calls f with the row source for ext: two registers for <= 32 floats, else gathers.
template <class F>
__attribute__((target("avx512f,avx512dq"))) inline void WithRow(const float* ext, size_t width,
                                                                F&& f) {
  if (width <= 32) {
    const __mmask16 lo = static_cast<__mmask16>(width >= 16 ? 0xFFFFu : (1u << width) - 1);
    const __mmask16 hi = static_cast<__mmask16>(width >= 32   ? 0xFFFFu
                                                : width <= 16 ? 0u
                                                              : (1u << (width - 16)) - 1);
    f(RegisterRow{_mm512_maskz_loadu_ps(lo, ext), _mm512_maskz_loadu_ps(hi, ext + 16)});
  } else {
    f(GatherRow{ext});
  }
}

template <bool kCat>
__attribute__((target("avx512f,avx512dq"))) double PerfectRunRowAvx512(
    int depth, const CompiledForest::Slot* first, uint32_t count, const float* ext, size_t width) {
  double p[4] = {0, 0, 0, 0};
  WithRow(
      ext, width, [&](const auto& row) __attribute__((target("avx512f,avx512dq"))) {
        switch (depth) {
          case 1:
            PerfectRunRowLanes<1, kCat>(first, count, row, p);
            break;
          case 2:
            PerfectRunRowLanes<2, kCat>(first, count, row, p);
            break;
          case 3:
            PerfectRunRowLanes<3, kCat>(first, count, row, p);
            break;
          case 4:
            PerfectRunRowLanes<4, kCat>(first, count, row, p);
            break;
          case 5:
            PerfectRunRowLanes<5, kCat>(first, count, row, p);
            break;
          case 6:
            PerfectRunRowLanes<6, kCat>(first, count, row, p);
            break;
          case 7:
            PerfectRunRowLanes<7, kCat>(first, count, row, p);
            break;
          default:
            PerfectRunRowLanes<8, kCat>(first, count, row, p);
            break;
        }
      });
  return (p[0] + p[1]) + (p[2] + p[3]);
}

template <bool kCat>
__attribute__((target("avx512f,avx512dq"))) void SparseRunRowAvx512(
    const CompiledForest& cf, const CompiledForest::SparseNode* nodes, const double* leaves,
    const int32_t* lane_roots, const uint32_t* lane_depths, const uint32_t* lane_pos,
    uint32_t count, const float* ext, double* p) {
  WithRow(
      ext, cf.ext_width(), [&](const auto& row) __attribute__((target("avx512f,avx512dq"))) {
        SparseRunRowLanes<kCat>(cf, nodes, leaves, lane_roots, lane_depths, lane_pos, count, ext,
                                row, p);
      });
}

bool CpuHasAvx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}
#pragma GCC diagnostic pop
#else
bool CpuHasAvx512() {
  return false;
}
#endif

std::atomic<bool> g_simd_enabled{CpuHasAvx512()};

template <TreeKind K>
double PerfectRunRowDispatch(const CompiledForest& cf, int depth, const CompiledForest::Slot* first,
                             uint32_t count, const float* ext) {
  switch (depth) {
    case 1:
      return PerfectRunRow<1, K>(cf, first, count, ext);
    case 2:
      return PerfectRunRow<2, K>(cf, first, count, ext);
    case 3:
      return PerfectRunRow<3, K>(cf, first, count, ext);
    case 4:
      return PerfectRunRow<4, K>(cf, first, count, ext);
    case 5:
      return PerfectRunRow<5, K>(cf, first, count, ext);
    case 6:
      return PerfectRunRow<6, K>(cf, first, count, ext);
    case 7:
      return PerfectRunRow<7, K>(cf, first, count, ext);
    default:
      return PerfectRunRow<8, K>(cf, first, count, ext);
  }
}

template <TreeKind K>
void PerfectRunBlockDispatch(const CompiledForest& cf, int depth, const CompiledForest::Slot* first,
                             uint32_t count, const float* ext, size_t width, size_t rows,
                             double* acc, size_t acc_stride) {
  switch (depth) {
    case 1:
      return PerfectRunBlock<1, K>(cf, first, count, ext, width, rows, acc, acc_stride);
    case 2:
      return PerfectRunBlock<2, K>(cf, first, count, ext, width, rows, acc, acc_stride);
    case 3:
      return PerfectRunBlock<3, K>(cf, first, count, ext, width, rows, acc, acc_stride);
    case 4:
      return PerfectRunBlock<4, K>(cf, first, count, ext, width, rows, acc, acc_stride);
    case 5:
      return PerfectRunBlock<5, K>(cf, first, count, ext, width, rows, acc, acc_stride);
    case 6:
      return PerfectRunBlock<6, K>(cf, first, count, ext, width, rows, acc, acc_stride);
    case 7:
      return PerfectRunBlock<7, K>(cf, first, count, ext, width, rows, acc, acc_stride);
    default:
      return PerfectRunBlock<8, K>(cf, first, count, ext, width, rows, acc, acc_stride);
  }
}

}  // namespace

void CompiledForest::RawRow(const float* ext, double* margins) const {
  for (int k = 0; k < num_outputs_; ++k) margins[k] = base_[static_cast<size_t>(k)];
  for (const Run& run : runs_) {
    double sum;
    if (run.depth >= 0) {
      const Slot* first = slots_base_ + run.offset;
#ifdef KEEL_HAVE_AVX512_KERNEL
      if (run.kind != TreeKind::kSpecial && g_simd_enabled.load(std::memory_order_relaxed)) {
        sum = run.kind == TreeKind::kSmallCat
                  ? PerfectRunRowAvx512<true>(run.depth, first, run.num_trees, ext, ext_width_)
                  : PerfectRunRowAvx512<false>(run.depth, first, run.num_trees, ext, ext_width_);
        margins[run.output] += sum;
        continue;
      }
#endif
      switch (run.kind) {
        case TreeKind::kPlain:
          sum =
              PerfectRunRowDispatch<TreeKind::kPlain>(*this, run.depth, first, run.num_trees, ext);
          break;
        case TreeKind::kSmallCat:
          sum = PerfectRunRowDispatch<TreeKind::kSmallCat>(*this, run.depth, first, run.num_trees,
                                                           ext);
          break;
        default:
          sum = PerfectRunRowDispatch<TreeKind::kSpecial>(*this, run.depth, first, run.num_trees,
                                                          ext);
          break;
      }
    } else {
      const int32_t* roots = sparse_roots_.data() + run.offset;
      const uint32_t* depths = sparse_depths_.data() + run.offset;
      double p[4] = {0, 0, 0, 0};
      bool done = false;
#ifdef KEEL_HAVE_AVX512_KERNEL
      if (!has_special_ && sparse_nodes_.size() < (size_t{1} << 29) &&
          g_simd_enabled.load(std::memory_order_relaxed)) {
        const int32_t* lane_roots = sparse_lane_roots_.data() + run.offset;
        const uint32_t* lane_depths = sparse_lane_depths_.data() + run.offset;
        const uint32_t* lane_pos = sparse_lane_pos_.data() + run.offset;
        if (code_features_.empty()) {
          SparseRunRowAvx512<false>(*this, sparse_nodes_.data(), sparse_leaves_.data(), lane_roots,
                                    lane_depths, lane_pos, run.num_trees, ext, p);
        } else {
          SparseRunRowAvx512<true>(*this, sparse_nodes_.data(), sparse_leaves_.data(), lane_roots,
                                   lane_depths, lane_pos, run.num_trees, ext, p);
        }
        done = true;
      }
#endif
      if (!done && has_special_) {
        SparseRunRow<true>(*this, sparse_nodes_.data(), sparse_leaves_.data(), roots, depths,
                           run.num_trees, ext, p);
      } else if (!done) {
        SparseRunRow<false>(*this, sparse_nodes_.data(), sparse_leaves_.data(), roots, depths,
                            run.num_trees, ext, p);
      }
      sum = (p[0] + p[1]) + (p[2] + p[3]);
    }
    margins[run.output] += sum;
  }
}

void CompiledForest::RawBlock(const float* ext, size_t rows, double* margins, double* acc) const {
  const size_t k = static_cast<size_t>(num_outputs_);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t o = 0; o < k; ++o) margins[r * k + o] = base_[o];
  }
  // Decided once per block: the vector kernel handles plain and small-categorical runs.
  const bool simd =
      g_simd_enabled.load(std::memory_order_relaxed) && ext_width_ * 16 < (size_t{1} << 31);
  for (const Run& run : runs_) {
    std::fill(acc, acc + 4 * rows, 0.0);
    if (run.depth >= 0) {
      const Slot* first = slots_base_ + run.offset;
      size_t done = 0;
#ifdef KEEL_HAVE_AVX512_KERNEL
      if (simd && run.kind != TreeKind::kSpecial)
        done = PerfectRunBlockAvx512Dispatch(run.depth, run.kind == TreeKind::kSmallCat, first,
                                             run.num_trees, ext, ext_width_, rows, acc);
#endif
      if (done < rows) {
        // The rows the vector kernel left (fewer than 16), accumulating in place.
        const float* e = ext + done * ext_width_;
        const size_t left = rows - done;
        switch (run.kind) {
          case TreeKind::kPlain:
            PerfectRunBlockDispatch<TreeKind::kPlain>(*this, run.depth, first, run.num_trees, e,
                                                      ext_width_, left, acc + done, rows);
            break;
          case TreeKind::kSmallCat:
            PerfectRunBlockDispatch<TreeKind::kSmallCat>(*this, run.depth, first, run.num_trees, e,
                                                         ext_width_, left, acc + done, rows);
            break;
          default:
            PerfectRunBlockDispatch<TreeKind::kSpecial>(*this, run.depth, first, run.num_trees, e,
                                                        ext_width_, left, acc + done, rows);
            break;
        }
      }
    } else {
      for (uint32_t t = 0; t < run.num_trees; ++t) {
        const int32_t root = sparse_roots_[run.offset + t];
        double* lane = acc + (t & 3) * rows;
        for (size_t r = 0; r < rows; ++r) {
          const float* e = ext + r * ext_width_;
          lane[r] +=
              has_special_
                  ? SparseLeaf<true>(*this, sparse_nodes_.data(), sparse_leaves_.data(), root, e)
                  : SparseLeaf<false>(*this, sparse_nodes_.data(), sparse_leaves_.data(), root, e);
        }
      }
    }
    for (size_t r = 0; r < rows; ++r) {
      margins[r * k + static_cast<size_t>(run.output)] +=
          (acc[r] + acc[rows + r]) + (acc[2 * rows + r] + acc[3 * rows + r]);
    }
  }
}

bool CompiledForest::SetSimdEnabled(bool enabled) {
  return g_simd_enabled.exchange(enabled && CpuHasAvx512());
}

bool CompiledForest::SimdEnabled() {
  return g_simd_enabled.load();
}

bool CompiledForest::SimdSupported() {
  return CpuHasAvx512();
}

}  // namespace keel
