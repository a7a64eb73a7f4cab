// Type inference: which kind a column is, from counts over every one of its values.
//
// Rules (also in docs/ingest.md), over the non-missing values of the column:
//   1. no non-missing value                       -> string (nothing to go on; not a feature)
//   2. >= 95% parse as numbers                    -> numeric
//   3. >= 95% parse as ISO 8601 timestamps        -> timestamp
//   4. >= 95% are true/false (any case)           -> boolean
//   5. otherwise text; with D distinct values (case-folded when categories are matched
//      case-insensitively) among N non-missing values:
//        D > 10,000, or (D > 20 and D > N / 2)    -> string (ids, names, free text)
//        else                                     -> categorical
// Under rules 2-4 the values that do not parse are type mismatches: reported, and their rows
// rejected, so one "#REF!" does not turn a numeric column into text.
#pragma once

#include <cstdint>
#include <optional>

#include "keel/table.h"

namespace keel {

inline constexpr double kTypedShare = 0.95;
inline constexpr uint64_t kMaxCategories = 10000;
inline constexpr uint64_t kMinDistinctForString = 20;

// Cell counts of one column, by what each non-missing cell parses as (first match in the
// order number, boolean, timestamp, text).
struct KindEvidence {
  uint64_t missing = 0;
  uint64_t numbers = 0;
  uint64_t booleans = 0;
  uint64_t timestamps = 0;
  uint64_t texts = 0;

  uint64_t non_missing() const { return numbers + booleans + timestamps + texts; }
};

// Rules 1-4: the kind when one of them applies, else nullopt (the column is text).
std::optional<ColumnKind> InferTypedKind(const KindEvidence& evidence);

// Rule 5, for a text column with `distinct` distinct values among `non_missing`.
ColumnKind InferTextKind(uint64_t distinct, uint64_t non_missing);

}  // namespace keel
