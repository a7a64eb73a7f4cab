#include "usecase/import.h"

#include <fmt/format.h>

#include "data/schema_yaml.h"
#include "model/lightgbm_import.h"
#include "model/model_io.h"
#include "model/model_summary.h"
#include "model/xgboost_import.h"

namespace keel::usecase {
namespace {

// One line on how a categorical feature's integer codes are named.
std::string DescribeCoding(const nlohmann::json& c) {
  const std::string order = c.value("order", "");
  const size_t n = c.value("categories", size_t{0});
  if (order == "sorted") {
    return fmt::format("{} categories, code i = the i-th in pandas' default (sorted) order", n);
  }
  if (order == "listed") {
    return fmt::format(
        "{} categories, code i = the i-th as the schema lists them "
        "(category_order: listed)",
        n);
  }
  if (order == "pandas_categorical") {
    return fmt::format("{} categories, in the order of the model's pandas_categorical", n);
  }
  if (order == "boolean") return "boolean column: false = code 0, true = code 1";
  if (order == "unused") return "no split uses it, so its codes do not matter";
  return "takes integer codes from the data (no --schema names them)";
}

}  // namespace

Result<ImportResult> Import(const ImportRequest& request) {
  if (request.from != "xgboost" && request.from != "lightgbm") {
    return Status::InvalidArgument("import: \"{}\" is not a source library (xgboost, lightgbm)",
                                   request.from);
  }
  ImportOptions options;
  Schema schema;
  if (!request.schema_path.empty()) {
    KEEL_ASSIGN_OR_RETURN(schema, LoadSchemaYaml(request.schema_path));
    options.schema = &schema;
    options.schema_name = request.schema_path;
  }
  KEEL_ASSIGN_OR_RETURN(Model model, request.from == "xgboost"
                                         ? ImportXGBoostFile(request.model_path, options)
                                         : ImportLightGBMFile(request.model_path, options));
  KEEL_RETURN_IF_ERROR(SaveModel(model, request.out_path));
  ImportResult r;
  r.request = request;
  const ForestStats stats = ComputeForestStats(model);
  r.task = std::string(TaskName(model.task));
  r.objective = std::string(ObjectiveName(model.objective));
  r.num_outputs = model.num_outputs;
  r.trees = stats.trees;
  r.max_depth = stats.max_depth;
  r.features = model.features.size();
  for (const auto& f : model.features) {
    r.categorical_features += f.kind == FeatureSpec::Kind::kCategorical;
  }
  // How each categorical feature's codes are named (BuildImportedFeatures).
  const auto section = model.sections.find("import");
  if (section != model.sections.end() && section->second.is_object()) {
    r.codings = section->second.value("categorical", nlohmann::json::array());
  }
  r.classes = model.labels.classes;
  return r;
}

nlohmann::json ImportResult::ToJson() const {
  return {{"ok", true},
          {"from", request.from},
          {"source", request.model_path},
          {"out", request.out_path},
          {"task", task},
          {"objective", objective},
          {"num_outputs", num_outputs},
          {"trees", trees},
          {"max_depth", max_depth},
          {"features", features},
          {"categorical_features", categorical_features},
          {"categorical", codings},
          {"classes", classes}};
}

std::string ImportResult::ToText() const {
  std::string out = fmt::format(
      "imported {} model {} -> {}: {}, {} trees (depth <= {}), {} features ({} categorical)\n",
      request.from, request.model_path, request.out_path, objective, trees, max_depth, features,
      categorical_features);
  for (const auto& c : codings) {
    out += fmt::format("  {}: {}\n", c.value("feature", ""), DescribeCoding(c));
  }
  return out;
}

}  // namespace keel::usecase
