// Keel's C++ prediction API: load a .keel model and predict rows or batches.
//
//   auto model = keel::LoadedModel::Load("churn.keel");      // checks format and checksums
//   if (!model.ok()) { /* model.status().ToString() */ }
//   keel::FeatureRow row = (*model)->NewRow();               // every feature missing
//   row.Set("tenure", 12.0);                                 // numeric feature, by name
//   row.Set("contract", "Month-to-month");                   // categorical feature, by text
//   std::vector<double> out((*model)->num_outputs());
//   keel::Status st = (*model)->PredictRow(row, out);        // out = {P(No), P(Yes)}
//
// A LoadedModel is immutable after Load: any number of threads may predict from one
// instance at the same time. Predictions allocate nothing; FeatureRow owns one small buffer
// and is meant to be reused (one per thread).
//
// Inputs are the model's features (feature_name(i)), NaN = missing, as float32 or float64
// arrays. Models trained by Keel or imported from XGBoost read float32: a double is rounded to
// float first. Models imported from LightGBM read float64 (reads_doubles()): pass doubles
// (the double overloads, or FeatureRow, which keeps both) to get exactly LightGBM's
// predictions; float inputs are widened, which is exact only for values that were floats.
// Categorical
// features take the code of their category: FeatureRow::Set(name, text) looks it up
// (CategoryCode); models imported from XGBoost/LightGBM take the integer codes they were
// trained with. Outputs per row, named by output_names() exactly like `keel predict`'s
// columns: binary {prob_<negative>, prob_<positive>}, multiclass one prob_<class> per
// class, regression {prediction}. Raw margins (log-odds, per-class scores) on request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.h"

namespace keel {

class FeatureRow;
struct Model;

class LoadedModel {
 public:
  // Reads and verifies a .keel file and compiles its model. Errors: IoError, Corrupt
  // (truncated or damaged file), Unsupported (written by a newer Keel).
  static Result<std::unique_ptr<LoadedModel>> Load(const std::string& path);
  // The same from the bytes of a .keel file; `name` names it in errors.
  static Result<std::unique_ptr<LoadedModel>> FromBytes(std::string_view bytes,
                                                        std::string_view name);
  ~LoadedModel();
  LoadedModel(const LoadedModel&) = delete;
  LoadedModel& operator=(const LoadedModel&) = delete;

  // "binary", "multiclass" or "regression".
  const std::string& task() const;
  // Class names in class order (binary: the positive class last); empty for regression.
  const std::vector<std::string>& classes() const;

  size_t num_features() const;
  const std::string& feature_name(size_t i) const;
  // Index of the feature called `name`, or -1.
  int64_t FeatureIndex(std::string_view name) const;
  bool is_categorical(size_t i) const;
  // The category names of categorical feature i (code k = categories[k]); empty when the
  // model takes integer codes.
  const std::vector<std::string>& categories(size_t i) const;
  // The code of category `text` of feature i (exact, then case-insensitive match), or NaN
  // when the model never saw it (unseen categories are treated as missing).
  float CategoryCode(size_t i, std::string_view text) const;

  // Names of the prediction values of one row; num_outputs() == output_names().size().
  const std::vector<std::string>& output_names() const;
  size_t num_outputs() const;
  // Raw margins per row: 1 for binary (log-odds of the positive class) and regression, one
  // per class for multiclass.
  size_t num_margins() const;

  // Whether the model reads its inputs as float64 (models imported from LightGBM) rather
  // than float32.
  bool reads_doubles() const;

  // A row with every feature missing, for Set() by name.
  FeatureRow NewRow() const;

  // One row in feature order (features.size() == num_features()) into out
  // (out.size() >= num_outputs()). Errors: InvalidArgument on a size mismatch.
  Status PredictRow(std::span<const float> features, std::span<double> out) const;
  Status PredictRow(std::span<const double> features, std::span<double> out) const;
  // A FeatureRow: its doubles for a float64 model, its floats otherwise.
  Status PredictRow(const FeatureRow& row, std::span<double> out) const;
  // Raw margins of one row (out.size() >= num_margins()).
  Status PredictRawRow(std::span<const float> features, std::span<double> out) const;
  Status PredictRawRow(std::span<const double> features, std::span<double> out) const;

  // `rows` rows, row-major (features.size() == rows * num_features()), into out
  // (rows * num_outputs(), row-major), on up to `threads` threads (< 1: all cores).
  Status PredictBatch(std::span<const float> features, size_t rows, std::span<double> out,
                      int threads = 1) const;
  Status PredictBatch(std::span<const double> features, size_t rows, std::span<double> out,
                      int threads = 1) const;

 private:
  struct Impl;
  explicit LoadedModel(std::unique_ptr<Impl> impl);
  static Result<std::unique_ptr<LoadedModel>> Compile(Model&& model);
  std::unique_ptr<Impl> impl_;
  friend class FeatureRow;
};

// Feature values for one row, set by name. Starts all-missing; reuse it across rows.
class FeatureRow {
 public:
  // A numeric value (or a categorical feature's code). Errors: NotFound for an unknown name.
  Status Set(std::string_view feature, double value);
  // A categorical feature's category by name (unseen: missing, as in `keel predict`), or a
  // numeric feature's value written as text ("12.5"; unparsable: InvalidArgument).
  Status Set(std::string_view feature, std::string_view text);
  Status Set(std::string_view feature, const char* text) {
    return Set(feature, std::string_view(text));
  }
  // Marks a feature missing.
  Status SetMissing(std::string_view feature);
  // Makes every feature missing again.
  void Clear();
  // The encoded values, in feature order, as floats and as the exact doubles set (what a
  // float64 model reads; values() holds their float rounding).
  std::span<const float> values() const { return values_; }
  std::span<const double> values64() const { return values64_; }

 private:
  friend class LoadedModel;
  explicit FeatureRow(const LoadedModel* model);
  void Put(size_t feature, double value);
  const LoadedModel* model_;
  std::vector<float> values_;
  std::vector<double> values64_;
};

}  // namespace keel
