// keel import: turn an XGBoost or LightGBM model into a .keel model.
#include <cstdio>

#include "command.h"
#include "data/schema_yaml.h"
#include "model/lightgbm_import.h"
#include "model/model_io.h"
#include "model/model_summary.h"
#include "model/xgboost_import.h"

namespace keel::cli {
namespace {

struct ImportFlags {
  CommonFlags common;
  std::string from;
  std::string file;
  std::string out;
  std::string schema_path;
};

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

int Run(const ImportFlags& f) {
  ApplyCommonFlags(f.common);
  ImportOptions options;
  Schema schema;
  if (!f.schema_path.empty()) {
    auto s = LoadSchemaYaml(f.schema_path);
    if (!s.ok()) return ReportError(s.status(), f.common);
    schema = std::move(*s);
    options.schema = &schema;
    options.schema_name = f.schema_path;
  }
  Result<Model> model = f.from == "xgboost" ? ImportXGBoostFile(f.file, options)
                                            : ImportLightGBMFile(f.file, options);
  if (!model.ok()) return ReportError(model.status(), f.common);
  Status st = SaveModel(*model, f.out);
  if (!st.ok()) return ReportError(st, f.common);
  const ForestStats stats = ComputeForestStats(*model);
  size_t categorical = 0;
  for (const auto& fs : model->features) categorical += fs.kind == FeatureSpec::Kind::kCategorical;
  // How each categorical feature's codes are named (BuildImportedFeatures).
  const nlohmann::json codings =
      model->sections["import"].value("categorical", nlohmann::json::array());
  if (f.common.json) {
    PrintJson({{"ok", true},
               {"from", f.from},
               {"source", f.file},
               {"out", f.out},
               {"task", std::string(TaskName(model->task))},
               {"objective", std::string(ObjectiveName(model->objective))},
               {"num_outputs", model->num_outputs},
               {"trees", stats.trees},
               {"max_depth", stats.max_depth},
               {"features", model->features.size()},
               {"categorical_features", categorical},
               {"categorical", codings},
               {"classes", model->labels.classes}});
  } else {
    std::printf(
        "imported %s model %s -> %s: %s, %zu trees (depth <= %d), %zu features (%zu "
        "categorical)\n",
        f.from.c_str(), f.file.c_str(), f.out.c_str(),
        std::string(ObjectiveName(model->objective)).c_str(), stats.trees, stats.max_depth,
        model->features.size(), categorical);
    for (const auto& c : codings) {
      std::printf("  %s: %s\n", c.value("feature", "").c_str(), DescribeCoding(c).c_str());
    }
  }
  return kExitOk;
}

}  // namespace

Command AddImportCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "import", "Convert an XGBoost JSON model or a LightGBM text model into a .keel model");
  auto f = std::make_shared<ImportFlags>();
  sub->add_option("--from", f->from,
                  "Source library: xgboost (Booster.save_model(\"m.json\")) "
                  "or lightgbm (Booster.save_model(\"m.txt\"))")
      ->required()
      ->check(CLI::IsMember({"xgboost", "lightgbm"}));
  sub->add_option("file", f->file, "The model file to import")->required();
  sub->add_option("--out", f->out, "The .keel file to write")->required();
  sub->add_option("--schema", f->schema_path,
                  "Schema YAML (from `keel schema infer`) for the model's input data: names "
                  "unnamed features (its feature columns, in order), gives roles (id, target) "
                  "and lets categorical features read category text, code i = the i-th "
                  "category, when the order is known: a list in pandas' default sorted order "
                  "(as `keel schema infer` writes it), or one marked `category_order: listed`; "
                  "LightGBM's own pandas_categorical lists win. Any other order, a list too "
                  "short for the codes the splits use, or a non-categorical column is refused "
                  "with what to pass. Default: a schema of numeric feature columns named as "
                  "in the file (f0, f1, ... when unnamed); categorical features then take "
                  "integer codes");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
