// keel schema infer | check: write an editable YAML schema from data; check a schema file.
#include <cstdio>

#include "command.h"
#include "core/file_io.h"
#include "core/log.h"
#include "data/ingest.h"
#include "data/label_mapping.h"
#include "data/schema_yaml.h"
#include "reader_flags.h"

namespace keel::cli {
namespace {

struct SchemaInferFlags {
  CommonFlags common;
  std::string data;
  std::string out;
  std::string format;
  std::string delimiter;
  char decimal = 0;  // --decimal
  bool header = false;
  bool no_header = false;
  std::string missing;
  std::vector<std::string> kinds;
  std::vector<std::string> roles;
  std::string target;
  std::string classes;
  std::string merges;
  std::string positive;
  double missing_slack = 0.05;
  int threads = 0;
};

struct SchemaCheckFlags {
  CommonFlags common;
  std::string schema;
};

// "COL=VALUE" -> (COL, VALUE); the last '=' splits, so column names may hold '='.
bool SplitAssignment(const std::string& text, std::string* col, std::string* value) {
  const size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0) return false;
  *col = text.substr(0, eq);
  *value = text.substr(eq + 1);
  return true;
}

Result<Schema> Infer(const SchemaInferFlags& f) {
  ReadOptions o;
  o.format = f.format;
  if (f.delimiter == "tab" || f.delimiter == "\\t") {
    o.delimiter = '\t';
  } else if (f.delimiter.size() == 1) {
    o.delimiter = f.delimiter[0];
  } else if (!f.delimiter.empty() && f.delimiter != "auto") {
    return Status::InvalidArgument("--delimiter \"{}\": give one character, tab or auto",
                                   f.delimiter);
  }
  o.decimal = f.decimal;
  if (f.header) o.header = true;
  if (f.no_header) o.header = false;
  if (!f.missing.empty()) {
    size_t start = 0;
    while (start <= f.missing.size()) {
      size_t comma = f.missing.find(',', start);
      if (comma == std::string::npos) comma = f.missing.size();
      o.missing_tokens.push_back(f.missing.substr(start, comma - start));
      start = comma + 1;
    }
  }
  for (const auto& k : f.kinds) {
    std::string col, value;
    ColumnKind kind;
    if (!SplitAssignment(k, &col, &value) || !ParseColumnKind(value, &kind)) {
      return Status::InvalidArgument(
          "--kind \"{}\": expected COLUMN=numeric|categorical|"
          "boolean|timestamp|string",
          k);
    }
    o.kind_overrides[col] = kind;
  }
  const bool classification = !f.classes.empty() || !f.merges.empty() || !f.positive.empty();
  if (!f.target.empty() && classification && o.kind_overrides.count(f.target) == 0) {
    o.kind_overrides[f.target] = ColumnKind::kCategorical;  // labels are categories, even 0/1
  }
  Result<IngestResult> read = f.data == "-"
                                  ? Status::InvalidArgument("schema infer needs a file, not stdin")
                                  : ReadTable(f.data, o, CommandContext(f.common, f.threads));
  if (!read.ok()) return read.status();
  IngestResult& r = *read;
  Schema schema = std::move(r.schema);
  AddObservedStats(r.report, &schema, f.missing_slack);
  for (const auto& item : f.roles) {
    std::string col, value;
    Role role;
    if (!SplitAssignment(item, &col, &value) || !ParseRole(value, &role)) {
      return Status::InvalidArgument(
          "--role \"{}\": expected COLUMN=feature|target|sensitive|"
          "pii|id|time|weight|ignore",
          item);
    }
    ColumnSchema* c = schema.Find(col);
    if (c == nullptr) return Status::NotFound("--role: no column \"{}\" in {}", col, f.data);
    c->role = role;
  }
  if (!f.target.empty()) {
    ColumnSchema* c = schema.Find(f.target);
    if (c == nullptr) return Status::NotFound("--target: no column \"{}\" in {}", f.target, f.data);
    for (auto& other : schema.columns) {
      if (other.role == Role::kTarget) other.role = Role::kFeature;
    }
    c->role = Role::kTarget;
    if (c->kind == ColumnKind::kCategorical || c->kind == ColumnKind::kBoolean || classification) {
      const Column* col = r.table.Find(f.target);
      LabelMapping mapping;
      if (!f.classes.empty() || !f.merges.empty()) {
        KEEL_ASSIGN_OR_RETURN(mapping, ParseLabelMapping(f.classes, f.merges));
      }
      if (mapping.classes.empty()) {
        KEEL_ASSIGN_OR_RETURN(
            LabelMapping inferred,
            InferLabelMapping(*col, f.positive.empty() ? std::nullopt : std::optional(f.positive)));
        mapping.classes = std::move(inferred.classes);
      }
      schema.labels = std::move(mapping);
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
  return schema;
}

}  // namespace

Command AddSchemaCommand(CLI::App& root) {
  auto* sub =
      root.add_subcommand("schema", "Infer an editable YAML schema from data, or check one");
  sub->require_subcommand(1);
  auto* infer = sub->add_subcommand(
      "infer",
      "Read DATA, infer each column's kind, role, categories, range and missing rate, and "
      "write the schema as YAML (stdout unless --out). Categories are listed in pandas' default "
      "order (numbers by value, else by code point), whatever the row order, with "
      "`category_order: sorted`, or `unknown` where pandas would make other categories from "
      "the file (see docs/ingest.md)");
  auto fi = std::make_shared<SchemaInferFlags>();
  infer->add_option("data", fi->data, "Data file (.csv, .tsv, .jsonl/.ndjson)")->required();
  infer->add_option("-o,--out", fi->out, "Write the YAML here (default: stdout)");
  infer->add_option("--format", fi->format, "csv or jsonl (default: by file extension, else csv)");
  infer->add_option("--delimiter", fi->delimiter,
                    "CSV delimiter: one character, tab or auto (default: sniffed)");
  AddDecimalFlag(infer, &fi->decimal);
  infer->add_flag("--header", fi->header, "The first CSV record is a header (default: sniffed)");
  infer->add_flag("--no-header", fi->no_header, "The CSV has no header (default: sniffed)");
  infer->add_option("--missing", fi->missing,
                    "Extra comma-separated missing tokens (default list: \"\", NA, N/A, null, "
                    "NULL, NaN, ?)");
  infer->add_option("--kind", fi->kinds,
                    "Force a kind, COLUMN=numeric|categorical|boolean|timestamp|string "
                    "(repeatable; default: inferred)");
  infer->add_option("--role", fi->roles,
                    "Set a role, COLUMN=feature|target|sensitive|pii|id|time|weight|ignore "
                    "(repeatable; default: feature; unique text columns id; the first timestamp "
                    "column time)");
  infer->add_option("--target", fi->target,
                    "Target column: role target and, for a classification target, a `labels` "
                    "section (default: none)");
  infer->add_option("--classes", fi->classes,
                    "Target classes in order, comma-separated; binary: the second is positive "
                    "(default: the target's values)");
  infer->add_option("--merge", fi->merges, "Merge raw labels: raw=class,raw=class (default: none)");
  infer->add_option("--positive", fi->positive,
                    "Positive class of a binary target (default: the minority class)");
  infer->add_option("--missing-slack", fi->missing_slack,
                    "max_missing_rate = seen missing rate + this (default: 0.05)");
  infer->add_option("--threads", fi->threads, "Worker threads (default: 0 = all cores)");
  AddCommonFlags(infer, &fi->common);

  auto* check = sub->add_subcommand("check", "Parse a schema YAML file and report its errors");
  auto fc = std::make_shared<SchemaCheckFlags>();
  check->add_option("schema", fc->schema, "Schema YAML file")->required();
  AddCommonFlags(check, &fc->common);

  return {
      sub, [infer, check, fi, fc] {
        if (infer->parsed()) {
          ApplyCommonFlags(fi->common);
          Result<Schema> schema = Infer(*fi);
          if (!schema.ok()) return ReportError(schema.status(), fi->common);
          const std::string yaml = SchemaToYaml(*schema, fi->data);
          if (!fi->out.empty()) {
            Status s = WriteFileAtomic(fi->out, yaml);
            if (!s.ok()) return ReportError(s, fi->common);
          }
          if (fi->common.json) {
            nlohmann::json cols = nlohmann::json::array();
            for (const auto& c : schema->columns) {
              cols.push_back({{"name", c.name},
                              {"kind", std::string(ColumnKindName(c.kind))},
                              {"role", std::string(RoleName(c.role))}});
            }
            nlohmann::json j = {{"ok", true}, {"columns", cols}, {"yaml", yaml}};
            if (!fi->out.empty()) j["out"] = fi->out;
            PrintJson(j);
          } else if (fi->out.empty()) {
            std::fwrite(yaml.data(), 1, yaml.size(), stdout);
          }
          return kExitOk;
        }
        if (check->parsed()) {
          ApplyCommonFlags(fc->common);
          Result<Schema> schema = LoadSchemaYaml(fc->schema);
          if (!schema.ok()) return ReportError(schema.status(), fc->common);
          if (fc->common.json) {
            PrintJson({{"ok", true},
                       {"columns", schema->columns.size()},
                       {"target", schema->FirstWithRole(Role::kTarget)},
                       {"labels_version", schema->labels.empty() ? "" : schema->labels.Version()}});
          } else {
            std::printf("%s: OK, %zu columns\n", fc->schema.c_str(), schema->columns.size());
          }
          return kExitOk;
        }
        return kExitUsage;
      }};
}

}  // namespace keel::cli
