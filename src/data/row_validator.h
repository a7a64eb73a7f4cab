// RowValidator: the schema check of one row, for the paths that see rows one at a time (the
// HTTP server validates every request with it). Same rules as ReadTable's validation:
//   numeric      a number, or text that parses as one (else type_mismatch, error); outside
//                the schema's [min, max]: out_of_range (warning unless rejected by option)
//   categorical  text (or a number, as its shortest text) matched against the schema's
//                categories, case-insensitively unless disabled; not listed: new_category
//   boolean      true/false text, or the numbers 0/1 (else type_mismatch)
//   timestamp    ISO 8601 text, or a number (epoch seconds) (else type_mismatch)
//   string       anything
// Missing values (missing type, or text that is a missing token or blank) are never
// anomalies here: missing rates are a property of many rows. Columns whose role is ignore are
// not checked; a target with a label mapping reports unseen labels (warning).
//
// Built once per schema (lookup tables precomputed); Validate is const, thread-safe, and
// allocates nothing once `out` has capacity.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/ingest_report.h"
#include "data/missing_tokens.h"
#include "data/schema.h"

namespace keel {

// One input value: missing, a number, or text (borrowed; must outlive the Validate call).
struct CellValue {
  enum class Type : uint8_t { kMissing, kNumber, kText };
  Type type = Type::kMissing;
  double number = 0;
  std::string_view text;

  static CellValue Missing() { return {}; }
  static CellValue Number(double v) { return {Type::kNumber, v, {}}; }
  static CellValue Text(std::string_view t) { return {Type::kText, 0, t}; }
};

struct RowAnomaly {
  uint32_t column = 0;  // index into the schema's columns
  AnomalyKind kind = AnomalyKind::kTypeMismatch;
  Severity severity = Severity::kWarning;
};

struct RowValidatorOptions {
  std::vector<std::string> missing_tokens = DefaultMissingTokens();
  bool normalize_case = true;         // match categories ASCII case-insensitively
  bool reject_new_categories = false;  // new_category is an error instead of a warning
  bool reject_out_of_range = false;    // out_of_range is an error instead of a warning
};

class RowValidator {
 public:
  explicit RowValidator(const Schema& schema, const RowValidatorOptions& options = {});

  const Schema& schema() const { return schema_; }
  size_t num_columns() const { return schema_.columns.size(); }
  // Index of the schema column called `name`, or -1.
  int ColumnIndex(std::string_view name) const;

  // Checks one row; `values[i]` is the value of schema column i and values.size() must be
  // num_columns() (a shorter span treats the remaining columns as missing). Clears `out`,
  // appends the anomalies in column order, and returns how many are errors (the row should
  // be rejected when > 0).
  size_t Validate(std::span<const CellValue> values, std::vector<RowAnomaly>* out) const;

  // A sentence for people, e.g. "\"abc\" in column \"tenure\" is not a number".
  std::string Describe(const RowAnomaly& anomaly, std::span<const CellValue> values) const;

 private:
  struct CategorySet {
    std::vector<uint32_t> slots;  // index into names + 1; 0 = empty
    std::vector<uint64_t> hashes;
    std::vector<std::string> names;
    size_t mask = 0;
  };
  bool HasCategory(const CategorySet& set, std::string_view text) const;
  uint64_t KeyHash(std::string_view text) const;

  Schema schema_;
  RowValidatorOptions options_;
  MissingTokens missing_;
  std::vector<CategorySet> categories_;  // per column (empty set = not checked)
  int target_ = -1;                      // the target column, when it has a label mapping
};

}  // namespace keel
