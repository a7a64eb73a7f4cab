// TableBuilder: from tokenized records (RawChunk, CSV or JSON Lines) to a typed Table, its
// schema and the ingest report. Internal to the readers (ingest.cc); exposed for tests.
//
// Passes, each parallel over chunks or columns (ParallelFor) and merged in chunk order so the
// result does not depend on the thread count; in table_builder.cc each is a step of the class
// TableBuild, which holds the state they share:
//   1. ClassifyCells: tokenize (CSV) and classify every cell (missing / number / boolean /
//      timestamp / text), keeping parsed values (in per-column slots sized by each chunk's
//      line breaks, which numeric columns become in place) and a per-chunk dictionary of texts;
//   2. DecideKinds: each column's kind (schema, override or type_inference.h), merged
//      dictionaries;
//   3. Validate: type mismatches reject rows; schema checks add warnings (or errors);
//   4. Account: every record (rejected, duplicate, used) in file order; then
//      FinalizeDictionaries names and numbers the categories of the used rows;
//   5. WriteColumns: the columns of the used rows and their statistics (column_stats.h);
//      Finish assembles the table, the report and the schema.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/csv_tokenizer.h"
#include "data/ingest.h"
#include "data/raw_chunk.h"

namespace keel {

struct TokenizedData {
  std::string_view source;         // the whole input: raw text of rejected records comes from it
  std::vector<std::string> names;  // column names as found (cleaned up by the builder)
  uint64_t first_line = 1;         // line of the first byte after the header
  // JSON Lines: the tokenized chunks, in input order, `names.size()` cells a row.
  std::vector<RawChunk> chunks;
  // CSV: set instead of `chunks`; the builder tokenizes source[csv_begin, end) itself, in
  // about csv_chunks parallel chunks, classifying block by block (spans are never stored).
  std::optional<CsvFormat> csv;
  uint64_t csv_begin = 0;
  size_t csv_chunks = 1;
};

// Builds the result. `report` arrives with the source, format and dialect fields (and any
// file-level anomalies) filled in. Errors: NotFound for a required schema column absent from
// the data; InvalidArgument when there are no columns.
Result<IngestResult> BuildTable(TokenizedData data, const ReadOptions& options, IngestReport report,
                                const Context& ctx);

// The reader's check of the schema's columns against the data's `names` (options.schema,
// required_columns, allow_missing_columns): a warning anomaly in `report` for each absent
// optional column; NotFound "<source>: schema column ... not in the data (columns found: ...)"
// when a required one is absent. OK without a schema.
Status CheckSchemaColumns(const std::vector<std::string>& names, const ReadOptions& options,
                          const std::string& source, IngestReport* report);

}  // namespace keel
