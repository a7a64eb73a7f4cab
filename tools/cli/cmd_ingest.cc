// keel ingest: read a data set, validate it, quarantine bad records and report.
#include <cstdio>
#include <iostream>
#include <iterator>

#include "command.h"
#include "core/nearest_name.h"
#include "core/readable_number.h"
#include "data/ingest.h"
#include "data/label_mapping.h"
#include "data/schema_yaml.h"
#include "reader_flags.h"

namespace keel::cli {
namespace {

struct IngestFlags {
  CommonFlags common;
  std::string data;
  std::string schema_path;
  std::string rejects_path;
  std::string format;
  std::string delimiter;
  char decimal = 0;  // --decimal
  bool header = false;
  bool no_header = false;
  std::string missing;
  bool no_default_missing = false;
  bool no_trim = false;
  bool case_sensitive = false;
  bool drop_duplicates = false;
  std::vector<std::string> kinds;
  bool allow_missing_columns = false;
  bool reject_new_categories = false;
  bool reject_out_of_range = false;
  int threads = 0;
  size_t max_anomalies = 10000;
  size_t max_listed = 1000;
  std::string target;
  std::string classes;
  std::string merges;
  std::string positive;
  bool fail_on_errors = false;
  std::string pii_key_file;
  std::vector<std::string> not_pii;
  bool no_pii_detect = false;
};

Status ParseDelimiter(const std::string& text, char* out) {
  if (text.empty() || text == "auto") {
    *out = 0;
  } else if (text == "tab" || text == "\\t" || text == "\t") {
    *out = '\t';
  } else if (text == "comma") {
    *out = ',';
  } else if (text == "semicolon") {
    *out = ';';
  } else if (text == "pipe") {
    *out = '|';
  } else if (text.size() == 1) {
    *out = text[0];
  } else {
    return Status::InvalidArgument("--delimiter \"{}\": give one character, or tab/comma/"
                                   "semicolon/pipe/auto",
                                   text);
  }
  return Status::OK();
}

Status BuildOptions(const IngestFlags& f, ReadOptions* o, Schema* schema) {
  o->format = f.format;
  KEEL_RETURN_IF_ERROR(ParseDelimiter(f.delimiter, &o->delimiter));
  o->decimal = f.decimal;
  if (f.header) o->header = true;
  if (f.no_header) o->header = false;
  if (f.no_default_missing) o->missing_tokens.clear();
  if (!f.missing.empty()) {
    size_t start = 0;
    while (start <= f.missing.size()) {
      size_t comma = f.missing.find(',', start);
      if (comma == std::string::npos) comma = f.missing.size();
      o->missing_tokens.push_back(f.missing.substr(start, comma - start));
      start = comma + 1;
    }
  }
  o->trim = !f.no_trim;
  o->normalize_case = !f.case_sensitive;
  o->drop_duplicates = f.drop_duplicates;
  o->allow_missing_columns = f.allow_missing_columns;
  o->reject_new_categories = f.reject_new_categories;
  o->reject_out_of_range = f.reject_out_of_range;
  o->max_anomalies = f.max_anomalies;
  o->pii_key_file = f.pii_key_file;
  o->not_pii = f.not_pii;
  o->detect_pii = !f.no_pii_detect;
  for (const auto& k : f.kinds) {
    const size_t eq = k.rfind('=');
    ColumnKind kind;
    if (eq == std::string::npos || !ParseColumnKind(k.substr(eq + 1), &kind)) {
      return Status::InvalidArgument("--kind \"{}\": expected COLUMN=KIND with KIND one of "
                                     "numeric, categorical, boolean, timestamp, string",
                                     k);
    }
    o->kind_overrides[k.substr(0, eq)] = kind;
  }
  if (!f.schema_path.empty()) {
    KEEL_ASSIGN_OR_RETURN(*schema, LoadSchemaYaml(f.schema_path));
    o->schema = schema;
  }
  return Status::OK();
}

// Text for people: counts grouped by thousands, statistics to 6 significant digits (the
// --json output keeps every digit).
void PrintText(const IngestReport& r, const nlohmann::json* labels) {
  std::printf("%s: %s rows read, %s used, %s rejected, %s duplicates%s\n", r.source.c_str(),
              ReadableCount(r.rows_read).c_str(), ReadableCount(r.rows_used).c_str(),
              ReadableCount(r.rows_rejected).c_str(), ReadableCount(r.duplicates).c_str(),
              r.duplicates_dropped ? " (dropped)" : " (kept)");
  std::printf("format: %s\n", DialectSummary(r).c_str());
  std::printf("%-28s %-12s %9s %9s %12s %12s %12s\n", "column", "kind", "missing", "distinct",
              "min", "max", "mean");
  for (const auto& c : r.columns) {
    auto num = [](const std::optional<double>& v) {
      return v ? ReadableNumber(*v, 6) : std::string("-");
    };
    std::printf("%-28s %-12s %9s %9s %12s %12s %12s\n", c.name.c_str(),
                std::string(ColumnKindName(c.kind)).c_str(),
                ReadablePercent(c.missing_rate, 2).c_str(), ReadableCount(c.distinct).c_str(),
                num(c.min).c_str(), num(c.max).c_str(), num(c.mean).c_str());
  }
  if (!r.anomalies.empty()) {
    std::printf("anomalies: %s (%s errors, %s warnings)\n",
                ReadableCount(r.anomalies_total).c_str(), ReadableCount(r.errors).c_str(),
                ReadableCount(r.warnings).c_str());
    size_t shown = 0;
    for (const auto& a : r.anomalies) {
      if (shown++ == 20) {
        std::printf("  ... (use --json or --rejects for all)\n");
        break;
      }
      std::printf("  %s %s%s: %s\n", std::string(SeverityName(a.severity)).c_str(),
                  std::string(AnomalyKindName(a.kind)).c_str(),
                  a.line ? (" line " + std::to_string(a.line)).c_str() : "", a.message.c_str());
    }
  }
  for (const auto& p : r.pii_columns) {
    std::printf("pii: %s %s (%s): %s\n", p.column.c_str(), p.action.c_str(), p.kind.c_str(),
                p.reason.c_str());
  }
  if (labels != nullptr) {
    // "labels of 'churn' (mapping 1a2b): 'No' 5,174 rows, 'Yes' 1,869 rows; 2 missing"
    const nlohmann::json& l = *labels;
    std::printf("labels of '%s' (mapping %s):", l["target"].get<std::string>().c_str(),
                l["version"].get<std::string>().c_str());
    const char* sep = " ";
    for (const auto& cls : l["classes"]) {
      const std::string name = cls.get<std::string>();
      std::printf("%s'%s' %s rows", sep, name.c_str(),
                  ReadableCount(l["class_rows"][name].get<uint64_t>()).c_str());
      sep = ", ";
    }
    sep = "; no rows for ";
    for (const auto& e : l["empty_classes"]) {
      std::printf("%s'%s'", sep, e.get<std::string>().c_str());
      sep = ", ";
    }
    if (l["unseen_rows"].get<uint64_t>() > 0) {
      std::printf("; %s rows with labels of no class (",
                  ReadableCount(l["unseen_rows"].get<uint64_t>()).c_str());
      sep = "";
      for (const auto& u : l["unseen_labels"]) {
        std::printf("%s'%s' %s", sep, u["label"].get<std::string>().c_str(),
                    ReadableCount(u["rows"].get<uint64_t>()).c_str());
        sep = ", ";
      }
      std::printf(")");
    }
    if (l["missing_rows"].get<uint64_t>() > 0) {
      std::printf("; %s missing", ReadableCount(l["missing_rows"].get<uint64_t>()).c_str());
    }
    std::printf("\n");
  }
}

}  // namespace

Command AddIngestCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "ingest",
      "Read a CSV or JSON Lines file, infer or check its schema, quarantine bad records and "
      "report counts, per-column statistics and anomalies");
  auto f = std::make_shared<IngestFlags>();
  sub->add_option("data", f->data, "Data file (.csv, .tsv, .jsonl/.ndjson), or - for stdin")
      ->required();
  sub->add_option("--schema", f->schema_path,
                  "Schema YAML (from `keel schema infer`): read columns with its kinds and "
                  "validate against it instead of inferring (default: infer)");
  sub->add_option("--rejects", f->rejects_path,
                  "Write rejected records here as CSV: line,column,kind,reason,raw (default: "
                  "not written)");
  sub->add_option("--format", f->format, "csv or jsonl (default: by file extension, else csv)");
  sub->add_option("--delimiter", f->delimiter,
                  "CSV delimiter: one character, or tab|comma|semicolon|pipe (default: sniffed "
                  "among , tab ; |)");
  AddDecimalFlag(sub, &f->decimal);
  sub->add_flag("--header", f->header, "The first CSV record is a header (default: sniffed)");
  sub->add_flag("--no-header", f->no_header,
                "The CSV has no header; columns are named col_1, col_2, ... (default: sniffed)");
  sub->add_option("--missing", f->missing,
                  "Extra comma-separated tokens meaning missing (default list: \"\", NA, N/A, "
                  "null, NULL, NaN, ?; whitespace-only is always missing)");
  sub->add_flag("--no-default-missing", f->no_default_missing,
                "Do not use the default missing tokens (only --missing and whitespace-only)");
  sub->add_flag("--no-trim", f->no_trim,
                "Keep leading/trailing spaces of text values (default: trimmed)");
  sub->add_flag("--case-sensitive", f->case_sensitive,
                "Treat \"Yes\" and \"yes\" as different categories (default: one category, "
                "named by its most frequent spelling)");
  sub->add_flag("--drop-duplicates", f->drop_duplicates,
                "Leave byte-identical repeated records out of the table (default: kept; "
                "always counted)");
  sub->add_option("--kind", f->kinds,
                  "Force a column's kind, COLUMN=numeric|categorical|boolean|timestamp|string "
                  "(repeatable; default: inferred)");
  sub->add_flag("--allow-missing-columns", f->allow_missing_columns,
                "Schema columns absent from the data are warnings, not errors (default: only "
                "for roles target, weight, id, ignore)");
  sub->add_flag("--reject-new-categories", f->reject_new_categories,
                "Reject rows with a category the schema does not list (default: warning)");
  sub->add_flag("--reject-out-of-range", f->reject_out_of_range,
                "Reject rows with a number outside the schema's min/max (default: warning)");
  sub->add_option("--threads", f->threads, "Worker threads (default: 0 = all cores)");
  sub->add_option("--max-anomalies", f->max_anomalies,
                  "Row-level anomalies listed in the report; counts stay exact (default: 10000)");
  sub->add_option("--max-listed", f->max_listed,
                  "Rejected and duplicate records listed in --json output (default: 1000; the "
                  "--rejects file has all)");
  sub->add_option("--target", f->target,
                  "Target column: report how its labels map to classes (default: none, or the "
                  "schema's target)");
  sub->add_option("--classes", f->classes,
                  "Label classes in order, comma-separated; binary: the second is positive; a "
                  "class not in the data is added (default: the target's values)");
  sub->add_option("--merge", f->merges,
                  "Merge raw labels into classes: raw=class,raw=class (default: none)");
  sub->add_option("--positive", f->positive,
                  "Positive class of a binary target (default: the minority class)");
  sub->add_flag("--fail-on-errors", f->fail_on_errors,
                "Exit 1 when any record was rejected (default: exit 0; rejects are reported)");
  sub->add_option("--pii-key-file", f->pii_key_file,
                  "File holding the HMAC-SHA256 key that pseudonymizes PII columns (default: "
                  "$KEEL_PII_KEY_FILE, else $KEEL_PII_KEY; with no key PII columns are dropped)");
  sub->add_option("--not-pii", f->not_pii,
                  "A column the PII detector must leave alone (repeatable; default: none)");
  sub->add_flag("--no-pii-detect", f->no_pii_detect,
                "Only treat columns the schema declares pii as PII (default: also detect "
                "e-mails, phones, card numbers, IPs, national ids and name columns)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] {
            ApplyCommonFlags(f->common);
            ReadOptions options;
            Schema schema;
            Status s = BuildOptions(*f, &options, &schema);
            if (!s.ok()) return ReportError(s, f->common);
            Result<IngestResult> result = Status::Internal("not read");
            if (f->data == "-") {
              std::string input((std::istreambuf_iterator<char>(std::cin)),
                                std::istreambuf_iterator<char>());
              result = ReadTableFromBuffer(input, "<stdin>", options,
                                           CommandContext(f->common, f->threads));
            } else {
              result = ReadTable(f->data, options, CommandContext(f->common, f->threads));
            }
            if (!result.ok()) return ReportError(result.status(), f->common);
            const IngestReport& report = result->report;
            if (!f->rejects_path.empty()) {
              s = WriteRejectsCsv(report, f->rejects_path);
              if (!s.ok()) return ReportError(s, f->common);
            }
            // Label mapping of the target, from the flags or the schema.
            std::optional<nlohmann::json> labels;
            std::string target = f->target;
            if (target.empty() && options.schema != nullptr) {
              target = options.schema->FirstWithRole(Role::kTarget);
            }
            if (!target.empty()) {
              const Column* col = result->table.Find(target);
              if (col == nullptr) {
                return ReportError(
                    Status::NotFound("target column \"{}\" is not in {}{}", target, report.source,
                                     DidYouMean(target, result->table.columns(), &Column::name)),
                    f->common);
              }
              LabelMapping mapping;
              if (!f->classes.empty() || !f->merges.empty()) {
                auto parsed = ParseLabelMapping(f->classes, f->merges);
                if (!parsed.ok()) return ReportError(parsed.status(), f->common);
                mapping = std::move(*parsed);
              } else if (options.schema != nullptr && !options.schema->labels.empty()) {
                mapping = options.schema->labels;
              }
              if (mapping.empty()) {
                auto inferred = InferLabelMapping(
                    *col, f->positive.empty() ? std::nullopt : std::optional(f->positive));
                if (!inferred.ok()) return ReportError(inferred.status(), f->common);
                mapping.classes = std::move(inferred->classes);
              }
              LabelReport lr;
              MapLabels(mapping, *col, &lr);
              nlohmann::json lj;
              lj["target"] = target;
              lj["version"] = lr.version;
              lj["classes"] = mapping.classes;
              nlohmann::json rows = nlohmann::json::object();
              for (size_t i = 0; i < mapping.classes.size(); ++i) rows[mapping.classes[i]] = lr.class_rows[i];
              lj["class_rows"] = rows;
              lj["empty_classes"] = lr.empty_classes;
              nlohmann::json unseen = nlohmann::json::array();
              for (const auto& [label, n] : lr.unseen) unseen.push_back({{"label", label}, {"rows", n}});
              lj["unseen_labels"] = unseen;
              lj["unseen_rows"] = lr.unseen_rows;
              lj["missing_rows"] = lr.missing_rows;
              labels = std::move(lj);
            }
            if (f->common.json) {
              nlohmann::json j = IngestReportToJson(report, f->max_listed);
              if (labels) j["labels"] = *labels;
              if (!f->rejects_path.empty()) j["rejects_file"] = f->rejects_path;
              PrintJson(j);
            } else {
              PrintText(report, labels ? &*labels : nullptr);
            }
            if (f->fail_on_errors && report.rows_rejected > 0) return kExitFailure;
            return kExitOk;
          }};
}

}  // namespace keel::cli
