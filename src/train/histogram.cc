#include "train/histogram.h"

#include <algorithm>
#include <cstring>

#include "core/parallel.h"

namespace keel {
namespace {

// Rows per worker below which splitting a node across threads costs more than it saves
// (zeroing and reducing a scratch histogram per worker).
constexpr size_t kMinRowsPerWorker = 16384;
// Rows below which a node's histogram is built on one thread even by features (waking the
// workers costs more).
constexpr size_t kMinRowsFeatureParallel = 1024;
// How far ahead the row-list loop prefetches a row's bins and gradient: the rows of a leaf
// are increasing but not contiguous, which defeats the hardware prefetcher when leaves are
// small and scattered.
constexpr size_t kPrefetchDistance = 32;

// Each row's gradient widened once into a vector (g, h, 1, 0) of the cell type.
using V4d = double __attribute__((vector_size(32)));
using V4i = int32_t __attribute__((vector_size(16)));

inline V4d Widen(const GradPair& g, HistBin*) {
  return V4d{g.g, g.h, 1.0, 0.0};
}
inline V4i Widen(const QGradPair& g, QHistBin*) {
  return V4i{g.g, g.h, 1, 0};
}

// The kernels are the hot loop of training. Each row's gradient is widened once and added to
// one cell per feature with a single vector add; bins are row-major so the cells a row touches
// are found from one cache line. The bodies are inlined into target_clones wrappers, which
// build an AVX2 version chosen at load time on CPUs that have it and a portable one otherwise.
template <typename Cell, typename Grad>
__attribute__((always_inline)) inline void AccumulateAllBody(
    const uint8_t* __restrict bins, size_t stride, size_t cols, const uint32_t* __restrict offsets,
    const Grad* __restrict grads, size_t begin, size_t end, Cell* __restrict hist) {
  using V = decltype(Widen(grads[0], hist));
  for (size_t r = begin; r < end; ++r) {
    const uint8_t* b = bins + r * stride;
    const V gv = Widen(grads[r], hist);
    for (size_t f = 0; f < cols; ++f) {
      auto* cell = reinterpret_cast<V*>(hist + offsets[f] + b[f]);
      *cell += gv;
    }
  }
}

template <typename Cell, typename Grad>
__attribute__((always_inline)) inline void AccumulateRowsBody(
    const uint8_t* __restrict bins, size_t stride, size_t cols, const uint32_t* __restrict offsets,
    const Grad* __restrict grads, const uint32_t* __restrict rows, size_t begin, size_t end,
    Cell* __restrict hist) {
  using V = decltype(Widen(grads[0], hist));
  const size_t prefetch_end = end > kPrefetchDistance ? end - kPrefetchDistance : 0;
  for (size_t i = begin; i < end; ++i) {
    if (i < prefetch_end) {
      const uint32_t ahead = rows[i + kPrefetchDistance];
      __builtin_prefetch(bins + static_cast<size_t>(ahead) * stride);
      __builtin_prefetch(grads + ahead);
    }
    const size_t r = rows[i];
    const uint8_t* b = bins + r * stride;
    const V gv = Widen(grads[r], hist);
    for (size_t f = 0; f < cols; ++f) {
      auto* cell = reinterpret_cast<V*>(hist + offsets[f] + b[f]);
      *cell += gv;
    }
  }
}

#define KEEL_HIST_KERNELS(CELL, GRAD)                                                              \
  __attribute__((target_clones("avx2", "default"))) void AccumulateAll(                            \
      const uint8_t* bins, size_t stride, size_t cols, const uint32_t* offsets, const GRAD* grads, \
      size_t begin, size_t end, CELL* hist) {                                                      \
    AccumulateAllBody(bins, stride, cols, offsets, grads, begin, end, hist);                       \
  }                                                                                                \
  __attribute__((target_clones("avx2", "default"))) void AccumulateRows(                           \
      const uint8_t* bins, size_t stride, size_t cols, const uint32_t* offsets, const GRAD* grads, \
      const uint32_t* rows, size_t begin, size_t end, CELL* hist) {                                \
    AccumulateRowsBody(bins, stride, cols, offsets, grads, rows, begin, end, hist);                \
  }
KEEL_HIST_KERNELS(HistBin, GradPair)
KEEL_HIST_KERNELS(QHistBin, QGradPair)
#undef KEEL_HIST_KERNELS

// Rows [begin, end) of the node, features [f_begin, f_end).
template <typename Cell, typename Grad>
void Accumulate(const BinnedMatrix& bins, const uint32_t* offsets, const Grad* grads,
                std::span<const uint32_t> rows, bool all_rows, size_t begin, size_t end,
                size_t f_begin, size_t f_end, Cell* hist) {
  const uint8_t* b = bins.bins.data() + f_begin;
  const size_t nf = f_end - f_begin;
  if (all_rows) {
    AccumulateAll(b, bins.cols, nf, offsets + f_begin, grads, begin, end, hist);
  } else {
    AccumulateRows(b, bins.cols, nf, offsets + f_begin, grads, rows.data(), begin, end, hist);
  }
}

}  // namespace

HistogramLayout HistogramLayout::FromMappers(std::span<const BinMapper> mappers) {
  HistogramLayout l;
  l.offsets.resize(mappers.size() + 1, 0);
  for (size_t f = 0; f < mappers.size(); ++f) {
    l.offsets[f + 1] = l.offsets[f] + static_cast<uint32_t>(mappers[f].num_bins());
  }
  return l;
}

HistogramBuilder::HistogramBuilder(HistogramLayout layout, int threads)
    : layout_(std::move(layout)), threads_(std::max(threads, 1)) {}

Status HistogramBuilder::Build(const BinnedMatrix& bins, std::span<const GradPair> grads,
                               std::span<const uint32_t> rows, bool all_rows,
                               std::span<HistBin> out, bool accumulate) {
  return BuildCells(bins, grads, rows, all_rows, out, accumulate, &scratch_);
}

Status HistogramBuilder::BuildQuantized(const BinnedMatrix& bins, std::span<const QGradPair> grads,
                                        std::span<const uint32_t> rows, bool all_rows,
                                        std::span<QHistBin> out) {
  return BuildCells(bins, grads, rows, all_rows, out, false, &qscratch_);
}

template <typename Cell, typename Grad>
Status HistogramBuilder::BuildCells(const BinnedMatrix& bins, std::span<const Grad> grads,
                                    std::span<const uint32_t> rows, bool all_rows,
                                    std::span<Cell> out, bool accumulate,
                                    std::vector<Cell>* scratch) {
  const size_t total = layout_.total_bins();
  if (out.size() != total || bins.cols != layout_.num_features()) {
    return Status::Internal("histogram build: layout does not match ({} cells, {} features)",
                            out.size(), bins.cols);
  }
  const size_t count = all_rows ? bins.rows : rows.size();
  const uint32_t* offsets = layout_.offsets.data();
  const size_t workers =
      std::clamp<size_t>(count / kMinRowsPerWorker, 1, static_cast<size_t>(threads_));
  if (!accumulate) std::memset(static_cast<void*>(out.data()), 0, total * sizeof(Cell));
  const size_t nf = bins.cols;
  if (workers == 1 && threads_ > 1 && count >= kMinRowsFeatureParallel && nf >= 2) {
    // Too few rows to give each worker its own: each worker takes a share of the features
    // instead, over every row. Each cell still adds its rows in row order, so the sums are
    // those of one worker.
    const size_t parts = std::min(nf, static_cast<size_t>(threads_));
    return ParallelFor(static_cast<int>(parts), parts, [&](size_t p) {
      Accumulate(bins, offsets, grads.data(), rows, all_rows, 0, count, nf * p / parts,
                 nf * (p + 1) / parts, out.data());
    });
  }
  if (workers == 1) {
    Accumulate(bins, offsets, grads.data(), rows, all_rows, 0, count, 0, nf, out.data());
    return Status::OK();
  }
  // Worker 0 writes into `out`, the others into their scratch histograms, reduced after.
  scratch->resize(static_cast<size_t>(threads_ - 1) * total);
  KEEL_RETURN_IF_ERROR(ParallelFor(static_cast<int>(workers), workers, [&](size_t w) {
    Cell* dst = w == 0 ? out.data() : scratch->data() + (w - 1) * total;
    if (w != 0) std::memset(static_cast<void*>(dst), 0, total * sizeof(Cell));
    const size_t begin = count * w / workers;
    const size_t end = count * (w + 1) / workers;
    Accumulate(bins, offsets, grads.data(), rows, all_rows, begin, end, 0, nf, dst);
  }));
  for (size_t w = 1; w < workers; ++w) {
    const Cell* src = scratch->data() + (w - 1) * total;
    for (size_t b = 0; b < total; ++b) {
      out[b].g += src[b].g;
      out[b].h += src[b].h;
      out[b].n += src[b].n;
    }
  }
  return Status::OK();
}

namespace {

template <typename Cell>
void SubtractCells(std::span<const Cell> parent, std::span<const Cell> child, std::span<Cell> out) {
  for (size_t b = 0; b < out.size(); ++b) {
    out[b].g = parent[b].g - child[b].g;
    out[b].h = parent[b].h - child[b].h;
    out[b].n = parent[b].n - child[b].n;
  }
}

}  // namespace

void SubtractHistogram(std::span<const QHistBin> parent, std::span<const QHistBin> child,
                       std::span<QHistBin> out) {
  SubtractCells(parent, child, out);
}

void SubtractHistogram(std::span<const HistBin> parent, std::span<const HistBin> child,
                       std::span<HistBin> out) {
  SubtractCells(parent, child, out);
}

}  // namespace keel
