#include "serve/served_model.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "core/file_io.h"
#include "core/hash.h"
#include "model/link_function.h"
#include "model/model_io.h"
#include "predict/table_prediction.h"
#include "serve/json_text.h"

namespace keel::serve {
namespace {

std::atomic<uint64_t> g_next_serial{1};

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string Lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

// Bucket bounds for a model's answered values: probabilities in [0, 1]; for a regression
// forest the range its trees can reach (through the link); for a linear regression signed
// decades.
std::vector<double> ValueBuckets(const Model& model) {
  if (model.task != Task::kRegression) return LinearBuckets(0.0, 1.0, 20);
  if (model.kind == Model::Kind::kForest && !model.forest.trees.empty()) {
    double lo = model.base_margin.empty() ? 0.0 : model.base_margin[0];
    double hi = lo;
    for (const Tree& t : model.forest.trees) {
      double tmin = std::numeric_limits<double>::infinity();
      double tmax = -tmin;
      for (const TreeNode& n : t.nodes) {
        if (!n.is_leaf()) continue;
        tmin = std::min(tmin, n.value);
        tmax = std::max(tmax, n.value);
      }
      if (std::isfinite(tmin)) {
        lo += tmin;
        hi += tmax;
      }
    }
    // The link is increasing (identity, sigmoid or exp), so it maps the margin range onto
    // the prediction range.
    MarginsToPredictions(model.objective, 1, &lo, &lo);
    MarginsToPredictions(model.objective, 1, &hi, &hi);
    if (std::isfinite(lo) && std::isfinite(hi) && hi > lo) {
      std::vector<double> b = LinearBuckets(lo, hi, 20);
      b.insert(b.begin(), lo);
      return b;
    }
  }
  std::vector<double> b;
  for (int e = 6; e >= -3; --e) b.push_back(-std::pow(10.0, e));
  b.push_back(0.0);
  for (int e = -3; e <= 6; ++e) b.push_back(std::pow(10.0, e));
  return b;
}

}  // namespace

int32_t FeatureCodec::Code(std::string_view text) const {
  if (auto it = exact.find(text); it != exact.end()) return it->second;
  // Case-insensitive fallback: lowercase into a stack buffer (category texts are short);
  // only longer texts take the allocating path.
  char buf[128];
  if (text.size() <= sizeof(buf)) {
    for (size_t i = 0; i < text.size(); ++i) buf[i] = Lower(text[i]);
    if (auto it = folded.find(std::string_view(buf, text.size())); it != folded.end()) {
      return it->second;
    }
    return -1;
  }
  if (auto it = folded.find(Lowered(text)); it != folded.end()) return it->second;
  return -1;
}

Result<std::shared_ptr<const ServedModel>> ServedModel::Load(const std::string& name,
                                                             const std::string& path,
                                                             const ServedModelOptions& options) {
  KEEL_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return FromArtifact(name, bytes, path, "", path, options);
}

Result<std::shared_ptr<const ServedModel>> ServedModel::FromArtifact(
    const std::string& name, std::string_view bytes, const std::string& source, std::string version,
    std::string path, const ServedModelOptions& options) {
  KEEL_ASSIGN_OR_RETURN(Model model, DeserializeModel(bytes, source));
  const std::string sha = ToHex(Sha256(bytes));
  auto m = std::shared_ptr<ServedModel>(new ServedModel());
  m->name_ = name;
  m->path_ = std::move(path);
  m->sha256_ = sha;
  m->version_ = version.empty() ? sha.substr(0, 12) : std::move(version);
  m->model_ = std::move(model);
  KEEL_RETURN_IF_ERROR(m->Build(options).WithContext(source));
  return std::shared_ptr<const ServedModel>(std::move(m));
}

Result<std::shared_ptr<const ServedModel>> ServedModel::FromModel(
    const std::string& name, Model model, std::string version, std::string path,
    const ServedModelOptions& options) {
  KEEL_RETURN_IF_ERROR(ValidateModel(model));
  auto m = std::shared_ptr<ServedModel>(new ServedModel());
  m->name_ = name;
  m->path_ = std::move(path);
  m->version_ = std::move(version);
  m->sha256_ = ToHex(Sha256(SerializeModel(model)));
  m->model_ = std::move(model);
  KEEL_RETURN_IF_ERROR(m->Build(options));
  return std::shared_ptr<const ServedModel>(std::move(m));
}

Status ServedModel::Build(const ServedModelOptions& options) {
  serial_ = g_next_serial.fetch_add(1);
  KEEL_ASSIGN_OR_RETURN(predictor_, Predictor::Create(model_));
  if (predictor_->num_features() != model_.features.size()) {
    return Status::Internal("the predictor reads {} features, the model has {}",
                            predictor_->num_features(), model_.features.size());
  }
  auto explainer = CreateExplainer(model_);
  if (explainer.ok()) {
    explainer_ = std::move(explainer).value();
  } else {
    explain_error_ = explainer.status().message();
  }

  // Request fields: every schema column, then every feature (imported models may have
  // features without a schema).
  const Schema& schema = model_.schema;
  if (!schema.columns.empty()) validator_ = std::make_unique<RowValidator>(schema);
  for (size_t j = 0; j < schema.columns.size(); ++j) {
    const ColumnSchema& col = schema.columns[j];
    FieldBinding b;
    b.column = static_cast<int32_t>(j);
    if (col.role == Role::kId) b.use = FieldBinding::Use::kId;
    if (col.role == Role::kPii) {
      b.use = FieldBinding::Use::kPii;
      if (subject_column_.empty()) subject_column_ = col.name;
    }
    fields_.emplace(col.name, b);
  }
  codecs_.resize(model_.features.size());
  for (size_t f = 0; f < model_.features.size(); ++f) {
    const FeatureSpec& spec = model_.features[f];
    FieldBinding b;
    b.use = FieldBinding::Use::kFeature;
    b.feature = static_cast<int32_t>(f);
    if (validator_ != nullptr) b.column = validator_->ColumnIndex(spec.name);
    fields_.insert_or_assign(spec.name, b);
    FeatureCodec& c = codecs_[f];
    c.categorical = spec.kind == FeatureSpec::Kind::kCategorical;
    c.codes_only = c.categorical && spec.categories.empty();
    c.source_kind = spec.source_kind;
    for (size_t i = 0; i < spec.categories.size(); ++i) {
      // First occurrence wins, as in CategoryCode's linear scans.
      c.exact.emplace(spec.categories[i], static_cast<int32_t>(i));
      c.folded.emplace(Lowered(spec.categories[i]), static_cast<int32_t>(i));
    }
    feature_names_json_.push_back(JsonString(spec.name));
  }

  if (model_.task == Task::kRegression) {
    // "prediction", or one value per level of a model of several quantiles.
    value_names_ = PredictionColumns(model_, /*raw=*/false);
  } else {
    class_names_ = model_.labels.classes;
    const size_t k = model_.task == Task::kBinary ? 2 : static_cast<size_t>(model_.num_outputs);
    if (class_names_.size() != k) {
      class_names_.clear();
      for (size_t i = 0; i < k; ++i) class_names_.push_back(std::to_string(i));
    }
    for (const auto& c : class_names_) {
      value_names_.push_back("prob_" + c);
      class_names_json_.push_back(JsonString(c));
    }
  }
  for (const auto& v : value_names_) value_keys_json_.push_back(JsonString(v));

  // A model that cannot give a finite answer for an all-missing row is broken; refusing it
  // here keeps a bad artifact from replacing a good one on reload.
  std::vector<float> row(model_.features.size(), std::numeric_limits<float>::quiet_NaN());
  std::vector<double> values(num_values());
  Predict(row.data(), values.data());
  for (double v : values) {
    if (!std::isfinite(v)) {
      return Status::FailedPrecondition(
          "the model predicts a non-finite value ({}) for an all-missing row", v);
    }
  }

  histograms_ = std::make_unique<PredictionHistograms>();
  const std::vector<double> buckets = ValueBuckets(model_);
  // Binary: only the positive class (the other is its complement).
  const size_t nh = model_.task == Task::kBinary ? 1 : num_values();
  for (size_t i = 0; i < nh; ++i)
    histograms_->values.push_back(std::make_unique<Histogram>(buckets));
  live_drift_ = LiveDrift::Create(model_, options.drift, &drift_off_reason_);
  return Status::OK();
}

const FieldBinding* ServedModel::FindField(std::string_view name) const {
  auto it = fields_.find(name);
  return it == fields_.end() ? nullptr : &it->second;
}

void ServedModel::Predict(const float* row, double* values) const {
  PredictAny(row, values);
}

void ServedModel::Predict(const double* row, double* values) const {
  PredictAny(row, values);
}

template <typename T>
void ServedModel::PredictAny(const T* row, double* values) const {
  switch (model_.task) {
    case Task::kBinary: {
      double p = 0;
      predictor_->PredictRow(row, &p);
      values[0] = 1.0 - p;
      values[1] = p;
      return;
    }
    case Task::kMulticlass:
    case Task::kRegression:
      predictor_->PredictRow(row, values);
      return;
  }
}

int ServedModel::ExplainedOutput(const double* values) const {
  if (model_.task != Task::kMulticlass) return 0;
  return static_cast<int>(std::max_element(values, values + num_values()) - values);
}

std::string_view ServedModel::kind_name() const {
  return model_.kind == Model::Kind::kForest ? "forest" : "linear";
}

}  // namespace keel::serve
