// Predictor: a model compiled for fast, allocation-free prediction.
//
// Create() compiles a Model once (trees into cache-friendly arrays, see compiled_forest.h;
// linear models into flat term arrays) and copies everything it needs, so the Model may be
// destroyed afterwards. A Predictor is immutable: any number of threads may predict from one
// instance concurrently.
//
// Inputs are feature vectors as the model IR defines them (model/model.h): num_features()
// values in Model::features order, NaN = missing, categorical values as codes.
// Compiled form per precision, chosen at Create by Model::input_precision:
//   float32 (Keel-trained, XGBoost)  CompiledForest (compiled_forest.h): float rows, reordered
//                                    sums, SIMD; double inputs are rounded to float first
//   float64 (LightGBM)               CompiledForest64 (compiled_forest64.h): double rows,
//                                    LightGBM's rules and summation order; float inputs are
//                                    widened (exact only for values that were floats)
// Callers with parsed doubles (EncodeFeatures' FeatureMatrix::values64) pass them as doubles.
// Outputs per row:
//   raw     num_outputs() margins (binary: log-odds of classes[1]; multiclass: one per class)
//   final   binary: P(classes[1]); multiclass: num_outputs() class probabilities summing to
//           1; regression: the predicted value. The link function, then the model's
//           calibration when it has one (model/calibration.h): Finalize() is the one place
//           margins become predictions, so every path gives the same calibrated numbers.
// The float32 form gives the IR's margins up to double rounding (summation order may differ
// from model order, ~1e-16 relative); the float64 form sums in model order. Single-row and
// batch paths give bit-identical results.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "keel/status.h"
#include "model/calibration.h"
#include "model/conformal.h"
#include "model/model.h"
#include "predict/feature_matrix.h"

namespace keel {

class CompiledForest;
class CompiledForest64;
class CompiledLinear;

class Predictor {
 public:
  // Compiles `model`, which must pass ValidateModel (re-checked here). Errors: the
  // ValidateModel status; ResourceExhausted for a forest too large to compile.
  static Result<std::unique_ptr<Predictor>> Create(const Model& model);

  ~Predictor();
  Predictor(const Predictor&) = delete;
  Predictor& operator=(const Predictor&) = delete;

  size_t num_features() const { return num_features_; }
  int num_outputs() const { return num_outputs_; }
  Objective objective() const { return objective_; }
  Task task() const { return task_; }
  // The precision of the compiled form (the model's input precision).
  InputPrecision input_precision() const { return precision_; }

  // The model's calibration (none when it has none) and conformal scores (empty when none).
  const Calibration& calibration() const { return calibration_; }
  const Conformal& conformal() const { return conformal_; }

  // Final predictions of one row from its num_outputs() margins: the link, then the
  // calibration. `margins` and `out` may alias.
  void Finalize(const double* margins, double* out) const;

  // margins[0..num_outputs()) for one row of num_features() values. No allocation for
  // models with up to 4096 features (larger ones reuse one buffer per thread).
  void PredictRawRow(const float* features, double* margins) const;
  // Final predictions for one row: out[0..num_outputs()).
  void PredictRow(const float* features, double* out) const;
  // The same for a row of doubles (exact for float64 models, rounded to float otherwise).
  void PredictRawRow(const double* features, double* margins) const;
  void PredictRow(const double* features, double* out) const;

  // Predicts every row of x (x.cols must equal num_features()) into out, row-major,
  // x.rows * num_outputs() values; raw margins when `raw`. Rows are processed in blocks on
  // up to `threads` threads (< 1: all hardware threads). Errors: InvalidArgument on a shape
  // mismatch. Reads x.values64 when it is filled (float64 models), else x.values.
  Status PredictBatch(const FeatureMatrix& x, std::span<double> out, bool raw, int threads) const;
  // The same for a raw row-major float or double array of `rows` rows.
  Status PredictBatch(std::span<const float> x, size_t rows, std::span<double> out, bool raw,
                      int threads) const;
  Status PredictBatch(std::span<const double> x, size_t rows, std::span<double> out, bool raw,
                      int threads) const;

 private:
  Predictor() = default;

  size_t num_features_ = 0;
  int num_outputs_ = 1;
  Objective objective_ = Objective::kBinaryLogistic;
  Task task_ = Task::kBinary;
  InputPrecision precision_ = InputPrecision::kFloat32;
  Calibration calibration_;
  Conformal conformal_;
  // Rows in a batch for `rows` rows of this model, checking the shapes.
  Status CheckBatch(size_t values, size_t rows, size_t outputs) const;
  template <typename T>
  Status Batch(const T* x, size_t rows, std::span<double> out, bool raw, int threads) const;
  template <typename T>
  void RawRowConverted(const T* features, double* margins) const;

  std::unique_ptr<CompiledForest> forest_;
  std::unique_ptr<CompiledForest64> forest64_;
  std::unique_ptr<CompiledLinear> linear_;
};

}  // namespace keel
