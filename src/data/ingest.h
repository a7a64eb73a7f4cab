// Reading tabular data: CSV and JSON Lines into a Table, with type inference or a schema,
// validation, and quarantine of bad records. The one entry point every command uses.
//
// Accounting: every record is used, rejected (with line, column, reason, raw text) or, when
// asked, dropped as an exact duplicate; IngestReport's counts add up. A bad record never fails
// the read: ReadTable returns an error only when nothing sensible can be read at all (missing
// file, empty file, unsupported encoding, a schema column absent from the data, ...).
//
// Type inference (ReadOptions::schema unset) looks at every value of a column; the rules are
// in docs/ingest.md and type_inference.h. In short: numeric if at least 95% of the non-missing
// values are numbers (the rest are reported as type mismatches and their rows rejected), else
// timestamp or boolean by the same 95% rule, else categorical, or string for id-like and free
// text columns (many distinct values).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/context.h"
#include "data/ingest_report.h"
#include "data/missing_tokens.h"
#include "data/schema.h"
#include "keel/status.h"
#include "keel/table.h"

namespace keel {

struct ReadOptions {
  // "" = by extension (.jsonl/.ndjson -> JSON Lines, anything else CSV), "csv", "jsonl".
  std::string format;
  // CSV delimiter; 0 = sniff among , TAB ; | (see csv_dialect.h).
  char delimiter = 0;
  // CSV header row; unset = sniff. Without a header, columns are named col_1, col_2, ...
  std::optional<bool> header;
  // CSV decimal mark of numbers, '.' or ','; 0 = sniff (csv_dialect.h: '.' when the delimiter
  // is ',', else decided by the sampled numbers, else the schema's `decimal`, else '.').
  // With ',' numbers read "3,7" and a value written "3.7" is not a number (type_mismatch).
  char decimal = 0;
  // Cell texts meaning missing (compared after trimming); whitespace-only is always missing.
  std::vector<std::string> missing_tokens = DefaultMissingTokens();
  // Remove leading/trailing whitespace from categorical and string values (numbers,
  // booleans and timestamps are always read trimmed).
  bool trim = true;
  // Match categories ASCII case-insensitively ("Yes"/"yes"/"YES" are one category whose
  // name is the most frequent spelling, or the schema's spelling when it lists it).
  bool normalize_case = true;
  // When set: columns named in the schema are read with its kinds (no inference) and
  // validated against it (categories, range, missing rate). Data columns the schema lacks are
  // inferred and reported (unexpected_column, warning). A schema column absent from the data
  // is an error (NotFound) unless its role is target, weight, id or ignore, or
  // allow_missing_columns is set; then it is a warning and the table simply lacks it.
  // Columns whose role is ignore are read as strings, unvalidated. Borrowed for the call.
  const Schema* schema = nullptr;
  bool allow_missing_columns = false;
  // When set, only these schema columns must be in the data (others are optional, as above):
  // scoring needs the model's feature columns, never its target, id, time or sensitive ones.
  // Borrowed for the call.
  const std::vector<std::string>* required_columns = nullptr;
  // Force kinds for named columns (e.g. the target as categorical); wins over the schema.
  std::map<std::string, ColumnKind> kind_overrides;
  // Drop byte-identical repeats of an earlier used record (always counted either way).
  bool drop_duplicates = false;
  // Severity of cells outside the schema: false = warning (value kept), true = error (row
  // rejected). Type mismatches are always errors.
  bool reject_new_categories = false;
  bool reject_out_of_range = false;
  // Target bytes per parallel chunk; 0 = automatic (about 1 MiB or more, up to 8 chunks per
  // thread). Tests set it small to exercise chunk boundaries.
  size_t chunk_bytes = 0;
  // Row-level anomalies listed in the report (their counts are always exact).
  size_t max_anomalies = 10000;
  // Privacy (data/pii_detector.h, data/pseudonymize.h). Columns the schema declares `pii`,
  // and, with detect_pii, columns it does not list whose name or values look like personal
  // data, are pseudonymized (HMAC-SHA256 under pii_key) or, without a key, dropped; the
  // report is scrubbed and lists them in pii_columns with the reason.
  bool detect_pii = true;
  std::vector<std::string> not_pii;  // columns the detector must leave alone
  // "" = LoadPiiKey() (--pii-key-file given here, $KEEL_PII_KEY_FILE, $KEEL_PII_KEY).
  std::string pii_key;
  std::string pii_key_file;
};

struct IngestResult {
  Table table;          // the rows used, in file order; table.source_lines() = physical line
  Schema schema;        // inferred (with the categories and ranges seen), or the given one
                        // with any extra data columns appended
  IngestReport report;  // counts, per-column statistics, anomalies, rejected records
};

// Reads the file at `path` (memory-mapped). Errors: NotFound/IoError for the file;
// InvalidArgument for an empty file or bad options; Unsupported for UTF-16 data; NotFound for
// a required schema column absent from the data. A header-only file gives an empty table
// with the header's columns (kinds from the schema or overrides, else string).
// Runs on ctx.threads() threads; draws a progress bar for large inputs when ctx.progress.
// Cancelled when ctx is cancelled before or during the read (checked between passes).
Result<IngestResult> ReadTable(const std::string& path, const ReadOptions& options,
                               const Context& ctx);

// Same, from bytes in memory (stdin, HTTP bodies, tests). `source_name` names the data in
// messages and the report; with options.format empty it also picks the format by extension.
Result<IngestResult> ReadTableFromBuffer(std::string_view data, std::string_view source_name,
                                         const ReadOptions& options, const Context& ctx);

// The readers' last step, for tables built elsewhere (a pandas DataFrame): pseudonymizes or
// drops the PII columns (schema-declared, or detected unless options.detect_pii is off) and
// scrubs the report (pseudonymize.h). Errors: LoadPiiKey's.
Status ProtectPersonalData(const ReadOptions& options, IngestResult* r);

}  // namespace keel
