// The public prediction API (include/keel/predictor.h) over Predictor and the model IR.
#include <charconv>
#include <cmath>
#include <limits>

#include "keel/predictor.h"
#include "model/link_function.h"
#include "model/model_io.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"
#include "predict/table_prediction.h"

namespace keel {
namespace {
constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();
constexpr double kMissing64 = std::numeric_limits<double>::quiet_NaN();

// The row and batch calls for float and double inputs (the predictor picks the precision).
template <typename T>
Status RawRowOf(const Predictor& p, std::span<const T> features, std::span<double> out) {
  const auto margins = static_cast<size_t>(p.num_outputs());
  if (features.size() != p.num_features() || out.size() < margins) {
    return Status::InvalidArgument(
        "a row needs {} feature values and room for {} margins; got {} and {}", p.num_features(),
        margins, features.size(), out.size());
  }
  p.PredictRawRow(features.data(), out.data());
  return Status::OK();
}

template <typename T>
Status RowOf(const Predictor& p, Task task, size_t outputs, std::span<const T> features,
             std::span<double> out) {
  if (features.size() != p.num_features() || out.size() < outputs) {
    return Status::InvalidArgument(
        "a row needs {} feature values and room for {} outputs; got {} and {}", p.num_features(),
        outputs, features.size(), out.size());
  }
  p.PredictRow(features.data(), out.data());
  if (task == Task::kBinary) {
    out[1] = out[0];
    out[0] = 1.0 - out[1];
  }
  return Status::OK();
}

template <typename T>
Status BatchOf(const Predictor& p, Task task, size_t k, std::span<const T> features, size_t rows,
               std::span<double> out, int threads) {
  if (out.size() < rows * k) {
    return Status::InvalidArgument("{} rows need room for {} outputs; got {}", rows, rows * k,
                                   out.size());
  }
  if (task != Task::kBinary) {
    return p.PredictBatch(features, rows, out.subspan(0, rows * k), false, threads);
  }
  // Binary: predict P(positive) into the second half, then spread to (1 - p, p) pairs.
  std::span<double> pos = out.subspan(rows, rows);
  KEEL_RETURN_IF_ERROR(p.PredictBatch(features, rows, pos, false, threads));
  for (size_t r = 0; r < rows; ++r) {
    const double v = out[rows + r];
    out[2 * r] = 1.0 - v;
    out[2 * r + 1] = v;
  }
  return Status::OK();
}
}  // namespace

struct LoadedModel::Impl {
  std::string task;
  std::vector<std::string> classes;
  std::vector<FeatureSpec> features;
  std::vector<std::string> outputs;
  Objective objective = Objective::kBinaryLogistic;
  Task task_kind = Task::kBinary;
  std::unique_ptr<Predictor> predictor;
  std::vector<std::string> no_categories;
};

LoadedModel::LoadedModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LoadedModel::~LoadedModel() = default;

Result<std::unique_ptr<LoadedModel>> LoadedModel::Compile(Model&& model) {
  auto impl = std::make_unique<Impl>();
  KEEL_ASSIGN_OR_RETURN(impl->predictor, Predictor::Create(model));
  impl->task = std::string(TaskName(model.task));
  impl->task_kind = model.task;
  impl->objective = model.objective;
  if (model.task != Task::kRegression) {
    const int n = model.task == Task::kBinary ? 2 : model.num_outputs;
    for (int k = 0; k < n; ++k) {
      const auto i = static_cast<size_t>(k);
      impl->classes.push_back(i < model.labels.classes.size() ? model.labels.classes[i]
                                                              : std::to_string(k));
    }
  }
  impl->outputs = PredictionColumns(model, /*raw=*/false);
  impl->features = std::move(model.features);
  return std::unique_ptr<LoadedModel>(new LoadedModel(std::move(impl)));
}

Result<std::unique_ptr<LoadedModel>> LoadedModel::FromBytes(std::string_view bytes,
                                                            std::string_view name) {
  KEEL_ASSIGN_OR_RETURN(Model model, DeserializeModel(bytes, name));
  return Compile(std::move(model));
}

Result<std::unique_ptr<LoadedModel>> LoadedModel::Load(const std::string& path) {
  KEEL_ASSIGN_OR_RETURN(Model model, LoadModel(path));
  return Compile(std::move(model));
}

const std::string& LoadedModel::task() const {
  return impl_->task;
}
const std::vector<std::string>& LoadedModel::classes() const {
  return impl_->classes;
}
size_t LoadedModel::num_features() const {
  return impl_->features.size();
}
const std::string& LoadedModel::feature_name(size_t i) const {
  return impl_->features.at(i).name;
}

int64_t LoadedModel::FeatureIndex(std::string_view name) const {
  for (size_t i = 0; i < impl_->features.size(); ++i) {
    if (impl_->features[i].name == name) return static_cast<int64_t>(i);
  }
  return -1;
}

bool LoadedModel::is_categorical(size_t i) const {
  return impl_->features.at(i).kind == FeatureSpec::Kind::kCategorical;
}

const std::vector<std::string>& LoadedModel::categories(size_t i) const {
  return impl_->features.at(i).categories;
}

float LoadedModel::CategoryCode(size_t i, std::string_view text) const {
  const int32_t code = keel::CategoryCode(impl_->features.at(i), text);
  return code < 0 ? kMissing : static_cast<float>(code);
}

const std::vector<std::string>& LoadedModel::output_names() const {
  return impl_->outputs;
}
size_t LoadedModel::num_outputs() const {
  return impl_->outputs.size();
}
size_t LoadedModel::num_margins() const {
  return static_cast<size_t>(impl_->predictor->num_outputs());
}

FeatureRow LoadedModel::NewRow() const {
  return FeatureRow(this);
}

bool LoadedModel::reads_doubles() const {
  return impl_->predictor->input_precision() == InputPrecision::kFloat64;
}

Status LoadedModel::PredictRawRow(std::span<const float> features, std::span<double> out) const {
  return RawRowOf(*impl_->predictor, features, out);
}
Status LoadedModel::PredictRawRow(std::span<const double> features, std::span<double> out) const {
  return RawRowOf(*impl_->predictor, features, out);
}

Status LoadedModel::PredictRow(std::span<const float> features, std::span<double> out) const {
  return RowOf(*impl_->predictor, impl_->task_kind, num_outputs(), features, out);
}
Status LoadedModel::PredictRow(std::span<const double> features, std::span<double> out) const {
  return RowOf(*impl_->predictor, impl_->task_kind, num_outputs(), features, out);
}

Status LoadedModel::PredictRow(const FeatureRow& row, std::span<double> out) const {
  if (row.model_ != this) return Status::InvalidArgument("the row was made by another model");
  if (reads_doubles()) return PredictRow(row.values64(), out);
  return PredictRow(row.values(), out);
}

Status LoadedModel::PredictBatch(std::span<const float> features, size_t rows,
                                 std::span<double> out, int threads) const {
  return BatchOf(*impl_->predictor, impl_->task_kind, num_outputs(), features, rows, out, threads);
}
Status LoadedModel::PredictBatch(std::span<const double> features, size_t rows,
                                 std::span<double> out, int threads) const {
  return BatchOf(*impl_->predictor, impl_->task_kind, num_outputs(), features, rows, out, threads);
}

FeatureRow::FeatureRow(const LoadedModel* model)
    : model_(model),
      values_(model->num_features(), kMissing),
      values64_(model->num_features(), kMissing64) {}

void FeatureRow::Clear() {
  std::fill(values_.begin(), values_.end(), kMissing);
  std::fill(values64_.begin(), values64_.end(), kMissing64);
}

void FeatureRow::Put(size_t feature, double value) {
  values_[feature] = static_cast<float>(value);
  values64_[feature] = value;
}

Status FeatureRow::Set(std::string_view feature, double value) {
  const int64_t i = model_->FeatureIndex(feature);
  if (i < 0) return Status::NotFound("the model has no feature '{}'", feature);
  Put(static_cast<size_t>(i), value);
  return Status::OK();
}

Status FeatureRow::Set(std::string_view feature, std::string_view text) {
  const int64_t i = model_->FeatureIndex(feature);
  if (i < 0) return Status::NotFound("the model has no feature '{}'", feature);
  const auto f = static_cast<size_t>(i);
  if (model_->is_categorical(f) && !model_->categories(f).empty()) {
    Put(f, model_->CategoryCode(f, text));
    return Status::OK();
  }
  double v = 0;
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return Status::InvalidArgument("feature '{}' takes a number; '{}' is not one", feature, text);
  }
  Put(f, v);
  return Status::OK();
}

Status FeatureRow::SetMissing(std::string_view feature) {
  const int64_t i = model_->FeatureIndex(feature);
  if (i < 0) return Status::NotFound("the model has no feature '{}'", feature);
  Put(static_cast<size_t>(i), kMissing64);
  return Status::OK();
}

}  // namespace keel
