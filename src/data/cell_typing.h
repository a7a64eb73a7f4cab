// How the readers type text: the one implementation of what a cell's text reads as and of how a
// text column becomes a typed, categorical or string column. The CSV/JSON Lines reader
// (table_builder.cc) uses the pieces on its chunks; the Python package's DataFrame path
// (python/src/train_frame.cc) uses TypeTextColumn, so a frame is typed as its CSV would be.
//
//   ClassifyCellText   a trimmed, non-missing cell: number, else boolean, else timestamp (each
//                      parse tried only on texts whose first byte and length it could accept),
//                      else text; inline, for the reader's per-cell loop.
//   GroupSpellings     the distinct spellings of a text column, in order of first appearance,
//                      grouped into categories (case-insensitively unless told otherwise),
//                      after the schema's categories when there are any.
//   NameCategories     each group named by its most frequent spelling (ties to the first seen;
//                      the schema's name for a schema category) and numbered: schema
//                      categories first, then the groups with occurrences, in order.
//   TypeTextColumn     a whole text column (type_inference.h's rules on the pieces above).
//   InferredColumnSchema  the schema entry the reader infers for a column it typed.
#pragma once

#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/column_stats.h"
#include "data/number_parse.h"
#include "data/schema.h"
#include "data/timestamp_parse.h"
#include "keel/status.h"
#include "keel/table.h"

namespace keel {

// What a cell's text reads as. The numbers are the reader's cell classes for them.
enum class CellType : uint8_t { kText = 0, kNumber = 1, kBoolean = 2, kTimestamp = 3 };

// Which parses ClassifyCellText tries: all (inferring the column's kind) or only the one of a
// known kind (none for text).
enum class ParseMode : uint8_t { kInfer, kNumeric, kBoolean, kTimestamp, kText };

// What `t` (trimmed, not empty, not a missing token) reads as; for a number, boolean or
// timestamp, *value is set to its double's bits, 0/1 or microseconds since the epoch.
// `decimal` is the decimal mark of numbers.
template <ParseMode kMode = ParseMode::kInfer>
inline CellType ClassifyCellText(std::string_view t, char decimal, uint64_t* value) {
  const char c0 = t[0];
  const bool digit0 = c0 >= '0' && c0 <= '9';
  if constexpr (kMode == ParseMode::kInfer || kMode == ParseMode::kNumeric) {
    double d;
    if ((digit0 || c0 == decimal || c0 == '-' || c0 == '+') && ParseNumber(t, &d, decimal)) {
      *value = std::bit_cast<uint64_t>(d);
      return CellType::kNumber;
    }
  }
  if constexpr (kMode == ParseMode::kInfer || kMode == ParseMode::kBoolean) {
    bool b;
    if ((t.size() == 4 || t.size() == 5) && ParseBool(t, &b)) {
      *value = b ? 1 : 0;
      return CellType::kBoolean;
    }
  }
  if constexpr (kMode == ParseMode::kInfer || kMode == ParseMode::kTimestamp) {
    int64_t micros;
    if (digit0 && t.size() >= 10 && ParseTimestamp(t, &micros)) {
      *value = static_cast<uint64_t>(micros);
      return CellType::kTimestamp;
    }
  }
  return CellType::kText;
}

// The spellings of a text column grouped into categories, then named and numbered.
struct CategoryGroups {
  std::vector<int32_t> group_of;  // spelling id -> group
  std::vector<std::string> name;  // per group: the schema's name, else "" until NameCategories
  size_t seeded = 0;              // groups 0..seeded-1 are the schema's categories
  uint64_t data_groups = 0;       // groups with at least one spelling
  // NameCategories: per group its output code (-1 = not in the output), and the output
  // categories by code.
  std::vector<int32_t> code;
  std::vector<std::string> dictionary;
};

// Groups `spellings` (distinct, in order of first appearance) after `seeds` (the schema's
// categories, which come first; a seed equal to an earlier one case-insensitively is that one):
// spellings equal up to ASCII case are one group when `normalize_case`, else each is its own.
CategoryGroups GroupSpellings(std::span<const std::string> seeds,
                              std::span<const std::string_view> spellings, bool normalize_case);

// Names and numbers `groups` from `counts` (occurrences per spelling, in the rows that are
// output): a data group without occurrences is left out.
void NameCategories(std::span<const std::string_view> spellings, std::span<const uint64_t> counts,
                    CategoryGroups* groups);

// A text column as the reader types it without a schema (type_inference.h): `texts` are its
// distinct trimmed non-missing texts in order of first appearance, `counts` their occurrences,
// `codes` per row an index into `texts` or kMissingCode. Numeric, boolean or timestamp when
// type_inference.h's rules say so (then every text must read as that kind: InvalidArgument
// naming the column, the first other text and its row; the reader would reject those rows);
// a string column without a value or with too many categories; else categorical, the
// categories grouped, named and numbered as above (case-insensitively).
Result<Column> TypeTextColumn(const std::string& name, const std::vector<std::string>& texts,
                              const std::vector<uint64_t>& counts,
                              const std::vector<int32_t>& codes);

// The same text column read as `kind` (a schema's): texts of a number, boolean or timestamp
// column parse only as that kind (InvalidArgument naming the first that does not, as above);
// categorical: GroupSpellings after `categories` (the schema's), then NameCategories; string:
// the texts as they are.
Result<Column> ReadTextColumnAs(ColumnKind kind, const std::string& name,
                                const std::vector<std::string>& texts,
                                const std::vector<uint64_t>& counts,
                                const std::vector<int32_t>& codes,
                                std::span<const std::string> categories, bool normalize_case);

// The schema entry inferred for `column` (typed as above, `stats` its statistics): its kind;
// a categorical column's categories in pandas' sorted order (category_order.h); a numeric
// column's range; role id for a string column of unique values with none missing, and role
// time for the first timestamp column (when *have_time is false; then it is set).
ColumnSchema InferredColumnSchema(const Column& column, const ColumnStats& stats, bool* have_time);

}  // namespace keel
