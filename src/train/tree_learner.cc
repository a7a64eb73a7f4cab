#include "train/tree_learner.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/parallel.h"

namespace keel {
namespace {

// Ranges smaller than this are partitioned on one thread.
constexpr size_t kParallelPartitionRows = 65536;

void FillGoesLeft(const BinMapper& mapper, BinnedTree::Node* node) {
  node->goes_left.fill(0);
  const int m = mapper.missing_bin();
  for (int b = 0; b < m; ++b) {
    node->goes_left[static_cast<size_t>(b)] =
        node->categorical ? node->left_bins[static_cast<size_t>(b)] : b <= node->threshold_bin;
  }
  node->goes_left[static_cast<size_t>(m)] = node->default_left ? 1 : 0;
}

// out[f * rows + r] = bins(r, f). Blocks of rows, so each block's rows are read once and its
// columns written in runs.
void Transpose(const BinnedMatrix& bins, int threads, std::vector<uint8_t>* out) {
  out->resize(bins.rows * bins.cols);
  constexpr size_t kBlock = 4096;
  const size_t blocks = (bins.rows + kBlock - 1) / kBlock;
  uint8_t* dst = out->data();
  ParallelFor(threads, blocks, [&](size_t b) {
    const size_t end = std::min(bins.rows, (b + 1) * kBlock);
    for (size_t f = 0; f < bins.cols; ++f) {
      const uint8_t* src = bins.bins.data() + f;
      uint8_t* col = dst + f * bins.rows;
      for (size_t r = b * kBlock; r < end; ++r) col[r] = src[r * bins.cols];
    }
  }).IgnoreError();  // the body cannot fail
}

// A uniform number in [0, 1) from 32 bits of a SplitMix64 hash of (seed, row): the coin of
// one row's stochastic rounding, the same whichever thread computes it.
inline uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// floor(x + u) for x >= -kOffset, u in [0, 1) the coin's 24 high bits: a float add and a
// truncation instead of std::floor (this runs once per row and tree).
constexpr float kOffset = 256.0f;
inline int16_t RoundStochastic(float x, uint32_t coin) {
  return static_cast<int16_t>(
      static_cast<int32_t>(x + kOffset + static_cast<float>(coin >> 8) * 0x1p-24f) -
      static_cast<int32_t>(kOffset));
}

}  // namespace

QuantScales QuantizeGradients(std::span<const GradPair> grads, std::span<const uint32_t> rows,
                              int levels, uint64_t seed, std::span<QGradPair> out, int threads) {
  levels = std::clamp(levels, 2, 254);
  const bool all = rows.empty();
  const size_t n = all ? grads.size() : rows.size();
  auto row = [&](size_t i) { return all ? i : static_cast<size_t>(rows[i]); };
  constexpr size_t kBlock = 16384;
  const size_t blocks = (n + kBlock - 1) / kBlock;
  // Maxima per block, then over blocks: the same whatever the thread count.
  std::vector<std::pair<float, float>> block_max(blocks, {0.0f, 0.0f});
  ParallelFor(threads, blocks, [&](size_t b) {
    float mg = 0;
    float mh = 0;
    for (size_t i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i) {
      const GradPair& gp = grads[row(i)];
      mg = std::max(mg, std::fabs(gp.g));
      mh = std::max(mh, gp.h);
    }
    block_max[b] = {mg, mh};
  }).IgnoreError();  // the body cannot fail
  double max_g = 0;
  double max_h = 0;
  for (const auto& [mg, mh] : block_max) {
    max_g = std::max<double>(max_g, mg);
    max_h = std::max<double>(max_h, mh);
  }
  QuantScales sc;
  sc.g = max_g > 0 ? max_g / (levels / 2) : 1.0;
  sc.h = max_h > 0 ? max_h / levels : 1.0;
  const auto inv_g = static_cast<float>(1.0 / sc.g);
  const auto inv_h = static_cast<float>(1.0 / sc.h);
  const auto hi_g = static_cast<int16_t>(levels / 2);
  const auto hi_h = static_cast<int16_t>(levels);
  ParallelFor(threads, blocks, [&](size_t b) {
    for (size_t i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i) {
      const size_t r = row(i);
      const uint64_t coins = Mix(seed + r * 0x9e3779b97f4a7c15ull);
      QGradPair& q = out[r];
      // Clamped: g / scale may land a rounding error outside the range.
      q.g = std::clamp<int16_t>(RoundStochastic(grads[r].g * inv_g, static_cast<uint32_t>(coins)),
                                static_cast<int16_t>(-hi_g), hi_g);
      q.h = std::clamp<int16_t>(
          RoundStochastic(grads[r].h * inv_h, static_cast<uint32_t>(coins >> 32)), 0, hi_h);
    }
  }).IgnoreError();  // the body cannot fail
  return sc;
}

TreeLearner::TreeLearner(const BinnedMatrix& bins, std::span<const BinMapper> mappers,
                         TreeConfig config, int threads)
    : bins_(bins),
      mappers_(mappers),
      config_(config),
      threads_(std::max(threads, 1)),
      builder_(HistogramLayout::FromMappers(mappers), threads),
      total_bins_(builder_.layout().total_bins()) {
  const int slots = std::max(config_.num_leaves, 2) + 1;
  pool_.resize(static_cast<size_t>(slots) * total_bins_);
  if (config_.quantized_grad > 0) {
    qpool_.resize(static_cast<size_t>(slots) * total_bins_);
    qgrads_.resize(bins_.rows);
  }
  indices_.resize(bins_.rows);
  scratch_.resize(bins_.rows);
  Transpose(bins_, threads_, &columns_);
  per_feature_.resize(mappers_.size());
  node_mask_.resize(mappers_.size());
  const size_t nf = mappers_.size();
  in_group_.assign(config_.interaction_groups.size() * nf, 0);
  for (size_t g = 0; g < config_.interaction_groups.size(); ++g) {
    for (int32_t f : config_.interaction_groups[g]) in_group_[g * nf + static_cast<size_t>(f)] = 1;
  }
}

int TreeLearner::AcquireSlot() {
  const int s = free_slots_.back();
  free_slots_.pop_back();
  return s;
}

void TreeLearner::ReleaseSlot(int slot) {
  if (slot >= 0) free_slots_.push_back(slot);
}

bool TreeLearner::CanSplit(const BinnedTree::Node& node) const {
  if (config_.max_depth > 0 && node.depth >= config_.max_depth) return false;
  return node.stats.n >= 2 * config_.split.min_data_in_leaf;
}

Status TreeLearner::BuildHistogram(std::span<const GradPair> grads, std::span<const uint32_t> rows,
                                   bool all_rows, std::span<HistBin> out) {
  Collective* c = config_.collective;
  if (c == nullptr) return builder_.Build(bins_, grads, rows, all_rows, out);
  // Every rank's rows of the node, summed as the Collective sums (in row order by default:
  // rank r's rows added to the sums of the ranks before it, as one process with one worker
  // adds all the rows).
  static_assert(sizeof(HistBin) == 4 * sizeof(double));
  const std::span<double> cells(reinterpret_cast<double*>(out.data()), out.size() * 4);
  return c->SumOverRanks(cells, [&](bool accumulate) {
    return builder_.Build(bins_, grads, rows, all_rows, out, accumulate);
  });
}

Status TreeLearner::BuildSlot(std::span<const GradPair> grads, std::span<const uint32_t> rows,
                              bool all_rows, int slot) {
  if (!quantized_) return BuildHistogram(grads, rows, all_rows, Slot(slot));
  return builder_.BuildQuantized(bins_, qgrads_, rows, all_rows, QSlot(slot));
}

void TreeLearner::SubtractSlot(int into, int child) {
  if (quantized_) {
    SubtractHistogram(QSlot(into), QSlot(child), QSlot(into));
  } else {
    SubtractHistogram(Slot(into), Slot(child), Slot(into));
  }
}

void TreeLearner::RefitFromTrueGradients(std::span<const GradPair> grads, BinnedTree* tree) const {
  auto clamp = [](double w, double lo, double hi) { return w < lo ? lo : (w > hi ? hi : w); };
  // Children come after their parents, so a reverse walk sees both children of a node first.
  for (size_t i = tree->nodes.size(); i-- > 0;) {
    BinnedTree::Node& node = tree->nodes[i];
    NodeStats s;
    if (node.is_leaf()) {
      // In row order: the sums do not depend on the thread count.
      for (uint32_t r : LeafRows(static_cast<int32_t>(i))) {
        s.g += grads[r].g;
        s.h += grads[r].h;
      }
      s.n = node.stats.n;
    } else {
      const NodeStats& l = tree->nodes[static_cast<size_t>(node.left)].stats;
      const NodeStats& r = tree->nodes[static_cast<size_t>(node.right)].stats;
      s = {l.g + r.g, l.h + r.h, l.n + r.n};
    }
    node.stats = s;
    node.value = clamp(LeafValue(s, config_.split), node.lower, node.upper);
  }
  // Refit values can break the order growth kept between siblings on monotone features.
  ReimposeMonotone(config_.monotone, tree);
}

Status TreeLearner::FindSplit(OpenLeaf* leaf, const BinnedTree::Node& node, int32_t node_id,
                              std::span<const uint8_t> feature_mask) {
  // The features this node may split: the tree's mask, narrowed by the interaction groups
  // still open on the node's path.
  const size_t groups = config_.interaction_groups.size();
  for (size_t f = 0; f < node_mask_.size(); ++f) {
    uint8_t ok = feature_mask.empty() ? 1 : feature_mask[f];
    if (ok && groups > 0) {
      ok = 0;
      const uint8_t* open = node_groups_.data() + static_cast<size_t>(node_id) * groups;
      for (size_t g = 0; g < groups && !ok; ++g)
        ok = open[g] & in_group_[g * node_mask_.size() + f];
    }
    node_mask_[f] = ok;
  }
  const auto hist = Slot(leaf->slot);
  const auto& offsets = builder_.layout().offsets;
  const size_t nf = mappers_.size();
  // Per-feature work is small (a scan over <= 256 cells, about a microsecond); waking the
  // worker threads costs more unless the features are many.
  const int threads = nf >= 64 ? threads_ : 1;
  KEEL_RETURN_IF_ERROR(ParallelFor(
      threads, nf,
      [&](size_t f) {
        if (node_mask_[f] == 0) {
          per_feature_[f] = SplitCandidate{};
          return;
        }
        OutputConstraint k;
        k.lower = node.lower;
        k.upper = node.upper;
        k.monotone = config_.monotone.empty() ? 0 : config_.monotone[f];
        const size_t cells = offsets[f + 1] - offsets[f];
        std::span<const HistBin> fh;
        std::array<HistBin, kMaxBinsPerFeature> dequantized;
        if (quantized_) {
          // The integer sums back on the gradients' scale, for this feature's cells.
          const QHistBin* q =
              qpool_.data() + static_cast<size_t>(leaf->slot) * total_bins_ + offsets[f];
          for (size_t b = 0; b < cells; ++b) {
            dequantized[b].g = q[b].g * scales_.g;
            dequantized[b].h = q[b].h * scales_.h;
            dequantized[b].n = q[b].n;
          }
          fh = {dequantized.data(), cells};
        } else {
          fh = hist.subspan(offsets[f], cells);
        }
        per_feature_[f] =
            FindBestSplit(static_cast<int32_t>(f), mappers_[f], fh, node.stats, config_.split, k);
      },
      4));
  leaf->best = SplitCandidate{};
  for (size_t f = 0; f < nf; ++f) {
    if (per_feature_[f].valid() && per_feature_[f].gain > leaf->best.gain) {
      leaf->best = per_feature_[f];
    }
  }
  return Status::OK();
}

Result<size_t> TreeLearner::Partition(size_t begin, size_t count, const BinnedTree::Node& node) {
  const uint8_t* column = columns_.data() + static_cast<size_t>(node.feature) * bins_.rows;
  const uint8_t* lut = node.goes_left.data();
  uint32_t* idx = indices_.data() + begin;
  uint32_t* tmp = scratch_.data() + begin;
  const size_t parts =
      count >= kParallelPartitionRows ? static_cast<size_t>(threads_) * 4 : size_t{1};
  std::vector<size_t> nleft(parts, 0);
  // Phase 1: each block writes its left rows forward and right rows backward into its own
  // part of the scratch array, so both sides stay in increasing row order.
  KEEL_RETURN_IF_ERROR(ParallelFor(parts > 1 ? threads_ : 1, parts, [&](size_t p) {
    const size_t b = count * p / parts;
    const size_t e = count * (p + 1) / parts;
    size_t nl = 0;
    size_t nr = 0;
    // Branch-free: the side of a row is a coin flip to the branch predictor. Each row is
    // written to both ends and only the count of its side advances (the other write is
    // overwritten later or lies past the block's last row of that side).
    for (size_t i = b; i < e; ++i) {
      const uint32_t r = idx[i];
      const size_t left = lut[column[r]];
      tmp[b + nl] = r;
      tmp[e - 1 - nr] = r;
      nl += left;
      nr += 1 - left;
    }
    nleft[p] = nl;
  }));
  std::vector<size_t> left_off(parts + 1, 0);
  std::vector<size_t> right_off(parts + 1, 0);
  for (size_t p = 0; p < parts; ++p) {
    const size_t len = count * (p + 1) / parts - count * p / parts;
    left_off[p + 1] = left_off[p] + nleft[p];
    right_off[p + 1] = right_off[p] + (len - nleft[p]);
  }
  const size_t total_left = left_off[parts];
  // Phase 2: gather the blocks' left rows, then their right rows (reversed back).
  KEEL_RETURN_IF_ERROR(ParallelFor(parts > 1 ? threads_ : 1, parts, [&](size_t p) {
    const size_t b = count * p / parts;
    const size_t e = count * (p + 1) / parts;
    std::copy(tmp + b, tmp + b + nleft[p], idx + left_off[p]);
    uint32_t* out = idx + total_left + right_off[p];
    for (size_t i = e; i > b + nleft[p]; --i) *out++ = tmp[i - 1];
  }));
  return total_left;
}

Result<BinnedTree> TreeLearner::Grow(std::span<const GradPair> grads,
                                     std::span<const uint32_t> rows,
                                     std::span<const uint8_t> feature_mask) {
  BinnedTree tree;
  const bool all_rows = rows.empty();
  const size_t n = all_rows ? bins_.rows : rows.size();
  if (all_rows) {
    std::iota(indices_.begin(), indices_.begin() + static_cast<std::ptrdiff_t>(n), 0u);
  } else {
    std::copy(rows.begin(), rows.end(), indices_.begin());
  }
  // Quantized when asked and every integer sum fits in 32 bits (else this tree is exact).
  quantized_ =
      config_.quantized_grad > 0 && static_cast<double>(n) * config_.quantized_grad < 2147483647.0;
  if (quantized_) {
    if (config_.collective != nullptr) {
      return Status::Unsupported("quantized gradients do not work with distributed training");
    }
    scales_ = QuantizeGradients(grads, rows, config_.quantized_grad,
                                Mix(config_.seed ^ Mix(grown_)), qgrads_, threads_);
  }
  ++grown_;
  free_slots_.clear();
  const int slots = static_cast<int>(pool_.size() / std::max<size_t>(total_bins_, 1));
  for (int s = slots - 1; s >= 0; --s) free_slots_.push_back(s);
  node_range_.clear();
  node_groups_.assign(config_.interaction_groups.size(), 1);  // the root: every group open

  tree.nodes.emplace_back();
  node_range_.emplace_back(0, n);
  std::vector<OpenLeaf> open;
  OpenLeaf root;
  root.node = 0;
  root.begin = 0;
  root.count = n;
  root.slot = AcquireSlot();
  KEEL_RETURN_IF_ERROR(BuildSlot(
      grads, all_rows ? std::span<const uint32_t>{} : std::span<const uint32_t>(indices_.data(), n),
      all_rows, root.slot));
  {
    // Totals of the root: the cells of any one feature cover every row once.
    NodeStats s;
    const auto& off = builder_.layout().offsets;
    if (quantized_) {
      const auto hist = QSlot(root.slot);
      int64_t g = 0;
      int64_t h = 0;
      int64_t c = 0;
      for (uint32_t b = off[0]; b < off[1]; ++b) {
        g += hist[b].g;
        h += hist[b].h;
        c += hist[b].n;
      }
      s = {static_cast<double>(g) * scales_.g, static_cast<double>(h) * scales_.h,
           static_cast<double>(c)};
    } else {
      const auto hist = Slot(root.slot);
      for (uint32_t b = off[0]; b < off[1]; ++b) {
        s.g += hist[b].g;
        s.h += hist[b].h;
        s.n += hist[b].n;
      }
    }
    tree.nodes[0].stats = s;
    tree.nodes[0].value = LeafValue(s, config_.split);
  }
  if (CanSplit(tree.nodes[0])) {
    KEEL_RETURN_IF_ERROR(FindSplit(&root, tree.nodes[0], 0, feature_mask));
  }
  open.push_back(root);

  int leaves = 1;
  while (leaves < config_.num_leaves) {
    // The open leaf whose best split gains most (ties: the earliest leaf).
    int pick = -1;
    for (size_t i = 0; i < open.size(); ++i) {
      if (open[i].best.valid() &&
          (pick < 0 || open[i].best.gain > open[static_cast<size_t>(pick)].best.gain)) {
        pick = static_cast<int>(i);
      }
    }
    if (pick < 0) break;
    OpenLeaf leaf = open[static_cast<size_t>(pick)];
    open.erase(open.begin() + pick);
    const SplitCandidate& sc = leaf.best;

    const auto parent_id = static_cast<size_t>(leaf.node);
    {
      BinnedTree::Node& p = tree.nodes[parent_id];
      p.feature = sc.feature;
      p.categorical = sc.categorical;
      p.threshold_bin = sc.threshold_bin;
      p.left_bins = sc.left_bins;
      p.default_left = sc.default_left;
      p.gain = sc.gain;
      FillGoesLeft(mappers_[static_cast<size_t>(sc.feature)], &p);
    }
    KEEL_ASSIGN_OR_RETURN(const size_t nleft,
                          Partition(leaf.begin, leaf.count, tree.nodes[parent_id]));
    const auto left_id = static_cast<int32_t>(tree.nodes.size());
    const int32_t right_id = left_id + 1;
    const int depth = tree.nodes[parent_id].depth + 1;
    tree.nodes[parent_id].left = left_id;
    tree.nodes[parent_id].right = right_id;
    for (int side = 0; side < 2; ++side) {
      BinnedTree::Node child;
      child.depth = depth;
      child.stats = side == 0 ? sc.left : sc.right;
      child.value = LeafValue(child.stats, config_.split);
      tree.nodes.push_back(child);
    }
    ConstrainChildren(&tree, parent_id);
    node_range_.resize(tree.nodes.size());
    node_range_[static_cast<size_t>(left_id)] = {leaf.begin, leaf.begin + nleft};
    node_range_[static_cast<size_t>(right_id)] = {leaf.begin + nleft, leaf.begin + leaf.count};
    ++leaves;

    OpenLeaf kids[2];
    kids[0] = {left_id, leaf.begin, nleft, -1, {}};
    kids[1] = {right_id, leaf.begin + nleft, leaf.count - nleft, -1, {}};
    bool want[2];
    for (int s = 0; s < 2; ++s) {
      want[s] =
          leaves < config_.num_leaves && CanSplit(tree.nodes[static_cast<size_t>(kids[s].node)]);
    }
    if (want[0] || want[1]) {
      // Build the smaller child; the larger one is parent minus smaller, in the parent's
      // buffer. A child that cannot split needs no histogram of its own.
      // Smaller by the stats' row counts, which are over every rank when distributed.
      const int small = tree.nodes[static_cast<size_t>(left_id)].stats.n <=
                                tree.nodes[static_cast<size_t>(right_id)].stats.n
                            ? 0
                            : 1;
      const int large = 1 - small;
      kids[small].slot = AcquireSlot();
      KEEL_RETURN_IF_ERROR(BuildSlot(
          grads, std::span<const uint32_t>(indices_.data() + kids[small].begin, kids[small].count),
          false, kids[small].slot));
      if (want[large]) {
        SubtractSlot(leaf.slot, kids[small].slot);
        kids[large].slot = leaf.slot;
      } else {
        ReleaseSlot(leaf.slot);
      }
      if (!want[small]) {
        ReleaseSlot(kids[small].slot);
        kids[small].slot = -1;
      }
    } else {
      ReleaseSlot(leaf.slot);
    }
    for (int s = 0; s < 2; ++s) {
      if (want[s]) {
        KEEL_RETURN_IF_ERROR(FindSplit(&kids[s], tree.nodes[static_cast<size_t>(kids[s].node)],
                                       kids[s].node, feature_mask));
        if (!kids[s].best.valid()) {
          ReleaseSlot(kids[s].slot);
          kids[s].slot = -1;
          continue;
        }
        open.push_back(kids[s]);
      }
    }
  }
  if (quantized_) RefitFromTrueGradients(grads, &tree);
  return tree;
}

void TreeLearner::ConstrainChildren(BinnedTree* tree, size_t parent_id) {
  const BinnedTree::Node& p = tree->nodes[parent_id];
  BinnedTree::Node& left = tree->nodes[static_cast<size_t>(p.left)];
  BinnedTree::Node& right = tree->nodes[static_cast<size_t>(p.right)];
  const auto f = static_cast<size_t>(p.feature);
  for (BinnedTree::Node* c : {&left, &right}) {
    c->lower = p.lower;
    c->upper = p.upper;
  }
  const int dir = config_.monotone.empty() ? 0 : config_.monotone[f];
  auto clamp = [](double w, double lo, double hi) { return w < lo ? lo : (w > hi ? hi : w); };
  if (dir != 0) {
    // The split finder only offered a split whose clamped outputs are in order; their
    // midpoint separates everything the two subtrees may output.
    const double mid =
        0.5 * (clamp(left.value, p.lower, p.upper) + clamp(right.value, p.lower, p.upper));
    (dir > 0 ? left.upper : left.lower) = mid;
    (dir > 0 ? right.lower : right.upper) = mid;
  }
  for (BinnedTree::Node* c : {&left, &right}) c->value = clamp(c->value, c->lower, c->upper);
  const size_t groups = config_.interaction_groups.size();
  if (groups > 0) {
    node_groups_.resize(tree->nodes.size() * groups);
    const size_t nf = mappers_.size();
    for (int32_t child : {p.left, p.right}) {
      for (size_t g = 0; g < groups; ++g) {
        node_groups_[static_cast<size_t>(child) * groups + g] =
            node_groups_[parent_id * groups + g] & in_group_[g * nf + f];
      }
    }
  }
}

namespace {

// Hessian sum and hessian-weighted value sum of the leaves under `node`.
void SubtreeMean(const BinnedTree& tree, int32_t node, double* h, double* hv) {
  const BinnedTree::Node& n = tree.nodes[static_cast<size_t>(node)];
  if (n.is_leaf()) {
    const double w = n.stats.h > 0 ? n.stats.h : 1.0;
    *h += w;
    *hv += w * n.value;
    return;
  }
  SubtreeMean(tree, n.left, h, hv);
  SubtreeMean(tree, n.right, h, hv);
}

double MeanOf(const BinnedTree& tree, int32_t node) {
  double h = 0;
  double hv = 0;
  SubtreeMean(tree, node, &h, &hv);
  return h > 0 ? hv / h : 0.0;
}

void Reimpose(std::span<const int8_t> monotone, BinnedTree* tree, int32_t node, double lo,
              double hi) {
  BinnedTree::Node& n = tree->nodes[static_cast<size_t>(node)];
  n.lower = lo;
  n.upper = hi;
  auto clamp = [&](double w) { return w < lo ? lo : (w > hi ? hi : w); };
  if (n.is_leaf()) {
    n.value = clamp(n.value);
    return;
  }
  const int dir = monotone[static_cast<size_t>(n.feature)];
  if (dir == 0) {
    Reimpose(monotone, tree, n.left, lo, hi);
    Reimpose(monotone, tree, n.right, lo, hi);
    return;
  }
  double ml = clamp(MeanOf(*tree, n.left));
  double mr = clamp(MeanOf(*tree, n.right));
  if (dir * (mr - ml) < 0) ml = mr = clamp(MeanOf(*tree, node));  // out of order: pool them
  const double mid = 0.5 * (ml + mr);
  Reimpose(monotone, tree, n.left, dir > 0 ? lo : mid, dir > 0 ? mid : hi);
  Reimpose(monotone, tree, n.right, dir > 0 ? mid : lo, dir > 0 ? hi : mid);
}

}  // namespace

void ReimposeMonotone(std::span<const int8_t> monotone, BinnedTree* tree) {
  if (std::all_of(monotone.begin(), monotone.end(), [](int8_t d) { return d == 0; })) return;
  if (tree->nodes.empty()) return;
  Reimpose(monotone, tree, 0, -std::numeric_limits<double>::infinity(),
           std::numeric_limits<double>::infinity());
}

std::span<const uint32_t> TreeLearner::LeafRows(int32_t node) const {
  const auto& r = node_range_[static_cast<size_t>(node)];
  return {indices_.data() + r.first, r.second - r.first};
}

Tree ToModelTree(const BinnedTree& tree, std::span<const BinMapper> mappers, double learning_rate,
                 int32_t class_index) {
  Tree out;
  out.class_index = class_index;
  out.nodes.resize(tree.nodes.size());
  for (size_t i = 0; i < tree.nodes.size(); ++i) {
    const BinnedTree::Node& bn = tree.nodes[i];
    TreeNode& n = out.nodes[i];
    n.cover = bn.stats.h;
    n.value = bn.value * learning_rate;
    if (bn.is_leaf()) continue;
    n.left = bn.left;
    n.right = bn.right;
    n.feature = bn.feature;
    n.gain = bn.gain;
    n.default_left = bn.default_left;
    n.missing_rule = MissingRule::kNaN;
    const BinMapper& m = mappers[static_cast<size_t>(bn.feature)];
    if (!bn.categorical) {
      n.threshold = m.cuts()[static_cast<size_t>(bn.threshold_bin)];
      n.less_equal = false;
      continue;
    }
    n.is_categorical = true;
    // List the side without the "other" bin: codes of "other" (and codes no bin holds) then
    // fall on the unlisted side, exactly as their bins did in training.
    const int other = m.other_bin();
    const bool other_left = other >= 0 && bn.left_bins[static_cast<size_t>(other)];
    n.categories_left = !other_left;
    for (int b = 0; b < m.missing_bin(); ++b) {
      if (b == other) continue;
      if (bn.left_bins[static_cast<size_t>(b)] == n.categories_left) {
        for (int32_t code : m.codes_of_bin(b)) n.categories.push_back(code);
      }
    }
    std::sort(n.categories.begin(), n.categories.end());
  }
  return out;
}

}  // namespace keel
