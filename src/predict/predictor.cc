#include "predict/predictor.h"

#include <algorithm>
#include <vector>

#include "core/context.h"
#include "core/parallel.h"
#include "model/link_function.h"
#include "predict/compiled_forest.h"
#include "predict/compiled_linear.h"

namespace keel {
namespace {

// Extended rows of up to this many floats live on the stack in the single-row path.
constexpr size_t kStackFloats = 8192;
// Rows per parallel work item; each item reuses its block buffers for all its rows.
constexpr size_t kRowsPerTask = 2048;

// Rows per block: enough that a tree's slots are reused many times while they sit in L1,
// few enough that the block's extended rows stay in L1/L2 with it.
size_t BlockRows(size_t width) {
  return std::clamp<size_t>(8192 / std::max<size_t>(width, 1), 8, 128);
}

}  // namespace

Predictor::~Predictor() = default;

Result<std::unique_ptr<Predictor>> Predictor::Create(const Model& model) {
  KEEL_RETURN_IF_ERROR(ValidateModel(model));
  std::unique_ptr<Predictor> p(new Predictor());
  p->num_features_ = model.features.size();
  p->num_outputs_ = model.num_outputs;
  p->objective_ = model.objective;
  p->task_ = model.task;
  if (model.kind == Model::Kind::kForest) {
    KEEL_ASSIGN_OR_RETURN(p->forest_, CompiledForest::Compile(model));
  } else {
    KEEL_ASSIGN_OR_RETURN(p->linear_, CompiledLinear::Compile(model));
  }
  return p;
}

void Predictor::PredictRawRow(const float* features, double* margins) const {
  if (linear_) {
    linear_->RawRow(features, margins);
    return;
  }
  const size_t width = forest_->ext_width();
  if (width == num_features_) {
    forest_->RawRow(features, margins);
  } else if (width <= kStackFloats) {
    float ext[kStackFloats];
    forest_->ExtendRow(features, ext);
    forest_->RawRow(ext, margins);
  } else {
    thread_local std::vector<float> ext;
    if (ext.size() < width) ext.resize(width);
    forest_->ExtendRow(features, ext.data());
    forest_->RawRow(ext.data(), margins);
  }
}

void Predictor::PredictRow(const float* features, double* out) const {
  PredictRawRow(features, out);
  MarginsToPredictions(objective_, num_outputs_, out, out);
}

Status Predictor::PredictBatch(const FeatureMatrix& x, std::span<double> out, bool raw,
                               int threads) const {
  if (x.cols != num_features_) {
    return Status::InvalidArgument("feature matrix has {} columns; the model takes {} features",
                                   x.cols, num_features_);
  }
  return PredictBatch(std::span<const float>(x.values), x.rows, out, raw, threads);
}

Status Predictor::PredictBatch(std::span<const float> x, size_t rows, std::span<double> out,
                               bool raw, int threads) const {
  const size_t n = num_features_;
  const size_t k = static_cast<size_t>(num_outputs_);
  if (x.size() != rows * n) {
    return Status::InvalidArgument("{} feature values for {} rows of {} features", x.size(), rows,
                                   n);
  }
  if (out.size() != rows * k) {
    return Status::InvalidArgument("output has room for {} values; {} rows x {} outputs need {}",
                                   out.size(), rows, k, rows * k);
  }
  if (threads < 1) threads = HardwareThreads();
  const size_t tasks = (rows + kRowsPerTask - 1) / kRowsPerTask;
  return ParallelFor(threads, tasks, [&](size_t task) {
    const size_t begin = task * kRowsPerTask;
    const size_t end = std::min(rows, begin + kRowsPerTask);
    double* o = out.data() + begin * k;
    if (linear_) {
      for (size_t r = begin; r < end; ++r) linear_->RawRow(x.data() + r * n, out.data() + r * k);
    } else {
      const size_t width = forest_->ext_width();
      const size_t block = BlockRows(width);
      std::vector<double> acc(4 * block);
      std::vector<float> ext(width == n ? 0 : block * width);
      for (size_t r = begin; r < end; r += block) {
        const size_t m = std::min(block, end - r);
        const float* rows_in = x.data() + r * n;
        if (width != n) {
          for (size_t i = 0; i < m; ++i)
            forest_->ExtendRow(rows_in + i * n, ext.data() + i * width);
          rows_in = ext.data();
        }
        forest_->RawBlock(rows_in, m, out.data() + r * k, acc.data());
      }
    }
    if (!raw) {
      for (size_t r = begin; r < end; ++r, o += k) {
        MarginsToPredictions(objective_, num_outputs_, o, o);
      }
    }
  });
}

}  // namespace keel
