// CSV dialect sniffing: encoding marks, delimiter, decimal mark and header row.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "data/missing_tokens.h"
#include "keel/status.h"

namespace keel {

// Where the decimal mark of a CSV read came from.
enum class DecimalSource : uint8_t {
  kOption,     // given by the caller (--decimal, keel.yaml data.decimal)
  kDelimiter,  // the delimiter is ',', so the mark is '.'
  kDetected,   // decided by the numbers in the sampled records
  kSchema,     // the sample could not decide: the schema's `decimal`
  kDefault,    // the sample could not decide and there was no fallback: '.'
};

// "option", "delimiter", "detected", "schema", "default".
std::string_view DecimalSourceName(DecimalSource source);

// Reads a decimal mark as a user spells it: "," or "comma" -> ','; "." or "dot" -> '.';
// "auto" -> 0 (sniff). False for anything else.
bool ParseDecimalMark(std::string_view text, char* mark);

// What the caller already knows; unset parts are sniffed.
struct CsvDialectOptions {
  char delimiter = 0;          // 0 = sniff among , TAB ; |
  std::optional<bool> header;  // unset = sniff
  char decimal = 0;            // '.' or ','; 0 = detect
  char schema_decimal = 0;     // a schema's '.' or ',', used when detection cannot decide
};

struct CsvDialect {
  char delimiter = ',';
  char quote = '"';
  char decimal = '.';  // the decimal mark of numbers: '.' or ','
  DecimalSource decimal_source = DecimalSource::kDefault;
  bool header = true;
  bool bom = false;          // a UTF-8 byte order mark was skipped
  bool crlf = false;         // the first record ends with CRLF
  uint64_t data_offset = 0;  // offset of the first record (the header, if any), after the BOM
};

// Decides the dialect of `data` from its first records (about 64 KiB, at most 100 records).
//   delimiter: options.delimiter when not 0; else the candidate among , TAB ; | whose field
//     count is the most consistent across the sampled records (at least 2 fields; ties go to
//     that order, except that a tie between ',' and a later candidate whose fields show
//     decimal commas goes to that candidate: "1,5;2,5" is two decimal-comma numbers). With
//     options.decimal == ',' the delimiter is never sniffed as ','. A file where no candidate
//     splits records is one column, delimiter ','.
//   decimal: options.decimal when set; '.' when the delimiter is ','; else the sampled fields
//     vote: a number written with one mark and not the other ("3,7", "-0,25", "1,5e3" for
//     ','; "3.7" for '.') is one vote, except the form of a thousands group ("1,234",
//     "12.345": one to three digits, not starting with 0, the mark, three digits), which
//     could be either and does not vote. The mark with more votes wins; no votes or a tie
//     give options.schema_decimal, else '.'.
//   header: options.header when set; else each column whose sampled values are all numbers
//     (read with the decimal mark) or all timestamps votes: a first-record field of the same
//     type says "no header", any other text says "header"; no votes or a tie mean a header.
// Errors: Unsupported for UTF-16/UTF-32 byte order marks; InvalidArgument for a delimiter
// that is the quote character or a line break, a decimal mark other than '.' and ',', and a
// decimal mark equal to the delimiter.
Result<CsvDialect> SniffCsvDialect(std::string_view data, const CsvDialectOptions& options,
                                   const MissingTokens& missing);

}  // namespace keel
