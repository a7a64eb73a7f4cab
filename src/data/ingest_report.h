// IngestReport: what reading a data set found. Every record of the input is accounted for:
//   rows_read = rows_used + rows_rejected + (duplicates, when they were dropped)
// Rejected records keep their physical line, the column at fault (if one), a reason and the
// raw text, so they can be quarantined (WriteRejectsCsv) and fixed at the source.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keel/status.h"
#include "keel/table.h"

namespace keel {

// An error rejects the row; a warning keeps it (and is counted).
enum class Severity : uint8_t { kWarning, kError };
std::string_view SeverityName(Severity severity);  // "warning", "error"

// Kinds of anomalies, named after TensorFlow Data Validation's where one exists.
enum class AnomalyKind : uint8_t {
  kWrongFieldCount,      // a record with more or fewer fields than the header
  kEncodingError,        // bytes that are not UTF-8
  kMalformedQuoting,     // an unterminated quoted field, or text after a closing quote
  kFieldTooLarge,        // a field above the reader's size limit
  kInvalidRecord,        // a JSON Lines record that is not a JSON object
  kTypeMismatch,         // a value that does not parse as its column's kind
  kNewCategory,          // a category not among the schema's
  kOutOfRange,           // a number outside the schema's [min, max]
  kMissingRateAbove,     // a column's share of missing values above the schema's maximum
  kMissingColumn,        // a schema column absent from the data
  kUnexpectedColumn,     // a data column not in the schema
  kDuplicateColumnName,  // two header fields with the same name (the later one is renamed)
  kUnseenLabel,          // a target value the label mapping maps to no class
};
// "wrong_field_count", "encoding_error", "malformed_quoting", "field_too_large",
// "invalid_record", "type_mismatch", "new_category", "out_of_range", "missing_rate_above",
// "missing_column", "unexpected_column", "duplicate_column_name", "unseen_label".
std::string_view AnomalyKindName(AnomalyKind kind);

struct Anomaly {
  AnomalyKind kind = AnomalyKind::kTypeMismatch;
  Severity severity = Severity::kWarning;
  std::string column;   // empty when the anomaly concerns a whole record or the file
  uint64_t line = 0;    // physical line where the record starts (header = 1); 0 = not one row
  std::string value;    // the offending text (cut to 200 bytes), if any
  std::string message;  // for people: what is wrong and, where useful, what to do
};

struct RejectedRecord {
  uint64_t line = 0;   // physical line where the record starts (header = line 1)
  std::string column;  // the column at fault, or empty (field count, encoding, quoting)
  AnomalyKind kind = AnomalyKind::kWrongFieldCount;
  std::string reason;  // one sentence, naming the value when there is one
  std::string raw;     // the record's text as it appears in the file (terminator excluded)
};

struct DuplicateRecord {
  uint64_t line = 0;        // the duplicate
  uint64_t first_line = 0;  // the earlier record it repeats
};

// Statistics of one column over the rows used.
struct ColumnStats {
  std::string name;
  ColumnKind kind = ColumnKind::kNumeric;
  bool inferred = true;   // false when the kind came from a schema or an override
  uint64_t count = 0;     // non-missing values
  uint64_t missing = 0;
  double missing_rate = 0;
  uint64_t distinct = 0;  // distinct non-missing values (cardinality)
  // Numeric: over the values; boolean: share of true (min/max 0/1); timestamp: seconds since
  // the epoch. Unset when the column has no values or is categorical/string.
  std::optional<double> min, max, mean;
  // Cells reported in this column.
  uint64_t type_mismatches = 0;
  uint64_t new_categories = 0;
  uint64_t out_of_range = 0;
  // Categorical: up to 10 most frequent categories with their counts.
  std::vector<std::pair<std::string, uint64_t>> top_values;
};

// A column ingestion treated as personal data (data/pii_detector.h, data/pseudonymize.h).
struct PiiColumnReport {
  std::string column;
  std::string kind;    // PiiKindName: "declared", "email", "person_name", ...
  std::string reason;  // why it was treated as PII (never quotes a value)
  std::string action;  // "pseudonymized" or "dropped"
};

struct IngestReport {
  std::string source;  // path, or the name given for a buffer
  std::string format;  // "csv" or "jsonl"
  char delimiter = ',';
  char decimal = '.';          // the decimal mark numbers were read with
  std::string decimal_source;  // DecimalSourceName: "option", "detected", "default", ...
  bool header = true;
  bool bom = false;
  bool crlf = false;
  uint64_t bytes = 0;
  uint64_t lines = 0;        // physical lines in the input
  uint64_t blank_lines = 0;  // empty lines (not records)

  uint64_t rows_read = 0;      // data records (header and blank lines excluded)
  uint64_t rows_used = 0;      // rows in the table
  uint64_t rows_rejected = 0;  // == rejected.size()
  uint64_t duplicates = 0;     // byte-identical repeats of an earlier used record
  bool duplicates_dropped = false;  // true: duplicates are not in the table (nor in rows_used)

  std::vector<ColumnStats> columns;
  // Row-level anomalies (with their line; at most ReadOptions::max_anomalies of them) and
  // column-level ones. anomalies_total counts all, including those not listed.
  std::vector<Anomaly> anomalies;
  uint64_t anomalies_total = 0;
  uint64_t errors = 0;    // anomalies of severity error (each rejected a record)
  uint64_t warnings = 0;  // anomalies of severity warning
  std::vector<RejectedRecord> rejected;          // every rejected record, in file order
  std::vector<DuplicateRecord> duplicate_records;  // every duplicate, in file order
  double seconds = 0;  // wall time of the read
  std::vector<PiiColumnReport> pii_columns;  // PII columns and what was done with them

  // Adds an anomaly, keeping the counts exact even when the list is full.
  void AddAnomaly(Anomaly anomaly, size_t max_listed);
};

// The report as JSON: counts, dialect, `columns` (statistics), `anomalies`, and the first
// `max_listed` rejected and duplicate records (line, column, kind, reason; no raw text).
nlohmann::json IngestReportToJson(const IngestReport& report, size_t max_listed = 1000);

// The format and dialect in one line for people: "jsonl", or for CSV
// "csv, delimiter ';', decimal mark ',' (detected), header, LF".
std::string DialectSummary(const IngestReport& report);

// Rejected records as CSV with the header `line,column,kind,reason,raw` (RFC 4180 quoting).
std::string RejectsToCsv(const IngestReport& report);
// Writes RejectsToCsv atomically to `path` (also when there are no rejects: header only).
Status WriteRejectsCsv(const IngestReport& report, const std::string& path);

}  // namespace keel
