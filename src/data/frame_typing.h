// Tables built in memory (a pandas DataFrame's columns, python/src/frame_columns.h) typed as the
// reader types the same data written as CSV, with the reader's own decisions (cell_typing.h),
// so a command run on a DataFrame reads what it reads from the file.
//
// The input columns: numeric, boolean and timestamp columns hold typed values (a DataFrame's
// numbers, bools, datetimes); a categorical column holds each row's raw cell text (its
// dictionary is the texts, not yet trimmed or read). The output column of each:
//   no schema entry (or no schema)  as inferred: a text column by TypeTextColumn (trimmed, the
//                                   default missing tokens missing); a typed column as it is;
//                                   a column without any value is a string column.
//   schema entry of kind K          read as K: texts of a number, boolean or timestamp column
//                                   parse only as K; categories are the schema's, then new
//                                   ones named by their most frequent spelling; role ignore
//                                   reads as string. A typed column must be of kind K or
//                                   without any value.
// Where the reader would reject a record (a text that does not read as its column's kind, a
// typed column of another kind), the result is an error naming the column, value and row: a
// DataFrame cannot drop a row, and a silently smaller data set is a wrong answer.
#pragma once

#include <string>

#include "data/ingest.h"
#include "keel/status.h"
#include "keel/table.h"

namespace keel {

// `table` typed as above with options.schema (may be null), options.required_columns and
// options.allow_missing_columns (CheckSchemaColumns), options.normalize_case; then the PII
// columns are protected as the reader does (ProtectPersonalData). The schema of the result is
// options.schema's with entries inferred for the columns it lacks (all, without one); the
// report counts every row read and used, with `source` naming the data and format
// "dataframe". Errors: InvalidArgument as above; NotFound for an absent required schema
// column; LoadPiiKey's.
Result<IngestResult> TypeFrameTable(Table table, const std::string& source,
                                    const ReadOptions& options);

}  // namespace keel
