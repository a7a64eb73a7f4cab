#include "explain/explainer.h"

#include <algorithm>

#include "core/parallel.h"
#include "explain/linear_attribution.h"
#include "explain/tree_shap.h"

namespace keel {
namespace {

// Rows per block: a block goes through one tree at a time, so the tree's arrays stay in cache
// while its attribution rows (block * row_width doubles) stay in L2.
constexpr size_t kBlockRows = 64;

}  // namespace

ExplainScratch Explainer::NewScratch() const {
  ExplainScratch s;
  s.words.assign(scratch_words_, 0);
  s.numbers.assign(scratch_numbers_, 0.0);
  const size_t cells = kConvertRows * static_cast<size_t>(num_features_);
  s.rows32.assign(cells, 0.0f);
  if (reads_doubles_) s.rows64.assign(cells, 0.0);
  return s;
}

void Explainer::ExplainRows64(const double* rows, size_t n, size_t stride, double* out,
                              ExplainScratch* scratch) const {
  const auto nf = static_cast<size_t>(num_features_);
  for (size_t r0 = 0; r0 < n; r0 += kConvertRows) {
    const size_t m = std::min(kConvertRows, n - r0);
    for (size_t i = 0; i < m; ++i) {
      const double* in = rows + (r0 + i) * stride;
      float* to = scratch->rows32.data() + i * nf;
      for (size_t f = 0; f < nf; ++f) to[f] = static_cast<float>(in[f]);
    }
    ExplainRows(scratch->rows32.data(), m, nf, out + r0 * row_width(), scratch);
  }
}

Status Explainer::ExplainMatrix(const FeatureMatrix& x, int threads, std::span<double> out) const {
  if (x.cols != static_cast<size_t>(num_features_)) {
    return Status::InvalidArgument("the feature matrix has {} columns; the model has {} features",
                                   x.cols, num_features_);
  }
  const size_t width = row_width();
  if (out.size() != x.rows * width) {
    return Status::InvalidArgument("attribution buffer holds {} values; {} rows need {}",
                                   out.size(), x.rows, x.rows * width);
  }
  if (x.rows == 0) return Status::OK();
  const size_t blocks = (x.rows + kBlockRows - 1) / kBlockRows;
  threads = std::max(threads, 1);
  // A few ranges per thread balance the load on a shared machine; each range has its own
  // scratch, so nothing is allocated per row or per block.
  const size_t parts = std::min(blocks, static_cast<size_t>(threads) * 4);
  return ParallelForRanges(threads, blocks, parts, [&](size_t, size_t begin, size_t end) {
    ExplainScratch scratch = NewScratch();
    for (size_t b = begin; b < end; ++b) {
      const size_t r0 = b * kBlockRows;
      const size_t n = std::min(kBlockRows, x.rows - r0);
      if (x.values64.empty()) {
        ExplainRows(x.row(r0), n, x.cols, out.data() + r0 * width, &scratch);
      } else {
        ExplainRows64(x.row64(r0), n, x.cols, out.data() + r0 * width, &scratch);
      }
    }
  });
}

Result<std::unique_ptr<Explainer>> CreateExplainer(const Model& model,
                                                   const ExplainerOptions& options) {
  if (model.kind == Model::Kind::kLinear) return CreateLinearAttribution(model);
  return CreateTreeShap(model, options);
}

}  // namespace keel
