// `keel schema infer`: read a data file and write an editable YAML schema of it (kinds, roles,
// categories, ranges, missing rates and, for a classification target, its label mapping).
// `keel schema check`: parse a schema file and report its errors.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/context.h"
#include "data/schema.h"
#include "keel/status.h"
#include "usecase/ingest.h"

namespace keel::usecase {

struct SchemaInferRequest {
  DataInput input;       // a file (not "-"); input.schema_path unused
  std::string out_path;  // write the YAML here; "" = only in the result (the CLI prints it)
  // Roles set after inference, in order (default: feature; unique text columns id, the first
  // timestamp column time).
  std::vector<std::pair<std::string, Role>> roles;
  // The target gets role target and, when it is categorical or boolean or classes are named,
  // a `labels` section (then it is read as categorical, even 0/1, unless a kind is forced).
  LabelRequest labels;
  double missing_slack = 0.05;  // max_missing_rate = the missing rate seen + this
};

struct SchemaInferResult {
  SchemaInferRequest request;
  Schema schema;
  std::string yaml;  // SchemaToYaml(schema)

  // {"ok", "columns": [{name, kind, role}], "yaml", "out" when written}.
  nlohmann::json ToJson() const;
  // The YAML when it was not written to a file, else nothing.
  std::string ToText() const;
};

// Infers the schema and writes it when out_path is set. Warns (core/log.h) about categorical
// columns whose category order is unknown. Errors: the reader's; a --role or --target column
// the data lacks; the label mapping's; writing the file.
Result<SchemaInferResult> InferSchema(const SchemaInferRequest& request, const Context& ctx);

struct SchemaCheckRequest {
  std::string schema_path;
};

struct SchemaCheckResult {
  SchemaCheckRequest request;
  Schema schema;

  // {"ok", "columns": count, "target", "labels_version"}.
  nlohmann::json ToJson() const;
  // "PATH: OK, N columns".
  std::string ToText() const;
};

// Parses the schema file. Errors: LoadSchemaYaml's, naming the line and the key.
Result<SchemaCheckResult> CheckSchema(const SchemaCheckRequest& request);

}  // namespace keel::usecase
