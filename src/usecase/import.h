// `keel import`: turn an XGBoost JSON model or a LightGBM text model into a .keel model,
// naming its features and categorical codes from a schema when one is given
// (model/xgboost_import.h, model/lightgbm_import.h).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "keel/status.h"

namespace keel::usecase {

struct ImportRequest {
  std::string from;         // "xgboost" or "lightgbm"
  std::string model_path;   // the file to import
  std::string out_path;     // the .keel file to write
  std::string schema_path;  // schema YAML of the model's input data; "" = none
};

struct ImportResult {
  ImportRequest request;
  std::string task, objective;
  int num_outputs = 0;
  size_t trees = 0;
  int max_depth = 0;
  size_t features = 0, categorical_features = 0;
  // How each categorical feature's integer codes are named: the model's "import" section's
  // `categorical` list ({feature, order, categories}).
  nlohmann::json codings = nlohmann::json::array();
  std::vector<std::string> classes;

  nlohmann::json ToJson() const;
  // One line about the model, then one per categorical feature on how its codes are named.
  std::string ToText() const;
};

// Imports and saves the model. Errors: the schema file's, the importer's (naming the file and
// what it cannot convert), writing the model. InvalidArgument for another `from`.
Result<ImportResult> Import(const ImportRequest& request);

}  // namespace keel::usecase
