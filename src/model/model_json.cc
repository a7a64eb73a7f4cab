#include "model/model_json.h"

#include <cmath>
#include <cstdint>
#include <utility>

namespace keel {
namespace {

using nlohmann::json;

// Typed field access for untrusted JSON: every miss is a Corrupt status naming the path.
class Fields {
 public:
  Fields(const json& j, std::string path) : j_(j), path_(std::move(path)) {}

  Status Object() const {
    if (!j_.is_object()) return Status::Corrupt("{}: expected an object", path_);
    return Status::OK();
  }
  bool Has(const char* key) const {
    return j_.is_object() && j_.contains(key) && !j_[key].is_null();
  }
  std::string Path(const char* key) const { return path_ + "." + key; }

  Status String(const char* key, std::string* out) const {
    if (!Has(key) || !j_[key].is_string()) return Missing(key, "a string");
    *out = j_[key].get<std::string>();
    return Status::OK();
  }
  Status Bool(const char* key, bool* out) const {
    if (!Has(key) || !j_[key].is_boolean()) return Missing(key, "true or false");
    *out = j_[key].get<bool>();
    return Status::OK();
  }
  Status Double(const char* key, double* out) const {
    if (!Has(key) || !j_[key].is_number()) return Missing(key, "a number");
    *out = j_[key].get<double>();
    return Status::OK();
  }
  Status Int(const char* key, int64_t lo, int64_t hi, int64_t* out) const {
    if (!Has(key) || !j_[key].is_number_integer()) return Missing(key, "an integer");
    const json& v = j_[key];
    const bool too_big = v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(hi);
    const int64_t x = too_big ? 0 : v.get<int64_t>();
    if (too_big || x < lo || x > hi) {
      return Status::Corrupt("{}: {} is outside [{}, {}]", Path(key), v.dump(), lo, hi);
    }
    *out = x;
    return Status::OK();
  }
  Status Array(const char* key, const json** out) const {
    if (!Has(key) || !j_[key].is_array()) return Missing(key, "an array");
    *out = &j_[key];
    return Status::OK();
  }
  Status StringArray(const char* key, std::vector<std::string>* out) const {
    const json* a = nullptr;
    KEEL_RETURN_IF_ERROR(Array(key, &a));
    out->clear();
    out->reserve(a->size());
    for (size_t i = 0; i < a->size(); ++i) {
      if (!(*a)[i].is_string()) {
        return Status::Corrupt("{}[{}]: expected a string", Path(key), i);
      }
      out->push_back((*a)[i].get<std::string>());
    }
    return Status::OK();
  }

 private:
  Status Missing(const char* key, const char* want) const {
    if (!Has(key)) return Status::Corrupt("{}: missing (expected {})", Path(key), want);
    return Status::Corrupt("{}: expected {}, found {}", Path(key), want, j_[key].type_name());
  }

  const json& j_;
  std::string path_;
};

std::string_view FeatureKindName(FeatureSpec::Kind kind) {
  return kind == FeatureSpec::Kind::kCategorical ? "categorical" : "numeric";
}

std::string_view ModelKindName(Model::Kind kind) {
  return kind == Model::Kind::kLinear ? "linear" : "forest";
}

// Optional numbers are written as numbers, or omitted; a JSON null reads as unset (non-finite
// values are written as null by the JSON library).
void PutOptional(json* j, const char* key, const std::optional<double>& v) {
  if (v.has_value() && std::isfinite(*v)) (*j)[key] = *v;
}

Status GetOptional(const Fields& f, const char* key, std::optional<double>* out) {
  if (!f.Has(key)) {
    out->reset();
    return Status::OK();
  }
  double v = 0;
  KEEL_RETURN_IF_ERROR(f.Double(key, &v));
  *out = v;
  return Status::OK();
}

}  // namespace

json LabelMappingToJson(const LabelMapping& labels) {
  json merge = json::array();
  for (const auto& [from, to] : labels.merge) merge.push_back({from, to});
  return {
      {"classes", labels.classes}, {"merge", merge}, {"case_insensitive", labels.case_insensitive}};
}

Status LabelMappingFromJson(const json& j, LabelMapping* labels) {
  Fields f(j, "labels");
  KEEL_RETURN_IF_ERROR(f.Object());
  KEEL_RETURN_IF_ERROR(f.StringArray("classes", &labels->classes));
  KEEL_RETURN_IF_ERROR(f.Bool("case_insensitive", &labels->case_insensitive));
  const json* merge = nullptr;
  KEEL_RETURN_IF_ERROR(f.Array("merge", &merge));
  labels->merge.clear();
  for (size_t i = 0; i < merge->size(); ++i) {
    const json& m = (*merge)[i];
    if (!m.is_array() || m.size() != 2 || !m[0].is_string() || !m[1].is_string()) {
      return Status::Corrupt("labels.merge[{}]: expected [from, to] strings", i);
    }
    labels->merge.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
  }
  return Status::OK();
}

json SchemaToJson(const Schema& schema) {
  json cols = json::array();
  for (const auto& c : schema.columns) {
    json jc = {{"name", c.name},
               {"kind", std::string(ColumnKindName(c.kind))},
               {"role", std::string(RoleName(c.role))}};
    if (!c.categories.empty()) jc["categories"] = c.categories;
    PutOptional(&jc, "min", c.min);
    PutOptional(&jc, "max", c.max);
    PutOptional(&jc, "max_missing_rate", c.max_missing_rate);
    if (!c.description.empty()) jc["description"] = c.description;
    json seen = json::object();
    if (c.seen.count) seen["count"] = *c.seen.count;
    PutOptional(&seen, "missing_rate", c.seen.missing_rate);
    if (c.seen.distinct) seen["distinct"] = *c.seen.distinct;
    PutOptional(&seen, "mean", c.seen.mean);
    if (!seen.empty()) jc["seen"] = std::move(seen);
    cols.push_back(std::move(jc));
  }
  json out = {{"columns", cols}, {"labels", LabelMappingToJson(schema.labels)}};
  // The CSV decimal mark of the training data, so files scored later whose own numbers cannot
  // tell (only integers, or only `1,234`-shaped values) are read the same way.
  if (schema.decimal != 0) out["decimal"] = std::string(1, schema.decimal);
  return out;
}

Status SchemaFromJson(const json& j, Schema* schema) {
  Fields f(j, "schema");
  KEEL_RETURN_IF_ERROR(f.Object());
  const json* cols = nullptr;
  KEEL_RETURN_IF_ERROR(f.Array("columns", &cols));
  schema->columns.clear();
  schema->columns.reserve(cols->size());
  for (size_t i = 0; i < cols->size(); ++i) {
    Fields c((*cols)[i], "schema.columns[" + std::to_string(i) + "]");
    KEEL_RETURN_IF_ERROR(c.Object());
    ColumnSchema cs;
    std::string kind, role;
    KEEL_RETURN_IF_ERROR(c.String("name", &cs.name));
    KEEL_RETURN_IF_ERROR(c.String("kind", &kind));
    KEEL_RETURN_IF_ERROR(c.String("role", &role));
    if (!ParseColumnKind(kind, &cs.kind)) {
      return Status::Corrupt("{}: unknown column kind '{}'", c.Path("kind"), kind);
    }
    if (!ParseRole(role, &cs.role)) {
      return Status::Corrupt("{}: unknown role '{}'", c.Path("role"), role);
    }
    if (c.Has("categories")) KEEL_RETURN_IF_ERROR(c.StringArray("categories", &cs.categories));
    KEEL_RETURN_IF_ERROR(GetOptional(c, "min", &cs.min));
    KEEL_RETURN_IF_ERROR(GetOptional(c, "max", &cs.max));
    KEEL_RETURN_IF_ERROR(GetOptional(c, "max_missing_rate", &cs.max_missing_rate));
    if (c.Has("description")) KEEL_RETURN_IF_ERROR(c.String("description", &cs.description));
    if (c.Has("seen")) {
      Fields seen((*cols)[i]["seen"], c.Path("seen"));
      KEEL_RETURN_IF_ERROR(seen.Object());
      int64_t v = 0;
      if (seen.Has("count")) {
        KEEL_RETURN_IF_ERROR(seen.Int("count", 0, INT64_MAX, &v));
        cs.seen.count = static_cast<uint64_t>(v);
      }
      if (seen.Has("distinct")) {
        KEEL_RETURN_IF_ERROR(seen.Int("distinct", 0, INT64_MAX, &v));
        cs.seen.distinct = static_cast<uint64_t>(v);
      }
      KEEL_RETURN_IF_ERROR(GetOptional(seen, "missing_rate", &cs.seen.missing_rate));
      KEEL_RETURN_IF_ERROR(GetOptional(seen, "mean", &cs.seen.mean));
    }
    schema->columns.push_back(std::move(cs));
  }
  schema->decimal = 0;
  if (f.Has("decimal")) {
    std::string mark;
    KEEL_RETURN_IF_ERROR(f.String("decimal", &mark));
    if (mark != "." && mark != ",") {
      return Status::Corrupt("{}: decimal mark must be \".\" or \",\", not \"{}\"",
                             f.Path("decimal"), mark);
    }
    schema->decimal = mark[0];
  }
  if (f.Has("labels")) {
    KEEL_RETURN_IF_ERROR(LabelMappingFromJson(j["labels"], &schema->labels));
  } else {
    schema->labels = LabelMapping{};
  }
  return Status::OK();
}

json FeaturesToJson(const std::vector<FeatureSpec>& features) {
  json out = json::array();
  for (const auto& fs : features) {
    json jf = {{"name", fs.name},
               {"kind", std::string(FeatureKindName(fs.kind))},
               {"source_kind", std::string(ColumnKindName(fs.source_kind))}};
    if (fs.kind == FeatureSpec::Kind::kCategorical) jf["categories"] = fs.categories;
    out.push_back(std::move(jf));
  }
  return out;
}

Status FeaturesFromJson(const json& j, std::vector<FeatureSpec>* features) {
  if (!j.is_array()) return Status::Corrupt("features: expected an array");
  features->clear();
  features->reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    Fields f(j[i], "features[" + std::to_string(i) + "]");
    KEEL_RETURN_IF_ERROR(f.Object());
    FeatureSpec fs;
    std::string kind, source;
    KEEL_RETURN_IF_ERROR(f.String("name", &fs.name));
    KEEL_RETURN_IF_ERROR(f.String("kind", &kind));
    KEEL_RETURN_IF_ERROR(f.String("source_kind", &source));
    if (kind == "numeric") {
      fs.kind = FeatureSpec::Kind::kNumeric;
    } else if (kind == "categorical") {
      fs.kind = FeatureSpec::Kind::kCategorical;
      KEEL_RETURN_IF_ERROR(f.StringArray("categories", &fs.categories));
    } else {
      return Status::Corrupt("{}: unknown feature kind '{}'", f.Path("kind"), kind);
    }
    if (!ParseColumnKind(source, &fs.source_kind)) {
      return Status::Corrupt("{}: unknown column kind '{}'", f.Path("source_kind"), source);
    }
    features->push_back(std::move(fs));
  }
  return Status::OK();
}

json ModelMetadataToJson(const Model& model) {
  json j;
  j["task"] = std::string(TaskName(model.task));
  j["objective"] = std::string(ObjectiveName(model.objective));
  j["kind"] = std::string(ModelKindName(model.kind));
  // Written only when not the default, so float32 models keep their bytes.
  if (model.input_precision != InputPrecision::kFloat32) {
    j["input_precision"] = std::string(InputPrecisionName(model.input_precision));
  }
  j["num_outputs"] = model.num_outputs;
  j["base_margin"] = model.base_margin;
  // Loss parameters, written for their objective only (other models keep their bytes).
  if (model.objective == Objective::kQuantile) j["quantile_alpha"] = model.quantile_alpha;
  if (model.objective == Objective::kTweedie) {
    j["tweedie_variance_power"] = model.tweedie_variance_power;
  }
  j["target"] = model.target;
  j["labels"] = LabelMappingToJson(model.labels);
  j["features"] = FeaturesToJson(model.features);
  j["schema"] = SchemaToJson(model.schema);
  return j;
}

Status ModelMetadataFromJson(const json& j, Model* model) {
  Fields f(j, "model");
  KEEL_RETURN_IF_ERROR(f.Object());
  std::string task, objective, kind;
  KEEL_RETURN_IF_ERROR(f.String("task", &task));
  KEEL_RETURN_IF_ERROR(f.String("objective", &objective));
  KEEL_RETURN_IF_ERROR(f.String("kind", &kind));
  if (!ParseObjective(objective, &model->objective)) {
    return Status::Unsupported("model.objective: unknown objective '{}'", objective);
  }
  model->task = TaskOf(model->objective);
  if (TaskName(model->task) != task) {
    return Status::Corrupt("model.task: '{}' does not match objective '{}'", task, objective);
  }
  if (kind == "forest") {
    model->kind = Model::Kind::kForest;
  } else if (kind == "linear") {
    model->kind = Model::Kind::kLinear;
  } else {
    return Status::Unsupported("model.kind: unknown model kind '{}'", kind);
  }
  model->input_precision = InputPrecision::kFloat32;
  if (f.Has("input_precision")) {
    std::string precision;
    KEEL_RETURN_IF_ERROR(f.String("input_precision", &precision));
    if (precision == InputPrecisionName(InputPrecision::kFloat64)) {
      model->input_precision = InputPrecision::kFloat64;
    } else if (precision != InputPrecisionName(InputPrecision::kFloat32)) {
      return Status::Unsupported("model.input_precision: unknown precision '{}'", precision);
    }
  }
  int64_t outputs = 0;
  KEEL_RETURN_IF_ERROR(f.Int("num_outputs", 1, 1 << 20, &outputs));
  model->num_outputs = static_cast<int32_t>(outputs);
  const json* base = nullptr;
  KEEL_RETURN_IF_ERROR(f.Array("base_margin", &base));
  model->base_margin.clear();
  for (size_t i = 0; i < base->size(); ++i) {
    if (!(*base)[i].is_number()) {
      return Status::Corrupt("model.base_margin[{}]: expected a finite number", i);
    }
    model->base_margin.push_back((*base)[i].get<double>());
  }
  model->quantile_alpha = 0.5;
  if (f.Has("quantile_alpha")) {
    KEEL_RETURN_IF_ERROR(f.Double("quantile_alpha", &model->quantile_alpha));
  }
  model->tweedie_variance_power = 1.5;
  if (f.Has("tweedie_variance_power")) {
    KEEL_RETURN_IF_ERROR(f.Double("tweedie_variance_power", &model->tweedie_variance_power));
  }
  KEEL_RETURN_IF_ERROR(f.String("target", &model->target));
  if (!f.Has("labels")) return Status::Corrupt("model.labels: missing");
  KEEL_RETURN_IF_ERROR(LabelMappingFromJson(j["labels"], &model->labels));
  if (!f.Has("features")) return Status::Corrupt("model.features: missing");
  KEEL_RETURN_IF_ERROR(FeaturesFromJson(j["features"], &model->features));
  if (!f.Has("schema")) return Status::Corrupt("model.schema: missing");
  KEEL_RETURN_IF_ERROR(SchemaFromJson(j["schema"], &model->schema));
  return Status::OK();
}

Result<json> ParseJsonText(std::string_view text, std::string_view what, int max_depth) {
  // Nesting check first, outside strings: cheap, and it keeps hostile input away from every
  // recursive walk (dump, destruction, comparisons) that would follow.
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return Status::Corrupt("{}: JSON nested deeper than {} levels (at byte {})", what,
                               max_depth, i);
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  // The library reports syntax errors (with their byte position) only as exceptions; they are
  // caught here so none leaves this module.
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    return Status::Corrupt("{}: invalid JSON: {}", what, e.what());
  }
}

}  // namespace keel
