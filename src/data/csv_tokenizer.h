// CSV tokenizing: RFC 4180 records split into cell spans, in parallel chunks.
//
// Grammar (RFC 4180 plus the leniencies production exports need):
//   - records end at LF or CRLF; line breaks inside quoted fields belong to the field;
//   - a field is quoted when its first non-blank byte is the quote; inside, a doubled quote is
//     one quote; blanks around a quoted field are ignored; text after the closing quote other
//     than blanks makes the record bad (RecordStatus::kTextAfterQuote);
//   - a quote inside an unquoted field is an ordinary character;
//   - an empty line is not a record (counted in RawChunk::blank_lines);
//   - a quoted field still open at the end of the data makes that last record bad
//     (kUnterminatedQuote): the typical truncated file.
//
// Parallelism (TokenizeCsv): the data is cut into chunks just after line breaks, and every
// chunk is tokenized in parallel on the guess that it starts a record. A chunk knows where its
// own last record really ends (it may run past the cut when a quoted field holds line
// breaks), so the guess is checked in order: when chunk k-1 ends past the start of chunk k,
// chunk k is tokenized again from that point. The result is exactly the records of one
// sequential pass; a wrong guess costs one extra pass over one chunk.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "data/raw_chunk.h"
#include "keel/status.h"

namespace keel {

struct CsvFormat {
  char delimiter = ',';
  char quote = '"';
  // The decimal mark of numbers in cells ('.' or ','): the tokenizer ignores it; the table
  // builder reads numbers with it.
  char decimal = '.';
};

// Receives the cells of consecutive kOk rows [first_row, first_row + rows) of a chunk,
// `columns` spans per row; the spans are valid only during the call.
using CellBlockFn = std::function<void(const CellSpan* cells, size_t first_row, size_t rows)>;

// Most rows handed to a CellBlockFn at a time (fewer for very wide files, and the last block).
inline constexpr size_t kCellBlockRows = 1024;

// Tokenizes the records that start in data[begin, end); `begin` must be a record start. The
// last record may run past `end` (a quoted field holding the line break at `end`); out->end
// tells where it really ends. Records with exactly `columns` fields are kOk; others are kept
// in out->records with their status. Cell offsets are relative to data.data() + begin.
// Without `on_block` the spans of every kOk row are kept in out->cells; with it they are
// passed on block by block and out->cells ends empty (the whole file's spans never exist at
// once). Errors: ResourceExhausted when the chunk exceeds 4 GiB.
Status TokenizeCsvChunk(std::string_view data, uint64_t begin, uint64_t end,
                        const CsvFormat& format, size_t columns, RawChunk* out,
                        const CellBlockFn* on_block = nullptr);

// Splits the record starting at data[pos] into at most `columns` spans relative to
// data.data() + base; returns the number of fields. For a record TokenizeCsvChunk accepted
// (kOk) the spans are the ones it produced.
size_t SplitCsvRecord(std::string_view data, uint64_t pos, uint64_t base, const CsvFormat& format,
                      size_t columns, CellSpan* out);

// The nominal chunk starts TokenizeCsv guesses: `begin`, then points just after a line break
// near every 1/target_chunks of the data.
std::vector<uint64_t> GuessChunkStarts(std::string_view data, uint64_t begin,
                                       size_t target_chunks);

// Tokenizes data[begin, data.size()) in about `target_chunks` chunks on up to `threads`
// threads; the chunks, in order, hold exactly the records of one sequential pass.
Result<std::vector<RawChunk>> TokenizeCsv(std::string_view data, uint64_t begin,
                                          const CsvFormat& format, size_t columns,
                                          size_t target_chunks, int threads);

// One record read on its own (header, dialect sniffing).
struct CsvRecord {
  std::vector<std::string> fields;  // unescaped, untrimmed
  std::vector<bool> quoted;
  uint64_t next = 0;      // offset just after the record's line terminator (or data.size())
  uint32_t newlines = 0;  // line breaks consumed, terminator included
  bool blank = false;     // an empty line (no fields)
  RecordStatus status = RecordStatus::kOk;
};

// Reads the record starting at `pos` (< data.size()).
CsvRecord ReadCsvRecord(std::string_view data, uint64_t pos, const CsvFormat& format);

}  // namespace keel
