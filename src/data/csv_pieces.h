// Reading a CSV file piece by piece: the bounded-memory front of training straight from a file
// (train/stream_bins.h). Each piece is a run of whole records (about `piece_bytes` of them)
// read by ReadTableFromBuffer with the file's header, so every validation and quarantine rule
// of ingest.h applies to it unchanged; only one piece's table is in memory at a time, and the
// file is read with ordinary reads (never mapped whole).
//
// What is decided once, on the first piece, and then fixed for the others: the dialect
// (delimiter, decimal mark, header) and each column's kind (given by the schema or
// overrides, else inferred from the first piece's values), and which columns are personal
// data. A file whose first piece holds all its records reads exactly as ReadTable reads it;
// for a longer file the counts, rejects and anomalies are the same as ReadTable's whenever
// the first piece's values give each column the kind the whole file gives it.
// Not supported (InvalidArgument): drop_duplicates (duplicates across pieces), JSON Lines.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/context.h"
#include "data/ingest.h"

namespace keel {

struct CsvPiece {
  size_t index = 0;        // 0, 1, ... in file order
  uint64_t first_row = 0;  // rows used by the earlier pieces: this piece's rows follow them
  // The piece's rows, schema and report; lines (rejects, anomalies, table.source_lines()) are
  // the file's physical lines.
  IngestResult data;
};

// What ReadCsvPieces returns for the whole file: no table; the schema with every piece's
// ranges and categories merged (as one read infers them); the report with the counts, rejected
// records and anomalies of every piece (column statistics are the first piece's).
struct CsvPiecesResult {
  Schema schema;
  IngestReport report;
};

// Reads `path` in pieces, calling `fn` on each in file order (stopping at its first error).
// Errors: those of ReadTable; InvalidArgument for JSON Lines
// or drop_duplicates; Cancelled between pieces when ctx is cancelled.
Result<CsvPiecesResult> ReadCsvPieces(const std::string& path, const ReadOptions& options,
                                      size_t piece_bytes, const Context& ctx,
                                      const std::function<Status(CsvPiece&)>& fn);

// The number of bytes of `data` (which starts at a record boundary) that hold whole CSV records:
// up to and including the last line break outside a quoted field; 0 when there is none.
size_t WholeRecordsPrefix(std::string_view data, char quote = '"');

}  // namespace keel
