#include "usecase/schema_infer.h"

#include <fmt/format.h>

#include "core/file_io.h"
#include "core/log.h"
#include "data/schema_yaml.h"

namespace keel::usecase {

Result<SchemaInferResult> InferSchema(const SchemaInferRequest& request, const Context& ctx) {
  if (request.input.path == "-") {
    return Status::InvalidArgument("schema infer needs a file, not stdin");
  }
  const LabelRequest& labels = request.labels;
  DataInput input = request.input;
  input.schema_path.clear();
  ReadOptions& o = input.options;
  const bool classification = labels.names_classes();
  if (!labels.target.empty() && classification && o.kind_overrides.count(labels.target) == 0) {
    o.kind_overrides[labels.target] = ColumnKind::kCategorical;  // labels are categories, even 0/1
  }
  KEEL_ASSIGN_OR_RETURN(IngestResult read, ReadInput(input, ctx));
  SchemaInferResult r;
  r.request = request;
  Schema& schema = r.schema;
  schema = std::move(read.schema);
  AddObservedStats(read.report, &schema, request.missing_slack);
  for (const auto& [name, role] : request.roles) {
    ColumnSchema* c = schema.Find(name);
    if (c == nullptr) return Status::NotFound("--role: no column \"{}\" in {}", name, input.path);
    c->role = role;
  }
  if (!labels.target.empty()) {
    ColumnSchema* c = schema.Find(labels.target);
    if (c == nullptr) {
      return Status::NotFound("--target: no column \"{}\" in {}", labels.target, input.path);
    }
    for (auto& other : schema.columns) {
      if (other.role == Role::kTarget) other.role = Role::kFeature;
    }
    c->role = Role::kTarget;
    const Column* col = read.table.Find(labels.target);
    const bool categories =
        c->kind == ColumnKind::kCategorical || c->kind == ColumnKind::kBoolean || classification;
    if (categories && col != nullptr) {
      KEEL_ASSIGN_OR_RETURN(schema.labels, ResolveLabelMapping(labels, *col, nullptr));
    }
  }
  for (const auto& c : schema.columns) {
    if (c.kind == ColumnKind::kCategorical && c.category_order == CategoryOrder::kUnknown) {
      log::Warn(
          "column '{}': category_order unknown ({}); `keel import` will not name a "
          "pandas-trained model's codes from this list",
          c.name, c.category_order_note);
    }
  }
  r.yaml = SchemaToYaml(schema, input.path);
  if (!request.out_path.empty()) KEEL_RETURN_IF_ERROR(WriteFileAtomic(request.out_path, r.yaml));
  return r;
}

nlohmann::json SchemaInferResult::ToJson() const {
  nlohmann::json cols = nlohmann::json::array();
  for (const auto& c : schema.columns) {
    cols.push_back({{"name", c.name},
                    {"kind", std::string(ColumnKindName(c.kind))},
                    {"role", std::string(RoleName(c.role))}});
  }
  nlohmann::json j = {{"ok", true}, {"columns", cols}, {"yaml", yaml}};
  if (!request.out_path.empty()) j["out"] = request.out_path;
  return j;
}

std::string SchemaInferResult::ToText() const {
  return request.out_path.empty() ? yaml : "";
}

Result<SchemaCheckResult> CheckSchema(const SchemaCheckRequest& request) {
  SchemaCheckResult r;
  r.request = request;
  KEEL_ASSIGN_OR_RETURN(r.schema, LoadSchemaYaml(request.schema_path));
  return r;
}

nlohmann::json SchemaCheckResult::ToJson() const {
  return {{"ok", true},
          {"columns", schema.columns.size()},
          {"target", schema.FirstWithRole(Role::kTarget)},
          {"labels_version", schema.labels.empty() ? "" : schema.labels.Version()}};
}

std::string SchemaCheckResult::ToText() const {
  return fmt::format("{}: OK, {} columns\n", request.schema_path, schema.columns.size());
}

}  // namespace keel::usecase
