#include "predict/predictor.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "core/context.h"
#include "core/parallel.h"
#include "model/link_function.h"
#include "predict/compiled_forest.h"
#include "predict/compiled_forest64.h"
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

// Rows [r, r + m) of the row-major array x (n values per row) as U values: x itself when T
// is U, else converted (rounded or widened) into *buf, which holds at least m * n values.
template <typename U, typename T>
const U* RowsAs(const T* x, size_t n, size_t r, size_t m, std::vector<U>* buf) {
  if constexpr (std::is_same_v<T, U>) {
    return x + r * n;
  } else {
    std::transform(x + r * n, x + (r + m) * n, buf->begin(), [](T v) { return static_cast<U>(v); });
    return buf->data();
  }
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
  p->precision_ = model.input_precision;
  KEEL_ASSIGN_OR_RETURN(p->calibration_, CalibrationOf(model));
  KEEL_ASSIGN_OR_RETURN(p->conformal_, ConformalOf(model));
  if (model.kind != Model::Kind::kForest) {
    KEEL_ASSIGN_OR_RETURN(p->linear_, CompiledLinear::Compile(model));
  } else if (model.input_precision == InputPrecision::kFloat64) {
    KEEL_ASSIGN_OR_RETURN(p->forest64_, CompiledForest64::Compile(model));
  } else {
    KEEL_ASSIGN_OR_RETURN(p->forest_, CompiledForest::Compile(model));
  }
  return p;
}

// A row in the other precision than the compiled form's: converted (on the stack up to
// kStackFloats bytes' worth), then predicted.
template <typename T>
void Predictor::RawRowConverted(const T* features, double* margins) const {
  using Other = std::conditional_t<std::is_same_v<T, float>, double, float>;
  constexpr size_t kStack = kStackFloats * sizeof(float) / sizeof(Other);
  const size_t n = num_features_;
  if (n <= kStack) {
    Other row[kStack];
    for (size_t i = 0; i < n; ++i) row[i] = static_cast<Other>(features[i]);
    PredictRawRow(row, margins);
  } else {
    thread_local std::vector<Other> row;
    if (row.size() < n) row.resize(n);
    for (size_t i = 0; i < n; ++i) row[i] = static_cast<Other>(features[i]);
    PredictRawRow(row.data(), margins);
  }
}

void Predictor::PredictRawRow(const float* features, double* margins) const {
  if (forest64_) {
    RawRowConverted(features, margins);
    return;
  }
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

void Predictor::PredictRawRow(const double* features, double* margins) const {
  if (forest64_) {
    forest64_->RawRow(features, margins);
    return;
  }
  RawRowConverted(features, margins);
}

void Predictor::Finalize(const double* margins, double* out) const {
  MarginsToPredictions(objective_, num_outputs_, margins, out);
  ApplyCalibration(calibration_, num_outputs_, out);
}

void Predictor::PredictRow(const float* features, double* out) const {
  PredictRawRow(features, out);
  Finalize(out, out);
}

void Predictor::PredictRow(const double* features, double* out) const {
  PredictRawRow(features, out);
  Finalize(out, out);
}

Status Predictor::PredictBatch(const FeatureMatrix& x, std::span<double> out, bool raw,
                               int threads) const {
  if (x.cols != num_features_) {
    return Status::InvalidArgument("feature matrix has {} columns; the model takes {} features",
                                   x.cols, num_features_);
  }
  if (!x.values64.empty()) {
    return PredictBatch(std::span<const double>(x.values64), x.rows, out, raw, threads);
  }
  return PredictBatch(std::span<const float>(x.values), x.rows, out, raw, threads);
}

Status Predictor::CheckBatch(size_t values, size_t rows, size_t outputs) const {
  const size_t n = num_features_;
  const size_t k = static_cast<size_t>(num_outputs_);
  if (values != rows * n) {
    return Status::InvalidArgument("{} feature values for {} rows of {} features", values, rows, n);
  }
  if (outputs != rows * k) {
    return Status::InvalidArgument("output has room for {} values; {} rows x {} outputs need {}",
                                   outputs, rows, k, rows * k);
  }
  return Status::OK();
}

Status Predictor::PredictBatch(std::span<const float> x, size_t rows, std::span<double> out,
                               bool raw, int threads) const {
  KEEL_RETURN_IF_ERROR(CheckBatch(x.size(), rows, out.size()));
  return Batch(x.data(), rows, out, raw, threads);
}

Status Predictor::PredictBatch(std::span<const double> x, size_t rows, std::span<double> out,
                               bool raw, int threads) const {
  KEEL_RETURN_IF_ERROR(CheckBatch(x.size(), rows, out.size()));
  return Batch(x.data(), rows, out, raw, threads);
}

template <typename T>
Status Predictor::Batch(const T* x, size_t rows, std::span<double> out, bool raw,
                        int threads) const {
  const size_t n = num_features_;
  const size_t k = static_cast<size_t>(num_outputs_);
  if (threads < 1) threads = HardwareThreads();
  const size_t tasks = (rows + kRowsPerTask - 1) / kRowsPerTask;
  return ParallelFor(threads, tasks, [&](size_t task) {
    const size_t begin = task * kRowsPerTask;
    const size_t end = std::min(rows, begin + kRowsPerTask);
    double* o = out.data() + begin * k;
    if (forest64_) {
      // Doubles as given; float rows widened a block at a time.
      const size_t block = BlockRows(n);
      std::vector<double> wide(std::is_same_v<T, double> ? 0 : block * n);
      for (size_t r = begin; r < end; r += block) {
        const size_t m = std::min(block, end - r);
        forest64_->RawBlock(RowsAs<double>(x, n, r, m, &wide), m, out.data() + r * k);
      }
    } else if (linear_) {
      std::vector<float> narrow(std::is_same_v<T, float> ? 0 : n);
      for (size_t r = begin; r < end; ++r) {
        linear_->RawRow(RowsAs<float>(x, n, r, 1, &narrow), out.data() + r * k);
      }
    } else {
      const size_t width = forest_->ext_width();
      const size_t block = BlockRows(width);
      std::vector<double> acc(4 * block);
      std::vector<float> ext(width == n ? 0 : block * width);
      std::vector<float> narrow(std::is_same_v<T, float> ? 0 : block * n);
      for (size_t r = begin; r < end; r += block) {
        const size_t m = std::min(block, end - r);
        // Double rows are rounded to float as EncodeFeatures rounds them (nearest).
        const float* rows_in = RowsAs<float>(x, n, r, m, &narrow);
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
        Finalize(o, o);
      }
    }
  });
}

}  // namespace keel
