// keel import: turn an XGBoost or LightGBM model into a .keel model (usecase/import.h). This
// file binds flags and prints.
#include "command.h"
#include "usecase/import.h"

namespace keel::cli {
namespace {

struct ImportFlags {
  CommonFlags common;
  usecase::ImportRequest request;
};

int Run(const ImportFlags& f) {
  ApplyCommonFlags(f.common);
  return PrintResult(usecase::Import(f.request), f.common);
}

}  // namespace

Command AddImportCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "import", "Convert an XGBoost JSON model or a LightGBM text model into a .keel model");
  auto f = std::make_shared<ImportFlags>();
  usecase::ImportRequest& r = f->request;
  sub->add_option("--from", r.from,
                  "Source library: xgboost (Booster.save_model(\"m.json\")) "
                  "or lightgbm (Booster.save_model(\"m.txt\"))")
      ->required()
      ->check(CLI::IsMember({"xgboost", "lightgbm"}));
  sub->add_option("file", r.model_path, "The model file to import")->required();
  sub->add_option("--out", r.out_path, "The .keel file to write")->required();
  sub->add_option("--schema", r.schema_path,
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
