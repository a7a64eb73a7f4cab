#include "explain/tree_shap.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "model/split_rule.h"

namespace keel {
namespace {

// Subset tables are built for leaves with at most this many distinct path features (a leaf
// then holds at most 4096 doubles); deeper leaves use polynomials.
constexpr int kMaxTableFeatures = 12;
// Guard against pathological forests: the total length of all root-to-leaf paths.
constexpr uint64_t kMaxTotalPathLength = uint64_t{1} << 28;

enum NodeFlag : uint8_t {
  kDefaultLeft = 1,
  kLessEqual = 2,
  kZeroIsMissing = 4,
  kCategorical = 8,
  kCategoriesLeft = 16,
};

// A split in evaluation order. Internal nodes of a tree are numbered in preorder, so a
// parent always precedes its children; leaves are numbered after the internal nodes.
struct SplitNode {
  double threshold = 0;
  int32_t feature = 0;
  int32_t left_slot = 0;  // internal index, or num_internal + leaf index
  int32_t right_slot = 0;
  int32_t cat_begin = 0;  // categorical: codes in categories_[cat_begin, cat_begin + cat_count)
  int32_t cat_count = 0;
  uint8_t flags = 0;
  uint8_t bit = 0;  // subset tables: the position of this node's feature on its path
};

struct LeafInfo {
  double value = 0;
  int64_t table_begin = 0;   // subset tables: offset of the leaf's 2^D entries
  int32_t path_begin = 0;    // into path_features_: the leaf's D distinct features
  int32_t num_features = 0;  // D
  int32_t cond_begin = 0;    // leaf polynomials: into conditions_
  int32_t cond_count = 0;
  uint32_t full_mask = 0;  // subset tables: the D low bits
};

struct PathFeature {
  int32_t feature = 0;
  double zero_fraction = 1;  // z: product of the cover fractions of the path's edges on it
};

// A path feature of a leaf in the subset-table form: what it adds is coef[hot] * T[index].
// Leaves are padded to their tree's widest path with entries whose coefs are 0.
struct TableEntry {
  double coef[2] = {0, 0};  // cold: -1; hot: (1 - z) / z
  int32_t feature = 0;
};

// One edge of a leaf's path, for the polynomial form: the row is "hot" for path feature `k`
// only if it goes the edge's way at every such split.
struct PathCondition {
  int32_t node = 0;  // internal index
  int32_t k = 0;
  uint8_t go_left = 0;
};

struct CompiledTree {
  int32_t node_begin = 0;
  int32_t num_internal = 0;
  int32_t leaf_begin = 0;
  int32_t num_leaves = 0;
  int32_t output = 0;
  int32_t max_features = 0;  // the largest D of its leaves
  int64_t entry_begin = 0;   // subset tables: num_leaves * max_features TableEntry
  bool table = false;
  bool has_categorical = false;
};

// The Shapley weights w(s, D) = s! (D - s - 1)! / D! for s < D, and w(D, D) = 0 (never
// needed: a subset of the other features has at most D - 1 members).
class ShapleyWeights {
 public:
  explicit ShapleyWeights(int max_d) : max_d_(max_d) {
    w_.assign(static_cast<size_t>(max_d + 1) * static_cast<size_t>(max_d + 1), 0.0);
    for (int d = 1; d <= max_d; ++d) {
      double* row = w_.data() + static_cast<size_t>(d) * static_cast<size_t>(max_d + 1);
      row[0] = 1.0 / d;
      for (int s = 0; s + 1 < d; ++s) row[s + 1] = row[s] * (s + 1) / (d - s - 1);
    }
  }
  const double* row(int d) const {
    return w_.data() + static_cast<size_t>(d) * static_cast<size_t>(max_d_ + 1);
  }

 private:
  int max_d_;
  std::vector<double> w_;
};

class TreeShap final : public Explainer {
 public:
  static Result<std::unique_ptr<TreeShap>> Build(const Model& model,
                                                 const ExplainerOptions& options,
                                                 TreeShapStats* stats);

  void ExplainRows(const float* rows, size_t n, size_t stride, double* out,
                   ExplainScratch* scratch) const override;
  void ExplainRows64(const double* rows, size_t n, size_t stride, double* out,
                     ExplainScratch* scratch) const override;

 private:
  TreeShap() = default;

  // Compiling a tree: CompileTree runs the steps below in order, appending the tree's nodes,
  // leaves, paths and (when they fit) subset tables to the forest-wide arrays.
  Status CompileTree(const Model& model, size_t t, const ExplainerOptions& options,
                     size_t* table_bytes, TreeShapStats* stats);
  // Internal nodes and leaves numbered separately in preorder, so a parent always precedes
  // its children.
  struct NodeNumbering {
    std::vector<int32_t> index;  // a tree node's internal or leaf number
    std::vector<int32_t> order;  // tree nodes in preorder
    int32_t num_internal = 0;
    int32_t num_leaves = 0;
  };
  // FailedPrecondition unless every split has a positive finite cover and no cover is negative.
  static Status CheckCovers(const Tree& tree, size_t t);
  static NodeNumbering NumberNodes(const std::vector<TreeNode>& src);
  // The tree's splits in evaluation form (nodes_, categories_); marks the features used.
  void CompileSplits(const std::vector<TreeNode>& src, const NodeNumbering& numbering,
                     CompiledTree* ct);
  // Walks every root-to-leaf path: each leaf's distinct features in first-occurrence order with
  // their cover fractions, its path conditions, each split's bit for the subset table, and the
  // leaf's share of the expected value. Clears *table_possible when a cover fraction makes the
  // table form divide by zero. Errors: ResourceExhausted when the paths get too long in total.
  Status CompilePaths(const Model& model, const std::vector<TreeNode>& src,
                      const NodeNumbering& numbering, CompiledTree* ct, bool* table_possible);
  // The subset-table form (sets ct->table), when the options ask for it, the paths are short
  // enough, the memory cap allows and every table entry is finite; else the tree keeps the
  // leaf-polynomial form.
  void BuildTables(const ExplainerOptions& options, bool table_possible, size_t* table_bytes,
                   CompiledTree* ct);
  void BuildLeafTable(const LeafInfo& leaf, std::vector<double>* polys);

  // Float rows: the float32 rules; double rows: the float64 rules (model/split_rule.h).
  template <bool kCategoricalSplits>
  bool GoesLeft(const SplitNode& n, float xf) const;
  template <bool kCategoricalSplits>
  bool GoesLeft(const SplitNode& n, double x) const;
  template <typename T>
  void ExplainRowsAs(const T* rows, size_t n, size_t stride, double* out,
                     ExplainScratch* scratch) const;
  template <typename T, bool kCategoricalSplits, int kWidth>
  void TableRows(const CompiledTree& t, const T* rows, size_t n, size_t stride, double* out,
                 uint32_t* masks) const;
  template <typename T, bool kCategoricalSplits>
  void TableRowsAnyWidth(const CompiledTree& t, const T* rows, size_t n, size_t stride, double* out,
                         uint32_t* masks) const;
  template <typename T, bool kCategoricalSplits>
  void PolynomialRows(const CompiledTree& t, const T* rows, size_t n, size_t stride, double* out,
                      uint32_t* words, double* numbers) const;

  std::vector<CompiledTree> trees_;  // trees with at least one split
  std::vector<SplitNode> nodes_;
  std::vector<LeafInfo> leaves_;
  std::vector<PathFeature> path_features_;
  std::vector<TableEntry> table_entries_;
  std::vector<PathCondition> conditions_;
  std::vector<int32_t> categories_;
  std::vector<double> tables_;
  ShapleyWeights weights_{0};
  int max_path_features_ = 0;
  int max_slots_ = 0;  // largest num_internal + num_leaves
  bool f64_ = false;   // a float64 model: rows are decided as doubles
};

// As CategoryListed (model/split_rule.h), on the pooled category lists.
bool CategoryInSet(const int32_t* codes, int32_t count, float x) {
  const int64_t code = CategoryCodeOf(x);
  return code >= 0 && std::binary_search(codes, codes + count, static_cast<int32_t>(code));
}

// The decision of model/split_rule.h's GoesLeft, on the compiled node.
template <bool kCategoricalSplits>
inline bool TreeShap::GoesLeft(const SplitNode& n, float xf) const {
  const double x = xf;
  const bool default_left = (n.flags & kDefaultLeft) != 0;
  if constexpr (kCategoricalSplits) {
    if (n.flags & kCategorical) {
      if (std::isnan(x)) return default_left;
      const bool in = CategoryInSet(categories_.data() + n.cat_begin, n.cat_count, xf);
      return in == ((n.flags & kCategoriesLeft) != 0);
    }
  }
  // Branch-free: every row of a block takes a different way through the same nodes.
  const bool missing = std::isnan(x) || (((n.flags & kZeroIsMissing) != 0) & (x == 0.0));
  const bool left = (x < n.threshold) | (((n.flags & kLessEqual) != 0) & (x == n.threshold));
  return missing ? default_left : left;
}

// The decision of model/split_rule.h's GoesLeft64 (a float64 model), on the compiled node.
// CompileSplits folded kNaNAsZero into the default side, which is where a NaN read as 0 goes.
template <bool kCategoricalSplits>
inline bool TreeShap::GoesLeft(const SplitNode& n, double x) const {
  const bool default_left = (n.flags & kDefaultLeft) != 0;
  if (std::isnan(x)) return default_left;
  x = FoldTinyToZero(x);
  if constexpr (kCategoricalSplits) {
    if (n.flags & kCategorical) {
      const int64_t code = CategoryCodeOf64(x);
      const int32_t* codes = categories_.data() + n.cat_begin;
      const bool in =
          code >= 0 && std::binary_search(codes, codes + n.cat_count, static_cast<int32_t>(code));
      return in == ((n.flags & kCategoriesLeft) != 0);
    }
  }
  const bool missing = ((n.flags & kZeroIsMissing) != 0) & (x == 0.0);
  const bool left = (x < n.threshold) | (((n.flags & kLessEqual) != 0) & (x == n.threshold));
  return missing ? default_left : left;
}

Status TreeShap::CheckCovers(const Tree& tree, size_t t) {
  for (size_t i = 0; i < tree.nodes.size(); ++i) {
    const TreeNode& node = tree.nodes[i];
    if (!node.is_leaf() && !(node.cover > 0 && std::isfinite(node.cover))) {
      return Status::FailedPrecondition(
          "tree {} node {} has cover {}; TreeSHAP needs each split node's training cover "
          "(hessian sum) to be positive",
          t, i, node.cover);
    }
    if (!(node.cover >= 0 && std::isfinite(node.cover))) {
      return Status::FailedPrecondition("tree {} node {} has cover {}; covers must be >= 0", t, i,
                                        node.cover);
    }
  }
  return Status::OK();
}

TreeShap::NodeNumbering TreeShap::NumberNodes(const std::vector<TreeNode>& src) {
  NodeNumbering n;
  n.index.assign(src.size(), -1);
  n.order.reserve(src.size());
  std::vector<int32_t> stack = {0};
  while (!stack.empty()) {
    const int32_t i = stack.back();
    stack.pop_back();
    n.order.push_back(i);
    if (src[static_cast<size_t>(i)].is_leaf()) {
      n.index[static_cast<size_t>(i)] = n.num_leaves++;
    } else {
      n.index[static_cast<size_t>(i)] = n.num_internal++;
      stack.push_back(src[static_cast<size_t>(i)].right);
      stack.push_back(src[static_cast<size_t>(i)].left);
    }
  }
  return n;
}

void TreeShap::CompileSplits(const std::vector<TreeNode>& src, const NodeNumbering& numbering,
                             CompiledTree* ct) {
  const std::vector<int32_t>& index = numbering.index;
  auto slot = [&](int32_t i) {
    return src[static_cast<size_t>(i)].is_leaf() ? ct->num_internal + index[static_cast<size_t>(i)]
                                                 : index[static_cast<size_t>(i)];
  };
  nodes_.resize(nodes_.size() + static_cast<size_t>(ct->num_internal));
  SplitNode* out_nodes = nodes_.data() + ct->node_begin;
  for (int32_t i : numbering.order) {
    const TreeNode& node = src[static_cast<size_t>(i)];
    if (node.is_leaf()) continue;
    SplitNode& n = out_nodes[index[static_cast<size_t>(i)]];
    n.feature = node.feature;
    n.left_slot = slot(node.left);
    n.right_slot = slot(node.right);
    bool default_left = node.default_left;
    if (node.is_categorical) {
      ct->has_categorical = true;
      n.flags |= kCategorical;
      if (node.categories_left) n.flags |= kCategoriesLeft;
      n.cat_begin = static_cast<int32_t>(categories_.size());
      n.cat_count = static_cast<int32_t>(node.categories.size());
      categories_.insert(categories_.end(), node.categories.begin(), node.categories.end());
    } else {
      n.threshold = node.threshold;
      if (node.less_equal) n.flags |= kLessEqual;
      switch (node.missing_rule) {
        case MissingRule::kNaN:
          break;
        case MissingRule::kZeroOrNaN:
          n.flags |= kZeroIsMissing;
          break;
        case MissingRule::kNaNAsZero:
          // Missing reads as 0, so it always goes where 0 goes.
          default_left = node.less_equal ? 0.0 <= node.threshold : 0.0 < node.threshold;
          break;
      }
    }
    if (default_left) n.flags |= kDefaultLeft;
    used_features_[static_cast<size_t>(node.feature)] = 1;
  }
}

Status TreeShap::CompilePaths(const Model& model, const std::vector<TreeNode>& src,
                              const NodeNumbering& numbering, CompiledTree* ct,
                              bool* table_possible) {
  const std::vector<int32_t>& index = numbering.index;
  SplitNode* out_nodes = nodes_.data() + ct->node_begin;
  leaves_.resize(leaves_.size() + static_cast<size_t>(ct->num_leaves));
  LeafInfo* out_leaves = leaves_.data() + ct->leaf_begin;
  std::vector<int32_t> path_node;  // ancestors of the current node, by depth
  std::vector<uint8_t> path_left;  // whether the path goes left below path_node[d]
  std::vector<int32_t> feature_slot(model.features.size(), -1);
  int tree_max_d = 0;
  uint64_t total_path = 0;
  struct Frame {
    int32_t node;
    int32_t depth;
    int32_t parent;
    uint8_t went_left;
  };
  std::vector<Frame> stack = {{0, 0, -1, 0}};
  while (!stack.empty()) {
    const Frame f = stack.back();
    stack.pop_back();
    const auto depth = static_cast<size_t>(f.depth);
    if (f.depth > 0) {
      path_node.resize(depth);
      path_left.resize(depth);
      path_node[depth - 1] = f.parent;
      path_left[depth - 1] = f.went_left;
    }
    const TreeNode& node = src[static_cast<size_t>(f.node)];
    if (!node.is_leaf()) {
      stack.push_back({node.right, f.depth + 1, f.node, 0});
      stack.push_back({node.left, f.depth + 1, f.node, 1});
      continue;
    }
    total_path += depth;
    if (total_path > kMaxTotalPathLength) {
      return Status::ResourceExhausted(
          "the forest's root-to-leaf paths are longer than {} nodes in total; too deep to "
          "explain",
          kMaxTotalPathLength);
    }
    LeafInfo& leaf = out_leaves[index[static_cast<size_t>(f.node)]];
    leaf.value = node.value;
    leaf.path_begin = static_cast<int32_t>(path_features_.size());
    leaf.cond_begin = static_cast<int32_t>(conditions_.size());
    int32_t d = 0;
    for (size_t e = 0; e < depth; ++e) {
      const int32_t p = path_node[e];
      const TreeNode& parent = src[static_cast<size_t>(p)];
      const TreeNode& child = src[static_cast<size_t>(path_left[e] ? parent.left : parent.right)];
      int32_t& k = feature_slot[static_cast<size_t>(parent.feature)];
      if (k < 0) {
        k = d++;
        path_features_.push_back({parent.feature, 1.0});
      }
      path_features_[static_cast<size_t>(leaf.path_begin + k)].zero_fraction *=
          child.cover / parent.cover;
      out_nodes[index[static_cast<size_t>(p)]].bit = static_cast<uint8_t>(std::min(k, 255));
      conditions_.push_back({index[static_cast<size_t>(p)], k, path_left[e]});
    }
    leaf.num_features = d;
    leaf.cond_count = static_cast<int32_t>(depth);
    double reach = 1;
    for (int32_t k = 0; k < d; ++k) {
      PathFeature& pf = path_features_[static_cast<size_t>(leaf.path_begin + k)];
      feature_slot[static_cast<size_t>(pf.feature)] = -1;
      reach *= pf.zero_fraction;
      // The table form divides by z (see TableRows).
      if (!(pf.zero_fraction > 0) || !std::isfinite((1.0 - pf.zero_fraction) / pf.zero_fraction)) {
        *table_possible = false;
      }
    }
    leaf.full_mask = d < 32 ? (uint32_t{1} << d) - 1 : ~uint32_t{0};
    expected_value_[static_cast<size_t>(ct->output)] += node.value * reach;
    tree_max_d = std::max(tree_max_d, d);
  }
  ct->max_features = tree_max_d;
  return Status::OK();
}

void TreeShap::BuildTables(const ExplainerOptions& options, bool table_possible,
                           size_t* table_bytes, CompiledTree* ct) {
  LeafInfo* out_leaves = leaves_.data() + ct->leaf_begin;
  size_t entries = 0;
  for (int32_t l = 0; l < ct->num_leaves; ++l) {
    entries += size_t{1} << std::min(out_leaves[l].num_features, 62);
  }
  const size_t bytes = entries * sizeof(double) + static_cast<size_t>(ct->num_leaves) *
                                                      static_cast<size_t>(ct->max_features) *
                                                      sizeof(TableEntry);
  ct->table = options.tree_algorithm != TreeShapAlgorithm::kLeafPolynomial && table_possible &&
              ct->max_features <= kMaxTableFeatures &&
              *table_bytes + bytes <= options.max_table_bytes;
  if (!ct->table) return;
  const size_t tables_before = tables_.size();
  const size_t entries_before = table_entries_.size();
  std::vector<double> polys;
  ct->entry_begin = static_cast<int64_t>(table_entries_.size());
  for (int32_t l = 0; l < ct->num_leaves; ++l) {
    const LeafInfo& leaf = out_leaves[l];
    out_leaves[l].table_begin = static_cast<int64_t>(tables_.size());
    tables_.resize(tables_.size() + (size_t{1} << leaf.num_features));
    BuildLeafTable(leaf, &polys);
    const PathFeature* pf = path_features_.data() + leaf.path_begin;
    for (int32_t k = 0; k < ct->max_features; ++k) {
      TableEntry entry;
      entry.feature = pf[0].feature;  // padding adds 0 * T to a feature of the path
      if (k < leaf.num_features) {
        entry.feature = pf[k].feature;
        entry.coef[0] = -1.0;
        entry.coef[1] = (1.0 - pf[k].zero_fraction) / pf[k].zero_fraction;
      }
      table_entries_.push_back(entry);
    }
  }
  // Covers far above their parents' can overflow a table entry; padding would then add
  // 0 * inf. Such a tree keeps the polynomial form.
  const bool finite = std::all_of(tables_.begin() + static_cast<std::ptrdiff_t>(tables_before),
                                  tables_.end(), [](double v) { return std::isfinite(v); });
  if (!finite) {
    tables_.resize(tables_before);
    table_entries_.resize(entries_before);
    ct->table = false;
  } else {
    *table_bytes += bytes;
  }
}

Status TreeShap::CompileTree(const Model& model, size_t t, const ExplainerOptions& options,
                             size_t* table_bytes, TreeShapStats* stats) {
  const Tree& tree = model.forest.trees[t];
  const auto& src = tree.nodes;
  if (src[0].is_leaf()) {
    expected_value_[static_cast<size_t>(tree.class_index)] += src[0].value;
    ++stats->constant_trees;
    return Status::OK();
  }
  KEEL_RETURN_IF_ERROR(CheckCovers(tree, t));

  CompiledTree ct;
  ct.node_begin = static_cast<int32_t>(nodes_.size());
  ct.leaf_begin = static_cast<int32_t>(leaves_.size());
  ct.output = tree.class_index;
  const NodeNumbering numbering = NumberNodes(src);
  ct.num_internal = numbering.num_internal;
  ct.num_leaves = numbering.num_leaves;
  CompileSplits(src, numbering, &ct);
  bool table_possible = true;
  KEEL_RETURN_IF_ERROR(CompilePaths(model, src, numbering, &ct, &table_possible));
  max_path_features_ = std::max(max_path_features_, ct.max_features);
  max_slots_ = std::max(max_slots_, ct.num_internal + ct.num_leaves);
  BuildTables(options, table_possible, table_bytes, &ct);
  ++(ct.table ? stats->table_trees : stats->polynomial_trees);
  trees_.push_back(ct);
  return Status::OK();
}

// T[Q] = v * Z(F \ Q) * A(Q) for every subset Q of the leaf's path features, with A(Q) from
// the elementary symmetric polynomials e_m(Q) of the z's in Q:
//     A(Q) = sum_{s=0}^{|Q|} w(s, D) * e_{|Q| - s}(Q).
// e(Q) is built from e(Q without its lowest member) by one multiplication with (1 + z x).
void TreeShap::BuildLeafTable(const LeafInfo& leaf, std::vector<double>* polys) {
  const int d = leaf.num_features;
  const size_t size = size_t{1} << d;
  const size_t width = static_cast<size_t>(d) + 1;
  polys->assign(size * width, 0.0);
  const PathFeature* pf = path_features_.data() + leaf.path_begin;
  (*polys)[0] = 1.0;
  for (size_t q = 1; q < size; ++q) {
    const size_t prev = q & (q - 1);
    const double z = pf[std::countr_zero(q)].zero_fraction;
    const double* ep = polys->data() + prev * width;
    double* e = polys->data() + q * width;
    const int hp = std::popcount(prev);
    e[0] = 1.0;
    for (int m = 1; m <= hp; ++m) e[m] = ep[m] + z * ep[m - 1];
    e[hp + 1] = z * ep[hp];
  }
  const double* w = weights_.row(d);
  double* table = tables_.data() + leaf.table_begin;
  for (size_t q = 0; q < size; ++q) {
    const double* e = polys->data() + q * width;
    const int h = std::popcount(q);
    double a = 0;
    for (int s = 0; s <= h; ++s) a += w[s] * e[h - s];
    double cold = 1;
    for (int k = 0; k < d; ++k) {
      if (((q >> k) & 1) == 0) cold *= pf[k].zero_fraction;
    }
    table[q] = leaf.value * cold * a;
  }
}

// Subset-table form. Per row: one pass over the splits (preorder) sets, for every node, the
// mask of path features the row has left ("cold"); then each leaf adds kWidth table terms.
// Why it is fast: the table index is hot & ~bit for both cases (a cold feature's bit is not in
// hot, so it reads T[H]; a hot one's reads T[H \ {j}]) and the coefficient is picked by the
// bit, so the inner loop has no branch; kWidth is the tree's widest path, so it unrolls; and
// the tree's nodes, leaves and tables stay in L1/L2 while a block of rows goes through it.
template <typename T, bool kCategoricalSplits, int kWidth>
void TreeShap::TableRows(const CompiledTree& t, const T* rows, size_t n, size_t stride, double* out,
                         uint32_t* masks) const {
  const SplitNode* nodes = nodes_.data() + t.node_begin;
  const LeafInfo* leaves = leaves_.data() + t.leaf_begin;
  const TableEntry* entries = table_entries_.data() + t.entry_begin;
  const double* tables = tables_.data();
  const size_t width = row_width();
  const size_t out_offset = static_cast<size_t>(t.output) * static_cast<size_t>(num_features_ + 1);
  const int32_t num_internal = t.num_internal;
  const int32_t num_leaves = t.num_leaves;
  for (size_t r = 0; r < n; ++r) {
    const T* row = rows + r * stride;
    double* phi = out + r * width + out_offset;
    masks[0] = 0;
    for (int32_t i = 0; i < num_internal; ++i) {
      const SplitNode& node = nodes[i];
      const uint32_t left = GoesLeft<kCategoricalSplits>(node, row[node.feature]) ? 1u : 0u;
      const uint32_t bit = uint32_t{1} << node.bit;
      const uint32_t m = masks[i];
      masks[node.left_slot] = m | (bit & (left - 1u));
      masks[node.right_slot] = m | (bit & (0u - left));
    }
    const uint32_t* leaf_masks = masks + num_internal;
    for (int32_t l = 0; l < num_leaves; ++l) {
      const LeafInfo& leaf = leaves[l];
      const uint32_t hot = leaf.full_mask & ~leaf_masks[l];
      const double* table = tables + leaf.table_begin;
      const TableEntry* e = entries + static_cast<size_t>(l) * kWidth;
      for (int k = 0; k < kWidth; ++k) {
        const uint32_t bit = uint32_t{1} << k;
        phi[e[k].feature] += e[k].coef[(hot >> k) & 1u] * table[hot & ~bit];
      }
    }
  }
}

template <typename T, bool kCategoricalSplits>
void TreeShap::TableRowsAnyWidth(const CompiledTree& t, const T* rows, size_t n, size_t stride,
                                 double* out, uint32_t* masks) const {
  static_assert(kMaxTableFeatures == 12, "one case per table width");
  switch (t.max_features) {
#define KEEL_TABLE_WIDTH(W) \
  case W:                   \
    return TableRows<T, kCategoricalSplits, W>(t, rows, n, stride, out, masks);
    KEEL_TABLE_WIDTH(1)
    KEEL_TABLE_WIDTH(2)
    KEEL_TABLE_WIDTH(3)
    KEEL_TABLE_WIDTH(4)
    KEEL_TABLE_WIDTH(5)
    KEEL_TABLE_WIDTH(6)
    KEEL_TABLE_WIDTH(7)
    KEEL_TABLE_WIDTH(8)
    KEEL_TABLE_WIDTH(9)
    KEEL_TABLE_WIDTH(10)
    KEEL_TABLE_WIDTH(11)
    KEEL_TABLE_WIDTH(12)
#undef KEEL_TABLE_WIDTH
    default:
      break;
  }
}

// Leaf-polynomial form: per leaf, e(H) of the hot z's (O(D^2)), then each hot feature's
// A(H \ {j}) by synthetic division of e(H) by (1 + z_j x). The division runs upwards,
// q_m = e_m - z_j q_{m-1}, which is stable for z_j <= 1 and needs no division by z_j.
template <typename T, bool kCategoricalSplits>
void TreeShap::PolynomialRows(const CompiledTree& t, const T* rows, size_t n, size_t stride,
                              double* out, uint32_t* words, double* numbers) const {
  const SplitNode* nodes = nodes_.data() + t.node_begin;
  const LeafInfo* leaves = leaves_.data() + t.leaf_begin;
  const size_t width = row_width();
  const size_t out_offset = static_cast<size_t>(t.output) * static_cast<size_t>(num_features_ + 1);
  uint32_t* left = words;
  uint32_t* hot = words + t.num_internal;
  const size_t poly_width = static_cast<size_t>(max_path_features_) + 2;
  double* e = numbers;
  double* q = numbers + poly_width;
  for (size_t r = 0; r < n; ++r) {
    const T* row = rows + r * stride;
    double* phi = out + r * width + out_offset;
    for (int32_t i = 0; i < t.num_internal; ++i) {
      const SplitNode& node = nodes[i];
      left[i] = GoesLeft<kCategoricalSplits>(node, row[node.feature]) ? 1 : 0;
    }
    for (int32_t l = 0; l < t.num_leaves; ++l) {
      const LeafInfo& leaf = leaves[l];
      const int32_t d = leaf.num_features;
      const PathFeature* pf = path_features_.data() + leaf.path_begin;
      std::fill(hot, hot + d, 1u);
      const PathCondition* cond = conditions_.data() + leaf.cond_begin;
      for (int32_t c = 0; c < leaf.cond_count; ++c) {
        hot[cond[c].k] &= left[cond[c].node] == cond[c].go_left ? 1u : 0u;
      }
      int h = 0;
      double cold_z = 1;
      e[0] = 1;
      for (int32_t k = 0; k < d; ++k) {
        const double z = pf[k].zero_fraction;
        if (!hot[k]) {
          cold_z *= z;
          continue;
        }
        e[h + 1] = z * e[h];
        for (int m = h; m >= 1; --m) e[m] += z * e[m - 1];
        ++h;
      }
      const double* w = weights_.row(d);
      const double scale = leaf.value * cold_z;
      double a = 0;
      for (int s = 0; s <= std::min(h, d - 1); ++s) a += w[s] * e[h - s];
      const double cold_value = -scale * a;
      for (int32_t k = 0; k < d; ++k) {
        if (!hot[k]) {
          phi[pf[k].feature] += cold_value;
          continue;
        }
        const double z = pf[k].zero_fraction;
        q[0] = 1;
        for (int m = 1; m < h; ++m) q[m] = e[m] - z * q[m - 1];
        double aj = 0;
        for (int s = 0; s < h; ++s) aj += w[s] * q[h - 1 - s];
        phi[pf[k].feature] += scale * (1.0 - z) * aj;
      }
    }
  }
}

template <typename T>
void TreeShap::ExplainRowsAs(const T* rows, size_t n, size_t stride, double* out,
                             ExplainScratch* scratch) const {
  const size_t width = row_width();
  const size_t group = static_cast<size_t>(num_features_) + 1;
  for (size_t r = 0; r < n; ++r) {
    double* o = out + r * width;
    std::fill(o, o + width, 0.0);
    for (int k = 0; k < num_outputs_; ++k) {
      o[static_cast<size_t>(k) * group + static_cast<size_t>(num_features_)] =
          expected_value_[static_cast<size_t>(k)];
    }
  }
  uint32_t* words = scratch->words.data();
  double* numbers = scratch->numbers.data();
  for (const CompiledTree& t : trees_) {
    if (t.table) {
      if (t.has_categorical) {
        TableRowsAnyWidth<T, true>(t, rows, n, stride, out, words);
      } else {
        TableRowsAnyWidth<T, false>(t, rows, n, stride, out, words);
      }
    } else if (t.has_categorical) {
      PolynomialRows<T, true>(t, rows, n, stride, out, words, numbers);
    } else {
      PolynomialRows<T, false>(t, rows, n, stride, out, words, numbers);
    }
  }
}

void TreeShap::ExplainRows(const float* rows, size_t n, size_t stride, double* out,
                           ExplainScratch* scratch) const {
  if (!f64_) {
    ExplainRowsAs(rows, n, stride, out, scratch);
    return;
  }
  // A float64 model: widen to the doubles its predictor would see.
  const auto nf = static_cast<size_t>(num_features_);
  for (size_t r0 = 0; r0 < n; r0 += kConvertRows) {
    const size_t m = std::min(kConvertRows, n - r0);
    for (size_t i = 0; i < m; ++i) {
      const float* in = rows + (r0 + i) * stride;
      std::copy(in, in + nf, scratch->rows64.data() + i * nf);
    }
    ExplainRowsAs(scratch->rows64.data(), m, nf, out + r0 * row_width(), scratch);
  }
}

void TreeShap::ExplainRows64(const double* rows, size_t n, size_t stride, double* out,
                             ExplainScratch* scratch) const {
  if (f64_) {
    ExplainRowsAs(rows, n, stride, out, scratch);
  } else {
    Explainer::ExplainRows64(rows, n, stride, out, scratch);
  }
}

Result<std::unique_ptr<TreeShap>> TreeShap::Build(const Model& model,
                                                  const ExplainerOptions& options,
                                                  TreeShapStats* stats) {
  if (model.kind != Model::Kind::kForest) {
    return Status::InvalidArgument("TreeSHAP explains forests; this model is linear");
  }
  std::unique_ptr<TreeShap> ts(new TreeShap());
  ts->num_features_ = static_cast<int>(model.features.size());
  ts->num_outputs_ = model.num_outputs;
  ts->f64_ = model.input_precision == InputPrecision::kFloat64;
  ts->reads_doubles_ = ts->f64_;
  ts->expected_value_ = model.base_margin;
  ts->expected_value_.resize(static_cast<size_t>(model.num_outputs), 0.0);
  ts->used_features_.assign(model.features.size(), 0);
  size_t table_bytes = 0;
  ts->weights_ = ShapleyWeights(kMaxTableFeatures);  // enough for every subset table
  for (size_t t = 0; t < model.forest.trees.size(); ++t) {
    KEEL_RETURN_IF_ERROR(ts->CompileTree(model, t, options, &table_bytes, stats));
  }
  ts->weights_ = ShapleyWeights(std::max(ts->max_path_features_, kMaxTableFeatures));
  ts->scratch_words_ = static_cast<size_t>(std::max(ts->max_slots_, 1)) +
                       static_cast<size_t>(ts->max_path_features_);
  ts->scratch_numbers_ = 2 * (static_cast<size_t>(ts->max_path_features_) + 2);
  stats->table_bytes = table_bytes;
  stats->max_path_features = ts->max_path_features_;
  return ts;
}

}  // namespace

Result<std::unique_ptr<Explainer>> CreateTreeShap(const Model& model,
                                                  const ExplainerOptions& options,
                                                  TreeShapStats* stats) {
  TreeShapStats local;
  KEEL_ASSIGN_OR_RETURN(auto ts, TreeShap::Build(model, options, stats ? stats : &local));
  return std::unique_ptr<Explainer>(std::move(ts));
}

}  // namespace keel
