// Statistics of one column of a table, as the ingest report lists them (ColumnStats): count,
// missing, distinct values, min/max/mean, the most frequent categories.
#pragma once

#include "data/ingest_report.h"
#include "keel/table.h"

namespace keel {

// The statistics of `col`; `inferred` says whether its kind was inferred (not from a schema
// or an override). Distinct values are exact, except for string columns (by 64-bit hash: a
// collision among n values has probability ~n^2 / 2^65); -0.0 and 0.0 are one value.
ColumnStats ComputeColumnStats(const Column& col, bool inferred);

}  // namespace keel
