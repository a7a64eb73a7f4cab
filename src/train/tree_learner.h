// Growing one regression tree on gradients, leaf-wise (best split first), from histograms.
//
// The learner keeps the rows of every leaf as a contiguous range of one index array (the
// row partition; split rows are read from a column-major copy of the bins, so moving a node's
// rows reads one byte per row from a column that stays in cache, not a cache line), builds the
// histogram of the smaller child of each split and gets the larger one by subtracting from the
// parent (sibling subtraction), and holds histograms in a pool of num_leaves buffers reused across
// trees.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "model/model.h"
#include "train/binning.h"
#include "train/collective.h"
#include "train/histogram.h"
#include "train/split_finder.h"

namespace keel {

// Like SplitConfig, no defaults of its own (GbdtConfigOf fills it from the parameters).
//
// Constraints (both empty = none):
// - monotone[f] = +1 (-1): the tree's output never decreases (increases) as feature f's value
//   grows, other features fixed. LightGBM's basic method: a split on f must order its
//   children's outputs, and gives each child the midpoint of the two outputs as a bound that
//   every output below it is clamped to (SplitFinder scores with the clamped outputs). Missing
//   values of f are not on its scale: their branch is not ordered against the others.
// - interaction_groups: along every root-to-leaf path, all split features belong to one common
//   group. A feature in no group is never split on, so callers list every usable feature in
//   some group (train/constraints.h adds one group of the features the user left out).
struct TreeConfig {
  SplitConfig split;
  int num_leaves = 0;
  int max_depth = 0;                                     // 0 = no limit
  std::vector<int8_t> monotone;                          // per feature, or empty
  std::vector<std::vector<int32_t>> interaction_groups;  // feature indices, or empty
  // Quantized training: 0 = off (histograms of the double gradients); L > 0 = every tree
  // grows on gradients rounded to integers in [-L/2, L/2] and hessians in [0, L]
  // (QuantizeGradients, seeded by `seed` and the tree's number), with integer histograms;
  // leaf values and covers are then refit from the true gradients. Not with `collective`.
  int quantized_grad = 0;
  uint64_t seed = 0;
  // Distributed training (nullptr = one process): each rank holds some of the rows, node
  // histograms are summed over every rank's rows (Collective::SumOverRanks) and every rank
  // grows the same tree from them. Borrowed; outlives the learner.
  Collective* collective = nullptr;
};

// A tree in training form: splits on bins. Node 0 is the root.
struct BinnedTree {
  struct Node {
    int32_t left = -1;  // -1 for a leaf
    int32_t right = -1;
    int32_t feature = -1;
    bool categorical = false;
    int32_t threshold_bin = -1;                 // numeric: bins <= threshold_bin go left
    std::bitset<kMaxBinsPerFeature> left_bins;  // categorical: value bins that go left
    bool default_left = false;                  // where the missing bin goes
    // goes_left[bin] for every bin of `feature`, missing bin included: the split as a table.
    std::array<uint8_t, kMaxBinsPerFeature> goes_left{};
    NodeStats stats;
    double gain = 0;
    double value = 0;  // leaf value without the learning rate (also set on inner nodes)
    // Monotone constraints: bounds of every output in this node's subtree (value included).
    double lower = -std::numeric_limits<double>::infinity();
    double upper = std::numeric_limits<double>::infinity();
    int depth = 0;
    bool is_leaf() const { return left < 0; }
  };
  std::vector<Node> nodes;

  // The leaf reached by row `bins` (one row of a BinnedMatrix).
  int32_t LeafOf(const uint8_t* bins) const {
    int32_t i = 0;
    while (nodes[static_cast<size_t>(i)].left >= 0) {
      const Node& n = nodes[static_cast<size_t>(i)];
      i = n.goes_left[bins[n.feature]] ? n.left : n.right;
    }
    return i;
  }
};

// The scales of a quantization: a quantized gradient q stands for q * g (hessian: q * h).
struct QuantScales {
  double g = 0;
  double h = 0;
};

// Quantized training (Shi et al., "Quantized Training of Gradient Boosting Decision Trees",
// NeurIPS 2022): out[r] = stochastic roundings of grads[r].g / scales.g and grads[r].h /
// scales.h for r in `rows` (empty = every row), with scales.g = max |g| / (levels / 2) and
// scales.h = max h / levels over those rows, so gradients land in [-levels/2, levels/2] and
// hessians in [0, levels]. Rounding goes up with probability equal to the fraction, so a
// quantized value's expectation is the true one; the coin of row r comes from a hash of
// (seed, r), so the result does not depend on `threads`. levels in [2, 254].
QuantScales QuantizeGradients(std::span<const GradPair> grads, std::span<const uint32_t> rows,
                              int levels, uint64_t seed, std::span<QGradPair> out, int threads);

class TreeLearner {
 public:
  // `bins` and `mappers` are borrowed and must outlive the learner.
  TreeLearner(const BinnedMatrix& bins, std::span<const BinMapper> mappers, TreeConfig config,
              int threads);

  // Grows a tree on grads[r] for the rows `rows` (ascending; empty = every row), splitting only
  // features with feature_mask[f] != 0, under the config's constraints. Leaf values are
  // -G/(H + l2) without the learning rate, clamped to their monotone bounds.
  Result<BinnedTree> Grow(std::span<const GradPair> grads, std::span<const uint32_t> rows,
                          std::span<const uint8_t> feature_mask);

  // After Grow: the training rows that reached leaf node `node`.
  std::span<const uint32_t> LeafRows(int32_t node) const;

 private:
  struct OpenLeaf {
    int32_t node = -1;
    size_t begin = 0;
    size_t count = 0;
    int slot = -1;  // histogram pool slot, -1 when none
    SplitCandidate best;
  };

  std::span<HistBin> Slot(int slot) {
    return {pool_.data() + static_cast<size_t>(slot) * total_bins_, total_bins_};
  }
  int AcquireSlot();
  void ReleaseSlot(int slot);
  // From the node's stats, whose row count is over every rank.
  bool CanSplit(const BinnedTree::Node& node) const;
  std::span<QHistBin> QSlot(int slot) {
    return {qpool_.data() + static_cast<size_t>(slot) * total_bins_, total_bins_};
  }
  // Into slot `slot`: the histogram of `rows`, quantized when the tree is.
  Status BuildSlot(std::span<const GradPair> grads, std::span<const uint32_t> rows, bool all_rows,
                   int slot);
  // Slot `into` = slot `into` - slot `child`.
  void SubtractSlot(int into, int child);
  // Quantized trees: leaf values and every node's stats from the true gradients.
  void RefitFromTrueGradients(std::span<const GradPair> grads, BinnedTree* tree) const;
  // builder_.Build, summed over the ranks when distributed.
  Status BuildHistogram(std::span<const GradPair> grads, std::span<const uint32_t> rows,
                        bool all_rows, std::span<HistBin> out);
  Status FindSplit(OpenLeaf* leaf, const BinnedTree::Node& node, int32_t node_id,
                   std::span<const uint8_t> feature_mask);
  // Sets the bounds, value and interaction groups of the children of `parent_id`.
  void ConstrainChildren(BinnedTree* tree, size_t parent_id);
  Result<size_t> Partition(size_t begin, size_t count, const BinnedTree::Node& node);

  const BinnedMatrix& bins_;
  std::span<const BinMapper> mappers_;
  TreeConfig config_;
  int threads_;
  HistogramBuilder builder_;
  size_t total_bins_;
  std::vector<HistBin> pool_;
  // Quantized training: the pool's integer twin, the current tree's quantized gradients and
  // scales, whether the current tree is quantized, and how many trees were grown (seeds).
  std::vector<QHistBin> qpool_;
  std::vector<QGradPair> qgrads_;
  QuantScales scales_;
  bool quantized_ = false;
  uint64_t grown_ = 0;
  std::vector<int> free_slots_;
  std::vector<uint32_t> indices_;
  std::vector<uint32_t> scratch_;
  std::vector<uint8_t> columns_;  // bins_ transposed: feature f's bins at f * rows
  std::vector<SplitCandidate> per_feature_;
  // node -> [begin, end) in indices_ for leaves after Grow
  std::vector<std::pair<size_t, size_t>> node_range_;
  // Interaction constraints: in_group_[g * features + f] = feature f is in group g;
  // node_groups_[node * groups + g] = group g holds every feature on the node's path.
  std::vector<uint8_t> in_group_;
  std::vector<uint8_t> node_groups_;
  std::vector<uint8_t> node_mask_;  // the features FindSplit may use at the current node
};

// Absolute loss refits leaf values after growth (medians of residuals), which breaks the
// bounds of growth; this re-imposes the monotone directions on `tree`'s current leaf values:
// top down, at each split on a constrained feature, the two subtrees' hessian-weighted mean
// values (pooled when out of order) give the midpoint bound, and every leaf is clamped to its
// bounds. `monotone` as in TreeConfig; a no-op when it is empty or all zero.
void ReimposeMonotone(std::span<const int8_t> monotone, BinnedTree* tree);

// The IR form of `tree`: numeric thresholds as float32 values from the mappers' cuts
// (x < cut), categorical splits as lists of category codes, leaf values times
// `learning_rate`, cover = hessian sum.
Tree ToModelTree(const BinnedTree& tree, std::span<const BinMapper> mappers, double learning_rate,
                 int32_t class_index);

}  // namespace keel
