// CompiledForest: a tree ensemble laid out for the loops that evaluate it.
//
// Layout (built once by Compile, read-only afterwards):
//  * Trees of depth <= kMaxPerfectDepth are padded to perfect binary trees of their own depth
//    D and stored in heap order: internal node i has children 2i+1 and 2i+2, so no child
//    pointers are stored and a traversal is exactly D steps with no leaf test. Each tree is
//    a block of 2^(D+1) 8-byte slots: slot i < 2^D - 1 is a node {feature, float threshold},
//    slot i >= 2^D - 1 is the double value of the leaf a traversal ending at i reaches. A leaf
//    of the IR above depth D is replicated into every padded leaf below it. The first cache
//    line of a tree holds its first three levels.
//  * Every numeric split is canonicalised to one ordered float comparison,
//        go to child 2i+2  iff  e[feature] >= threshold,
//    on an extended row e = [x_0..x_{n-1}, -x_0..-x_{n-1}, codes...]. NaN fails every ordered
//    comparison, so missing values take child 2i+1; the children are ordered so that child
//    2i+1 is the default (missing) side. A default-right split x < t is rewritten on -x
//    (x < t  <=>  -x >= nextup(-t)), which is why the row is extended with its negation.
//    LightGBM's NaN-as-zero rule folds into the default side, as do zero-as-missing splits
//    where zero falls on the default side anyway; the remaining ones and categorical splits
//    are "special" nodes decided out of line (bitsets for categories).
//  * A categorical split whose listed categories are all below kSmallCatCodes is not special:
//    its slot holds {kCatBit | code column, 32-bit mask} and is decided without a branch.
//    The extended row then also carries, per such feature, a code column: the bits of a
//    float holding 0..29 for that category code, 30 for any other value (an unlisted code,
//    negative or too large) and 31 for NaN; the node goes to 2i+2 iff bit `code` of its
//    mask is set. Trees are classed by their nodes as plain (ordered compares only), small-
//    categorical (compares and masks, both branch-free and vectorised) or special (some node
//    decided out of line); each class has its own loops.
//  * Deeper trees use explicit child indices (SparseNode) instead of padding, breadth-first
//    per tree; their small categorical splits use the same mask encoding, other special
//    splits go out of line. A leaf is a node whose children are itself, so a traversal may
//    take more steps than the leaf's depth and stay put: the single-row path walks many
//    trees in lockstep (16 per AVX-512 vector, by depth; kSparseInterleave in the portable
//    loop) for the deepest one's depth, their dependent loads overlapping, with no per-step
//    leaf test.
//  * Trees are grouped into runs of equal output and depth; constant trees are folded into
//    the base margin.
// Summation: within a run, tree t adds to partial sum t % 4; the run adds
// (p0 + p1) + (p2 + p3) to its output. Single-row and block paths follow the same order, so
// they agree bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "keel/status.h"
#include "model/model.h"

namespace keel {

class CompiledForest {
 public:
  static constexpr int kMaxPerfectDepth = 8;

  // Compiles model.forest (model must pass ValidateModel). Errors: ResourceExhausted when the
  // feature count or compiled size exceeds the layout's limits.
  static Result<std::unique_ptr<CompiledForest>> Compile(const Model& model);

  size_t num_features() const { return num_features_; }
  int num_outputs() const { return num_outputs_; }
  // Floats per extended row: num_features(), plus num_features() when some split reads -x,
  // plus one code column per feature of a small categorical split. When it equals
  // num_features() the caller's row is used as is.
  size_t ext_width() const { return ext_width_; }

  // Writes the extended row of x into ext[0..ext_width()).
  void ExtendRow(const float* x, float* ext) const;

  // margins[0..num_outputs) for one row, given its extended row (or x itself when
  // ext_width() == num_features()).
  void RawRow(const float* ext, double* margins) const;

  // Margins of `rows` rows whose extended rows are ext[r * ext_width()...]; margins is
  // rows x num_outputs. `acc` is scratch of rows * 4 doubles. Rows are independent, so any
  // split of a batch into blocks gives the same results.
  void RawBlock(const float* ext, size_t rows, double* margins, double* acc) const;

  // The block path uses an AVX-512 kernel (16 rows per step) for plain and small-categorical
  // perfect trees when the CPU has AVX-512F/DQ; otherwise (and for special or deep trees)
  // the portable scalar loop. The single-row path uses AVX-512 kernels (16 trees per vector,
  // the row held in registers when it has at most 32 floats) for plain and small-categorical
  // perfect trees, and for deep trees when the forest has no out-of-line split; otherwise
  // the portable loops (deep trees 8 in lockstep). All give the same bits.
  // SetSimdEnabled(false) forces the scalar loops process-wide (tests, benchmarks) and
  // returns the previous setting; it cannot enable AVX-512 on a CPU without it.
  static bool SetSimdEnabled(bool enabled);
  static bool SimdEnabled();
  // Whether this CPU can run the AVX-512 kernels at all.
  static bool SimdSupported();

  // Statistics for inspection and benchmarks.
  size_t num_perfect_trees() const;
  size_t num_sparse_trees() const;
  size_t num_special_nodes() const { return specials_.size(); }
  size_t num_small_cat_trees() const;

  struct Slot {
    uint32_t feature;  // index into the extended row, or kSpecialBit | special index
    float threshold;
  };
  static constexpr uint32_t kSpecialBit = 0x80000000u;
  // Slot.feature flag of a small categorical node; Slot.threshold then holds the mask bits.
  static constexpr uint32_t kCatBit = 0x40000000u;
  // Category codes a small categorical split may list; code 30 = other, 31 = NaN.
  static constexpr int32_t kSmallCatCodes = 30;
  // How the nodes of a perfect tree are decided (see the layout above).
  enum class TreeKind : uint8_t { kPlain, kSmallCat, kSpecial };

  // Deep trees walked together by the single-row path (a multiple of 4: tree t of a run
  // still adds to partial t % 4 in model order).
  static constexpr int kSparseInterleave = 8;
  // The AVX-512 single-row kernel takes a sparse run's trees by depth within chunks of this
  // many trees (sparse_lane_*), then adds the leaves back in model order.
  static constexpr uint32_t kSparseLaneChunk = 256;

  struct SparseNode {
    uint32_t feature;  // as in Slot; 0 for a leaf
    float threshold;   // NaN for a leaf, so its decision is always child[0]
    // Node indices: child[0] is the default (missing) side and child[1] == child[0] + 1. A
    // leaf's children are its own index, its value is sparse_leaves_[index].
    int32_t child[2];
  };

  struct Special {
    bool categorical = false;
    bool default_left = true;
    bool categories_left = true;  // categorical
    bool less_equal = false;      // zero-or-NaN numeric
    uint32_t feature = 0;         // index into the plain row
    double threshold = 0;         // zero-or-NaN numeric
    uint32_t bits_offset = 0;     // categorical bitset: words in cat_bits_
    uint32_t bits_count = 0;      // number of codes covered by the bitset
    uint32_t list_offset = 0;     // categorical codes beyond the bitset: cat_list_ range
    uint32_t list_count = 0;
  };

  struct Run {
    int32_t output = 0;
    int32_t depth = 0;                 // perfect runs: tree depth D; sparse runs: -1
    TreeKind kind = TreeKind::kPlain;  // perfect runs
    uint32_t num_trees = 0;
    size_t offset = 0;  // perfect: first slot; sparse: index into sparse_roots_
  };

  // Whether a special node sends the row to child 2i+2 (the IR's right child).
  bool SpecialGoesSecond(uint32_t index, const float* ext) const;

 private:
  CompiledForest() = default;

  size_t num_features_ = 0;
  size_t ext_width_ = 0;
  int num_outputs_ = 1;
  bool has_special_ = false;
  // Code columns: code_features_[j] is the plain-row feature of extended column
  // code_base_ + j.
  size_t code_base_ = 0;
  std::vector<uint32_t> code_features_;
  std::vector<double> base_;  // base margin plus constant trees, per output
  std::vector<Run> runs_;
  std::vector<Slot> slots_;  // perfect trees, 64-byte aligned blocks (see slots_base_)
  const Slot* slots_base_ = nullptr;
  std::vector<SparseNode> sparse_nodes_;
  std::vector<double> sparse_leaves_;  // per node: the leaf value (0 for internal nodes)
  std::vector<int32_t> sparse_roots_;
  std::vector<uint32_t> sparse_depths_;  // per sparse tree (parallel to sparse_roots_)
  // The same trees in lane order (by depth within each kSparseLaneChunk of a run) with their
  // position in that chunk: parallel to sparse_roots_, runs at the same offsets.
  std::vector<int32_t> sparse_lane_roots_;
  std::vector<uint32_t> sparse_lane_depths_;
  std::vector<uint32_t> sparse_lane_pos_;
  std::vector<Special> specials_;
  std::vector<uint64_t> cat_bits_;
  std::vector<int32_t> cat_list_;

  friend class ForestCompiler;
};

}  // namespace keel
