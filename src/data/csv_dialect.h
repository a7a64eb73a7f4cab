// CSV dialect sniffing: encoding marks, delimiter and header row.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "data/missing_tokens.h"
#include "keel/status.h"

namespace keel {

struct CsvDialect {
  char delimiter = ',';
  char quote = '"';
  bool header = true;
  bool bom = false;          // a UTF-8 byte order mark was skipped
  bool crlf = false;         // the first record ends with CRLF
  uint64_t data_offset = 0;  // offset of the first record (the header, if any), after the BOM
};

// Decides the dialect of `data` from its first records (about 64 KiB, at most 100 records).
//   delimiter: `delimiter` when not 0; else the candidate among , TAB ; | whose field count is
//     the most consistent across the sampled records (at least 2 fields; ties go to that
//     order); a file where no candidate splits records is one column, delimiter ','.
//   header: `header` when set; else each column whose sampled values are all numbers (or all
//     timestamps) votes: a first-record field of the same type says "no header", any other
//     text says "header"; no votes or a tie mean a header.
// Errors: Unsupported for UTF-16/UTF-32 byte order marks; InvalidArgument for a delimiter
// that is the quote character or a line break.
Result<CsvDialect> SniffCsvDialect(std::string_view data, char delimiter,
                                   std::optional<bool> header, const MissingTokens& missing);

}  // namespace keel
