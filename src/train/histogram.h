// Gradient histograms: per feature and bin, the sums of gradients, hessians and row counts of
// the rows of one tree node. Split finding reads only these, so building them is the hot
// loop of training; the sibling of a built node is its parent minus it (Subtract).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "keel/status.h"
#include "train/binning.h"
#include "train/objective.h"

namespace keel {

// One histogram cell. Four doubles so that adding a row is one 256-bit vector add (two
// 128-bit adds without AVX); the count is kept exactly (min_data_in_leaf) rather than
// estimated from hessians.
struct alignas(32) HistBin {
  double g = 0;
  double h = 0;
  double n = 0;
  double pad = 0;
};

// Quantized training (--quantized-grad): a row's gradient and hessian as small integers (see
// QuantizeGradients in train/tree_learner.h), and a histogram cell of their exact integer sums.
// Half the bytes of a HistBin and integer adds, so sums do not depend on their order.
struct QGradPair {
  int16_t g = 0;
  int16_t h = 0;
};

struct alignas(16) QHistBin {
  int32_t g = 0;
  int32_t h = 0;
  int32_t n = 0;
  int32_t pad = 0;
};

// Where each feature's bins start in a node histogram: offsets[f] .. offsets[f + 1].
struct HistogramLayout {
  std::vector<uint32_t> offsets;  // size features + 1
  size_t total_bins() const { return offsets.empty() ? 0 : offsets.back(); }
  size_t num_features() const { return offsets.empty() ? 0 : offsets.size() - 1; }

  static HistogramLayout FromMappers(std::span<const BinMapper> mappers);
};

// Builds node histograms on up to `threads` workers. Holds per-thread scratch histograms, so
// one builder serves one training run at a time (not thread-safe itself).
class HistogramBuilder {
 public:
  HistogramBuilder(HistogramLayout layout, int threads);

  // out[b] = sums over rows r of (grads[r].g, grads[r].h, 1) for every cell b that row r's
  // bins select. `rows` lists the node's rows (indices into `bins` and `grads`); an empty
  // span with all_rows=true means rows 0 .. bins.rows - 1. `out` has layout.total_bins()
  // cells and is overwritten, or added to when `accumulate` (each cell then holds its old
  // value plus the rows, added after it in row order).
  Status Build(const BinnedMatrix& bins, std::span<const GradPair> grads,
               std::span<const uint32_t> rows, bool all_rows, std::span<HistBin> out,
               bool accumulate = false);

  // The same over quantized gradients, into integer cells (never accumulates). The caller
  // keeps every sum below 2^31 (rows x largest |level|).
  Status BuildQuantized(const BinnedMatrix& bins, std::span<const QGradPair> grads,
                        std::span<const uint32_t> rows, bool all_rows, std::span<QHistBin> out);

  const HistogramLayout& layout() const { return layout_; }

 private:
  template <typename Cell, typename Grad>
  Status BuildCells(const BinnedMatrix& bins, std::span<const Grad> grads,
                    std::span<const uint32_t> rows, bool all_rows, std::span<Cell> out,
                    bool accumulate, std::vector<Cell>* scratch);

  HistogramLayout layout_;
  int threads_;
  std::vector<HistBin> scratch_;    // (threads - 1) x total_bins
  std::vector<QHistBin> qscratch_;  // the same for quantized builds, sized on first use
};

// out = parent - child, cell by cell (the sibling-subtraction trick). `out` may alias
// `parent`.
void SubtractHistogram(std::span<const HistBin> parent, std::span<const HistBin> child,
                       std::span<HistBin> out);
void SubtractHistogram(std::span<const QHistBin> parent, std::span<const QHistBin> child,
                       std::span<QHistBin> out);

}  // namespace keel
