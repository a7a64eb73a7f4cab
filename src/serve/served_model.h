// ServedModel: one model loaded for serving. It holds the IR, the compiled predictor, the
// explainer, and the lookup tables the request codecs use (field name -> binding, category
// text -> code), all built once at load so a request does hash lookups and nothing else.
//
// A ServedModel is immutable once built and shared between I/O threads as
// std::shared_ptr<const ServedModel>; a hot reload builds a new one and swaps the pointer
// (model_store.h), so requests in flight finish on the model they started with. Only the
// prediction histograms inside it are updated (atomically) after construction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "data/missing_tokens.h"
#include "data/row_validator.h"
#include "explain/explainer.h"
#include "keel/status.h"
#include "model/model.h"
#include "predict/predictor.h"
#include "serve/live_drift.h"
#include "serve/metrics.h"

namespace keel::serve {

// Hash for unordered maps keyed by std::string and looked up by std::string_view.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// What a request field named like a schema column or feature is to the model.
struct FieldBinding {
  enum class Use : uint8_t {
    kFeature,  // model feature `feature`
    kId,       // the schema's id column: echoed in the answer, logged
    kPii,      // a pii column: pseudonymized or dropped in the log, never echoed or stored
    kKnown,    // another schema column (target, time, weight, ...): accepted, logged, unused
  };
  Use use = Use::kKnown;
  int32_t feature = -1;
  // Index of the training schema column of that name (for the schema check), or -1.
  int32_t column = -1;
};

// How one feature's request values become its float. Categorical lookups follow
// CategoryCode (predict/feature_matrix.h): exact text, then ASCII case-insensitive.
struct FeatureCodec {
  bool categorical = false;
  bool codes_only = false;  // categorical without a dictionary: values are codes
  ColumnKind source_kind = ColumnKind::kNumeric;

  // The code of a category text, or -1 when unseen. Allocation-free.
  int32_t Code(std::string_view text) const;

  StringMap<int32_t> exact;
  StringMap<int32_t> folded;  // lowercased texts
};

// The prediction histograms of one loaded model (reset by a reload).
struct PredictionHistograms {
  // One per value the model answers (ServedModel::value_names).
  std::vector<std::unique_ptr<Histogram>> values;
};

struct ServedModelOptions {
  LiveDriftOptions drift;
};

class ServedModel {
 public:
  // Reads, verifies and compiles the artifact at `path`. The version is the first 12 hex
  // digits of the artifact's SHA-256. Errors: those of DeserializeModel (IoError, Corrupt,
  // Unsupported), Predictor::Create, and FailedPrecondition when the model does not give a
  // finite prediction for an all-missing row.
  static Result<std::shared_ptr<const ServedModel>> Load(const std::string& name,
                                                         const std::string& path,
                                                         const ServedModelOptions& options = {});
  // Decodes, verifies and compiles artifact bytes (a file's, a registry version's). `source`
  // names them in errors; `version` labels the model ("" = the first 12 hex digits of the
  // bytes' SHA-256); `path` is the file a reload reads ("" when none). Errors: as Load.
  static Result<std::shared_ptr<const ServedModel>> FromArtifact(
      const std::string& name, std::string_view bytes, const std::string& source,
      std::string version, std::string path, const ServedModelOptions& options = {});
  // Builds from an in-memory model (tests). `version` labels it; sha256() is that of the
  // model's serialized artifact.
  static Result<std::shared_ptr<const ServedModel>> FromModel(
      const std::string& name, Model model, std::string version, std::string path = "",
      const ServedModelOptions& options = {});

  const std::string& name() const { return name_; }
  const std::string& path() const { return path_; }
  const std::string& version() const { return version_; }
  // Lowercase hex SHA-256 of the artifact served (never empty).
  const std::string& sha256() const { return sha256_; }
  // A number unique to this load within the process (per-connection caches key on it).
  uint64_t serial() const { return serial_; }
  const Model& model() const { return model_; }
  const Predictor& predictor() const { return *predictor_; }
  // Null when the model cannot be explained; explain_error() says why.
  const Explainer* explainer() const { return explainer_.get(); }
  const std::string& explain_error() const { return explain_error_; }

  size_t num_features() const { return model_.features.size(); }
  const FeatureCodec& codec(size_t feature) const { return codecs_[feature]; }
  // The schema check of one instance (the same rules as ingestion); null when the model has
  // no training schema (an import without --schema).
  const RowValidator* validator() const { return validator_.get(); }
  // Texts that mean "missing" (as in training data: "", "NA", "null", ...).
  const MissingTokens& missing_tokens() const { return missing_tokens_; }
  // The binding of a request field, or null for a field the model does not know.
  const FieldBinding* FindField(std::string_view name) const;
  // Name of the first pii column in schema order, whose pseudonym identifies the data
  // subject of a logged row; empty when the schema has no pii column.
  const std::string& subject_column() const { return subject_column_; }

  // What the model answers per instance: class probabilities (binary: both classes) or one
  // regression value.
  bool is_classifier() const { return model_.task != Task::kRegression; }
  size_t num_values() const { return value_names_.size(); }
  // "prob_<class>" per class, or "prediction".
  const std::vector<std::string>& value_names() const { return value_names_; }
  // Class names (classifiers); binary: classes[1] is the positive class.
  const std::vector<std::string>& class_names() const { return class_names_; }
  // Pre-escaped JSON text of each value name and class name, with quotes.
  const std::vector<std::string>& value_keys_json() const { return value_keys_json_; }
  const std::vector<std::string>& class_names_json() const { return class_names_json_; }
  const std::vector<std::string>& feature_names_json() const { return feature_names_json_; }

  // Whether the model reads its inputs as float64 (Model::input_precision, imported
  // LightGBM models): the request decoders then also keep every value as the exact double
  // sent, and the answers come from those doubles (as LightGBM's would), not their floats.
  bool reads_doubles() const { return predictor_->input_precision() == InputPrecision::kFloat64; }

  // values[0..num_values()) for one encoded row. Allocation-free, thread-safe.
  void Predict(const float* row, double* values) const;
  // The same for a row of doubles (a float64 model's exact inputs).
  void Predict(const double* row, double* values) const;

  // The output an explanation's top reasons are taken from, given the instance's values:
  // binary/regression 0, multiclass the most probable class.
  int ExplainedOutput(const double* values) const;

  PredictionHistograms& histograms() const { return *histograms_; }

  // The live drift windows (updated by every answered instance), or null when off or the
  // model has no training profile; drift_off_reason() says why.
  LiveDrift* live_drift() const { return live_drift_.get(); }
  const std::string& drift_off_reason() const { return drift_off_reason_; }

  // Short facts for /metrics and metadata: "forest" or "linear", and the tree count.
  std::string_view kind_name() const;
  size_t num_trees() const { return model_.forest.trees.size(); }

 private:
  ServedModel() = default;
  Status Build(const ServedModelOptions& options);
  template <typename T>
  void PredictAny(const T* row, double* values) const;

  std::string name_;
  std::string path_;
  std::string version_;
  std::string sha256_;
  uint64_t serial_ = 0;
  Model model_;
  std::unique_ptr<Predictor> predictor_;
  std::unique_ptr<Explainer> explainer_;
  std::string explain_error_;
  std::vector<FeatureCodec> codecs_;
  std::unique_ptr<RowValidator> validator_;
  MissingTokens missing_tokens_;
  StringMap<FieldBinding> fields_;
  std::string subject_column_;
  std::vector<std::string> value_names_;
  std::vector<std::string> class_names_;
  std::vector<std::string> value_keys_json_;
  std::vector<std::string> class_names_json_;
  std::vector<std::string> feature_names_json_;
  std::unique_ptr<PredictionHistograms> histograms_;
  std::unique_ptr<LiveDrift> live_drift_;
  std::string drift_off_reason_;
};

}  // namespace keel::serve
