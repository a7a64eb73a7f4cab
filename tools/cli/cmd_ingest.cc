// keel ingest: read a data set, validate it, quarantine bad records and report
// (usecase/ingest.h). This file binds flags and prints.
#include "command.h"
#include "reader_flags.h"
#include "usecase/ingest.h"

namespace keel::cli {
namespace {

struct IngestFlags {
  CommonFlags common;
  usecase::IngestRequest request;
  int threads = 0;
};

int Run(const IngestFlags& f) {
  ApplyCommonFlags(f.common);
  const auto result = usecase::Ingest(f.request, CommandContext(f.common, f.threads));
  const int code = PrintResult(result, f.common);
  // --fail-on-errors: the report is printed, and rejected records fail the command.
  return code == kExitOk && result->failed() ? kExitFailure : code;
}

}  // namespace

Command AddIngestCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "ingest",
      "Read a CSV or JSON Lines file, infer or check its schema, quarantine bad records and "
      "report counts, per-column statistics and anomalies");
  auto f = std::make_shared<IngestFlags>();
  usecase::IngestRequest& r = f->request;
  ReadOptions& read = r.input.options;
  sub->add_option("data", r.input.path, "Data file (.csv, .tsv, .jsonl/.ndjson), or - for stdin")
      ->required();
  AddReaderFlags(sub, &r.input, kSchemaFlag);
  sub->add_option("--rejects", r.rejects_path,
                  "Write rejected records here as CSV: line,column,kind,reason,raw (default: "
                  "not written)");
  AddReaderFlags(sub, &r.input, kDialectFlags | kDecimalFlag | kMissingFlags | kTextFlags);
  sub->add_flag("--drop-duplicates", read.drop_duplicates,
                "Leave byte-identical repeated records out of the table (default: kept; "
                "always counted)");
  AddReaderFlags(sub, &r.input, kKindFlag);
  sub->add_flag("--allow-missing-columns", read.allow_missing_columns,
                "Schema columns absent from the data are warnings, not errors (default: only "
                "for roles target, weight, id, ignore)");
  sub->add_flag("--reject-new-categories", read.reject_new_categories,
                "Reject rows with a category the schema does not list (default: warning)");
  sub->add_flag("--reject-out-of-range", read.reject_out_of_range,
                "Reject rows with a number outside the schema's min/max (default: warning)");
  sub->add_option("--threads", f->threads, "Worker threads (default: 0 = all cores)");
  sub->add_option("--max-anomalies", read.max_anomalies,
                  "Row-level anomalies listed in the report; counts stay exact (default: 10000)");
  sub->add_option("--max-listed", r.max_listed,
                  "Rejected and duplicate records listed in --json output (default: 1000; the "
                  "--rejects file has all)");
  sub->add_option("--target", r.labels.target,
                  "Target column: report how its labels map to classes (default: none, or the "
                  "schema's target)");
  sub->add_option("--classes", r.labels.classes,
                  "Label classes in order, comma-separated; binary: the second is positive; a "
                  "class not in the data is added (default: the target's values)");
  sub->add_option("--merge", r.labels.merges,
                  "Merge raw labels into classes: raw=class,raw=class (default: none)");
  sub->add_option("--positive", r.labels.positive,
                  "Positive class of a binary target (default: the minority class)");
  sub->add_flag("--fail-on-errors", r.fail_on_errors,
                "Exit 1 when any record was rejected (default: exit 0; rejects are reported)");
  sub->add_option("--pii-key-file", read.pii_key_file,
                  "File holding the HMAC-SHA256 key that pseudonymizes PII columns (default: "
                  "$KEEL_PII_KEY_FILE, else $KEEL_PII_KEY; with no key PII columns are dropped)");
  sub->add_option("--not-pii", read.not_pii,
                  "A column the PII detector must leave alone (repeatable; default: none)");
  sub->add_flag_callback(
      "--no-pii-detect", [detect = &read.detect_pii] { *detect = false; },
      "Only treat columns the schema declares pii as PII (default: also detect e-mails, "
      "phones, card numbers, IPs, national ids and name columns)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
