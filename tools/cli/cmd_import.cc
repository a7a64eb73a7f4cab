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

int Run(const ImportFlags& f) {
  ApplyCommonFlags(f.common);
  ImportOptions options;
  Schema schema;
  if (!f.schema_path.empty()) {
    auto s = LoadSchemaYaml(f.schema_path);
    if (!s.ok()) return ReportError(s.status(), f.common);
    schema = std::move(*s);
    options.schema = &schema;
  }
  Result<Model> model = f.from == "xgboost" ? ImportXGBoostFile(f.file, options)
                                            : ImportLightGBMFile(f.file, options);
  if (!model.ok()) return ReportError(model.status(), f.common);
  Status st = SaveModel(*model, f.out);
  if (!st.ok()) return ReportError(st, f.common);
  const ForestStats stats = ComputeForestStats(*model);
  size_t categorical = 0;
  for (const auto& fs : model->features) categorical += fs.kind == FeatureSpec::Kind::kCategorical;
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
               {"classes", model->labels.classes}});
  } else {
    std::printf(
        "imported %s model %s -> %s: %s, %zu trees (depth <= %d), %zu features (%zu "
        "categorical, taking integer codes)\n",
        f.from.c_str(), f.file.c_str(), f.out.c_str(),
        std::string(ObjectiveName(model->objective)).c_str(), stats.trees, stats.max_depth,
        model->features.size(), categorical);
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
                  "and, for categorical columns listing categories, lets categorical features "
                  "read category text (code i = the i-th category). Default: a schema of "
                  "numeric feature columns named as in the file (f0, f1, ... when unnamed); "
                  "categorical features then take integer codes");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
