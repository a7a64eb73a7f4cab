// RawChunk: the tokenized, not yet typed, form of a run of records, shared by the CSV and
// JSON Lines readers. Cells are (offset, size) spans into text the chunk borrows (the mapped
// file) or owns (`arena`), so tokenizing allocates nothing per cell.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/memory_advice.h"

namespace keel {

// Span flags, stored in the top bits of CellSpan::size_flags.
inline constexpr uint32_t kCellEscaped = 1u << 31;  // quoted body holding doubled quotes ("")
inline constexpr uint32_t kCellQuoted = 1u << 30;   // the field was quoted in the source
inline constexpr uint32_t kCellNull = 1u << 29;     // definitely missing (JSON null / absent key)
inline constexpr uint32_t kCellSizeMask = (1u << 29) - 1;
// Largest cell the readers accept (512 MiB - 1): a record holding a larger one is rejected.
inline constexpr uint64_t kMaxCellBytes = kCellSizeMask;

struct CellSpan {
  uint32_t offset;      // from RawChunk::base
  uint32_t size_flags;  // size in the low 29 bits, kCell* flags above

  uint32_t size() const { return size_flags & kCellSizeMask; }
  bool escaped() const { return (size_flags & kCellEscaped) != 0; }
  bool quoted() const { return (size_flags & kCellQuoted) != 0; }
  bool null() const { return (size_flags & kCellNull) != 0; }
};

// Why a record could not be split into the expected cells.
enum class RecordStatus : uint8_t {
  kOk,
  kWrongFieldCount,    // aux = fields found
  kInvalidUtf8,        // aux = byte offset of the first invalid byte within the record
  kUnterminatedQuote,  // a quoted field runs to the end of the data (truncated file?)
  kTextAfterQuote,     // aux = field index: `"abc"def`
  kFieldTooLarge,      // aux = field index
  kInvalidJson,        // aux = index into RawChunk::notes of the parser's message
  kNotAnObject,        // a JSON Lines record that is not an object
};

struct RawRecord {
  uint64_t begin = 0;   // offset in the source data of the record's first byte
  uint32_t size = 0;    // bytes of the record, line terminator excluded (saturates at 4 GiB)
  uint32_t line = 0;    // line of the record's start, relative to the chunk's first line
  uint64_t hash = 0;    // hash of the record's bytes (duplicate detection)
  uint32_t row = 0;     // kOk records: index of the record's cells (row * columns)
  uint32_t aux = 0;     // detail for the status, see RecordStatus
  RecordStatus status = RecordStatus::kOk;
};

struct RawChunk {
  uint64_t begin = 0;              // source offset of the chunk's first byte
  uint64_t end = 0;                // source offset just after its last record's terminator
  const char* base = nullptr;      // cell text is base[offset, offset + size)
  std::string arena;               // text owned by the chunk (JSON Lines); base may point here
  // `columns` spans per kOk record, in record order (empty when a CSV chunk was tokenized
  // block by block: then the spans were passed on and not kept).
  BufferVector<CellSpan> cells;
  BufferVector<RawRecord> records;  // every record of the chunk, in order
  uint64_t rows = 0;               // kOk records
  uint64_t newlines = 0;           // line breaks inside the chunk (for line numbering)
  uint64_t blank_lines = 0;        // empty lines skipped (not records)
  uint64_t first_line = 0;         // absolute line of the chunk's first line; set by the reader
  std::vector<std::string> notes;  // parser messages for bad records (see RecordStatus)

  std::string_view text(const CellSpan& s) const { return {base + s.offset, s.size()}; }
};

}  // namespace keel
