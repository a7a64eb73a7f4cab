// keel schema infer | check: write an editable YAML schema from data; check a schema file
// (usecase/schema_infer.h). This file binds flags and prints.
#include "command.h"
#include "reader_flags.h"
#include "usecase/schema_infer.h"

namespace keel::cli {
namespace {

struct SchemaInferFlags {
  CommonFlags common;
  usecase::SchemaInferRequest request;
  int threads = 0;
};

struct SchemaCheckFlags {
  CommonFlags common;
  usecase::SchemaCheckRequest request;
};

int RunInfer(const SchemaInferFlags& f) {
  ApplyCommonFlags(f.common);
  return PrintResult(usecase::InferSchema(f.request, CommandContext(f.common, f.threads)),
                     f.common);
}

int RunCheck(const SchemaCheckFlags& f) {
  ApplyCommonFlags(f.common);
  return PrintResult(usecase::CheckSchema(f.request), f.common);
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
  usecase::SchemaInferRequest& r = fi->request;
  infer->add_option("data", r.input.path, "Data file (.csv, .tsv, .jsonl/.ndjson)")->required();
  infer->add_option("-o,--out", r.out_path, "Write the YAML here (default: stdout)");
  AddReaderFlags(infer, &r.input, kDialectFlags | kDecimalFlag | kMissingFlags | kKindFlag);
  AddColumnAssignments(
      infer, "--role", &ParseRole,
      [roles = &r.roles](std::string column, Role role) {
        roles->emplace_back(std::move(column), role);
      },
      "Set a role, COLUMN=feature|target|sensitive|pii|id|time|weight|ignore (repeatable; "
      "default: feature; unique text columns id; the first timestamp column time)",
      "ROLE with ROLE one of feature, target, sensitive, pii, id, time, weight, ignore");
  infer->add_option("--target", r.labels.target,
                    "Target column: role target and, for a classification target, a `labels` "
                    "section (default: none)");
  infer->add_option("--classes", r.labels.classes,
                    "Target classes in order, comma-separated; binary: the second is positive "
                    "(default: the target's values)");
  infer->add_option("--merge", r.labels.merges,
                    "Merge raw labels: raw=class,raw=class (default: none)");
  infer->add_option("--positive", r.labels.positive,
                    "Positive class of a binary target (default: the minority class)");
  infer->add_option("--missing-slack", r.missing_slack,
                    "max_missing_rate = seen missing rate + this (default: 0.05)");
  infer->add_option("--threads", fi->threads, "Worker threads (default: 0 = all cores)");
  AddCommonFlags(infer, &fi->common);

  auto* check = sub->add_subcommand("check", "Parse a schema YAML file and report its errors");
  auto fc = std::make_shared<SchemaCheckFlags>();
  check->add_option("schema", fc->request.schema_path, "Schema YAML file")->required();
  AddCommonFlags(check, &fc->common);

  return {sub, [infer, check, fi, fc] {
            if (infer->parsed()) return RunInfer(*fi);
            if (check->parsed()) return RunCheck(*fc);
            return kExitUsage;
          }};
}

}  // namespace keel::cli
