#include "data/csv_tokenizer.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "core/hash.h"
#include "core/parallel.h"
#include "data/cell_text.h"
#include "data/csv_scan.h"
#include "data/memory_advice.h"
#include "data/utf8.h"

namespace keel {
namespace {

enum class FieldEnd : uint8_t { kDelimiter, kNewline, kEof };

struct Field {
  uint64_t begin = 0;  // body: between the quotes, or the raw unquoted text (CR of CRLF cut)
  uint64_t end = 0;
  uint64_t next = 0;  // just after the delimiter or line break that ended the field
  uint32_t newlines = 0;
  bool quoted = false;
  bool escaped = false;
  bool text_after_quote = false;
  bool unterminated = false;
  FieldEnd how = FieldEnd::kEof;
};

// Bytes that end an unquoted field: the delimiter and LF.
using StopTable = std::array<uint8_t, 256>;

StopTable MakeStopTable(char delimiter) {
  StopTable t{};
  t[static_cast<unsigned char>(delimiter)] = 1;
  t[static_cast<unsigned char>('\n')] = 1;
  return t;
}

inline bool IsBlank(char c, char delimiter) {
  return (c == ' ' || c == '\t') && c != delimiter;
}

inline uint32_t CountNewlines(const char* b, const char* e) {
  return static_cast<uint32_t>(std::count(b, e, '\n'));
}

// Finds the end of an unquoted run byte by byte (headers, sniffing, re-splitting one record).
struct TableStops {
  const StopTable& stop;
  uint64_t Next(const char* d, uint64_t p, uint64_t end) const {
    while (p < end && !stop[static_cast<unsigned char>(d[p])]) ++p;
    return p;
  }
};

// Finds it from SIMD stop masks (csv_scan.h): the tokenizer's hot loop, which costs a few
// instructions per field instead of a table lookup per byte.
struct MaskStops {
  StopScanner* scanner;
  uint64_t Next(const char*, uint64_t p, uint64_t) const { return scanner->Next(p); }
};

// Parses the field starting at p: the one field grammar used for tokenizing, the header and
// sniffing. `stops.Next(d, p, end)` is the first delimiter or LF at or after p, or end.
template <typename Stops>
inline void ParseField(const char* d, uint64_t p, uint64_t end, const CsvFormat& format,
                       const Stops& stops, Field* f) {
  f->quoted = f->escaped = f->text_after_quote = f->unterminated = false;
  f->newlines = 0;
  uint64_t q = p;
  while (q < end && IsBlank(d[q], format.delimiter)) ++q;
  if (q < end && d[q] == format.quote) {
    f->quoted = true;
    uint64_t s = q + 1;
    f->begin = s;
    for (;;) {
      const void* hit = std::memchr(d + s, format.quote, end - s);
      if (hit == nullptr) {
        f->newlines += CountNewlines(d + s, d + end);
        f->end = end;
        f->next = end;
        f->unterminated = true;
        f->how = FieldEnd::kEof;
        return;
      }
      const uint64_t qp = static_cast<uint64_t>(static_cast<const char*>(hit) - d);
      f->newlines += CountNewlines(d + s, d + qp);
      if (qp + 1 < end && d[qp + 1] == format.quote) {
        f->escaped = true;
        s = qp + 2;
        continue;
      }
      f->end = qp;
      p = qp + 1;
      break;
    }
    for (; p < end; ++p) {
      const char c = d[p];
      if (c == format.delimiter) {
        f->next = p + 1;
        f->how = FieldEnd::kDelimiter;
        return;
      }
      if (c == '\n') {
        ++f->newlines;
        f->next = p + 1;
        f->how = FieldEnd::kNewline;
        return;
      }
      if (!IsCellSpace(c)) f->text_after_quote = true;
    }
    f->next = end;
    f->how = FieldEnd::kEof;
    return;
  }
  f->begin = p;
  p = stops.Next(d, p, end);
  if (p < end && d[p] == format.delimiter) {
    f->end = p;
    f->next = p + 1;
    f->how = FieldEnd::kDelimiter;
    return;
  }
  f->end = (p > f->begin && d[p - 1] == '\r') ? p - 1 : p;
  if (p < end) {
    ++f->newlines;
    f->next = p + 1;
    f->how = FieldEnd::kNewline;
  } else {
    f->next = end;
    f->how = FieldEnd::kEof;
  }
}

}  // namespace

Status TokenizeCsvChunk(std::string_view data, uint64_t begin, uint64_t end,
                        const CsvFormat& format, size_t columns, RawChunk* out,
                        const CellBlockFn* on_block) {
  const char* d = data.data();
  const uint64_t limit = data.size();  // fields may run past `end`, never past the data
  const SimdLevel simd = BestSimdLevel();
  StopScanner scanner(d, limit, format.delimiter, GetStopMaskFn(simd));
  const MaskStops stops{&scanner};
  // UTF-8 validation looks only at records holding a non-ASCII byte: data[ascii_from,
  // ascii_to) is known to be ASCII (a SIMD scan that stops at the first non-ASCII byte or the
  // chunk's end), and is scanned again only for a record not inside it.
  const FindNonAsciiFn find_high = GetFindNonAsciiFn(simd);
  uint64_t ascii_from = 0, ascii_to = 0;
  out->begin = begin;
  out->base = d + begin;
  auto& cells = out->cells;
  auto& records = out->records;
  // Blocks of at most kCellBlockRows rows and about 2 MiB of spans (very wide files).
  const size_t block_rows =
      std::clamp<size_t>((size_t{1} << 18) / std::max<size_t>(columns, 1), 1, kCellBlockRows);
  // The vectors are sized once the first records tell the bytes per record (regrowing would
  // copy them; counting the line breaks first would read the chunk twice).
  constexpr size_t kSampleRecords = 256;
  records.reserve(kSampleRecords);
  cells.reserve((on_block != nullptr ? block_rows : kSampleRecords) * columns);
  auto size_vectors = [&](uint64_t p) {
    const double per_record = static_cast<double>(p - begin) / static_cast<double>(records.size());
    const auto expect =
        static_cast<size_t>(static_cast<double>(end - begin) / per_record * 1.1) + kSampleRecords;
    records.reserve(expect);
    if (on_block == nullptr) cells.reserve(expect * columns);
  };
  uint64_t block_first_row = 0;
  uint64_t line = 0;
  uint64_t rows = 0;
  uint64_t p = begin;
  Field f;
  while (p < end) {
    if (d[p] == '\n' || (d[p] == '\r' && p + 1 < limit && d[p + 1] == '\n')) {
      p += d[p] == '\n' ? 1 : 2;
      ++line;
      ++out->blank_lines;
      continue;
    }
    RawRecord rec;
    rec.begin = p;
    rec.line = static_cast<uint32_t>(line);
    const size_t mark = cells.size();
    uint32_t fields = 0;
    uint64_t rec_end = limit;
    // Fast path: `columns` plain unquoted fields ending at a line break, the common record.
    // Fields are cut at the SIMD stop positions with no per-field state; anything else (a
    // quote or blank at a field start, another field count, the end of the data, a huge
    // field) is undone and left to the general loop below.
    bool fast = true;
    {
      uint64_t q = p;
      uint64_t s = p;
      for (;;) {
        const char c = d[q];
        if (c == format.quote || IsBlank(c, format.delimiter)) {
          fast = false;
          break;
        }
        s = scanner.Next(q);
        if (s >= limit || s - q > kMaxCellBytes || fields == columns) {
          fast = false;
          break;
        }
        cells.push_back({static_cast<uint32_t>(q - begin), static_cast<uint32_t>(s - q)});
        ++fields;
        if (d[s] != format.delimiter) break;  // the line break
        q = s + 1;
        if (q >= limit) {
          fast = false;
          break;
        }
      }
      if (fast && fields == columns) {
        rec_end = s;
        if (s > q && d[s - 1] == '\r') {
          --rec_end;
          --cells.back().size_flags;  // the CR of CRLF is not part of the last value
        }
        ++line;
        p = s + 1;
      } else {
        fast = false;
        cells.resize(mark);
        fields = 0;
      }
    }
    for (; !fast;) {
      ParseField(d, p, limit, format, stops, &f);
      line += f.newlines;
      const uint64_t size = f.end - f.begin;
      if (rec.status == RecordStatus::kOk) {
        if (f.unterminated) {
          rec.status = RecordStatus::kUnterminatedQuote;
        } else if (f.text_after_quote) {
          rec.status = RecordStatus::kTextAfterQuote;
          rec.aux = fields;
        } else if (size > kMaxCellBytes) {
          rec.status = RecordStatus::kFieldTooLarge;
          rec.aux = fields;
        } else if (fields < columns) {
          uint32_t flags = static_cast<uint32_t>(size);
          if (f.quoted) flags |= kCellQuoted;
          if (f.escaped) flags |= kCellEscaped;
          cells.push_back({static_cast<uint32_t>(f.begin - begin), flags});
        }
      }
      ++fields;
      p = f.next;
      if (f.how == FieldEnd::kDelimiter) {
        if (p < limit) continue;
        // A delimiter as the very last byte of the data: one more (empty) field.
        if (rec.status == RecordStatus::kOk && fields < columns) {
          cells.push_back({static_cast<uint32_t>(p - begin), 0});
        }
        ++fields;
        rec_end = p;
        break;
      }
      if (f.how == FieldEnd::kNewline) {
        rec_end = p - 1;
        if (rec_end > rec.begin && d[rec_end - 1] == '\r') --rec_end;
      } else {
        rec_end = limit;
        if (rec_end > rec.begin && d[rec_end - 1] == '\r') --rec_end;
      }
      break;
    }
    const uint64_t rec_size = rec_end - rec.begin;
    rec.size = static_cast<uint32_t>(std::min<uint64_t>(rec_size, 0xFFFFFFFFu));
    const std::string_view raw(d + rec.begin, rec_size);
    if (rec.status == RecordStatus::kOk && fields != columns) {
      rec.status = RecordStatus::kWrongFieldCount;
      rec.aux = fields;
    }
    if (rec.status == RecordStatus::kOk && (rec.begin < ascii_from || rec_end > ascii_to)) {
      const uint64_t scan_end = std::max(rec_end, std::min(end, limit));
      ascii_from = rec.begin;
      ascii_to = rec.begin + find_high(d + rec.begin, scan_end - rec.begin);
    }
    if (rec.status == RecordStatus::kOk && rec_end > ascii_to) {
      const size_t bad = FindInvalidUtf8(raw);
      if (bad != std::string_view::npos) {
        rec.status = RecordStatus::kInvalidUtf8;
        rec.aux = static_cast<uint32_t>(std::min<size_t>(bad, 0xFFFFFFFFu));
      }
    }
    if (rec.status == RecordStatus::kOk) {
      rec.row = static_cast<uint32_t>(rows++);
      rec.hash = FastHash(raw);
    } else {
      cells.resize(mark);
    }
    records.push_back(rec);
    if (records.size() == kSampleRecords) size_vectors(p);
    if (on_block != nullptr && rows - block_first_row == block_rows) {
      (*on_block)(cells.data(), block_first_row, block_rows);
      cells.clear();
      block_first_row = rows;
    }
  }
  if (on_block != nullptr && rows > block_first_row) {
    (*on_block)(cells.data(), block_first_row, rows - block_first_row);
    cells.clear();
  }
  out->rows = rows;
  out->newlines = line;
  out->end = p;
  if (p - begin > std::numeric_limits<uint32_t>::max()) {
    return Status::ResourceExhausted(
        "a run of {} bytes without a record boundary (a quoted field that never closes?); "
        "the reader handles at most 4 GiB per chunk",
        p - begin);
  }
  return Status::OK();
}

size_t SplitCsvRecord(std::string_view data, uint64_t pos, uint64_t base, const CsvFormat& format,
                      size_t columns, CellSpan* out) {
  const char* d = data.data();
  const uint64_t limit = data.size();
  const StopTable table = MakeStopTable(format.delimiter);
  const TableStops stop{table};
  Field f;
  size_t fields = 0;
  uint64_t p = pos;
  for (;;) {
    ParseField(d, p, limit, format, stop, &f);
    if (fields < columns) {
      uint32_t flags = static_cast<uint32_t>(std::min<uint64_t>(f.end - f.begin, kMaxCellBytes));
      if (f.quoted) flags |= kCellQuoted;
      if (f.escaped) flags |= kCellEscaped;
      out[fields] = {static_cast<uint32_t>(f.begin - base), flags};
    }
    ++fields;
    p = f.next;
    if (f.how != FieldEnd::kDelimiter) break;
    if (p >= limit) {
      if (fields < columns) out[fields] = {static_cast<uint32_t>(p - base), 0};
      ++fields;
      break;
    }
  }
  return fields;
}

std::vector<uint64_t> GuessChunkStarts(std::string_view data, uint64_t begin,
                                       size_t target_chunks) {
  const uint64_t n = data.size();
  std::vector<uint64_t> starts;
  if (begin >= n) return starts;
  starts.push_back(begin);
  const uint64_t span = n - begin;
  for (size_t k = 1; k < target_chunks; ++k) {
    const uint64_t nominal = begin + span * k / target_chunks;
    if (nominal <= starts.back()) continue;
    const void* nl = std::memchr(data.data() + nominal, '\n', n - nominal);
    if (nl == nullptr) break;
    const uint64_t s = static_cast<uint64_t>(static_cast<const char*>(nl) - data.data()) + 1;
    if (s > starts.back() && s < n) starts.push_back(s);
  }
  return starts;
}

Result<std::vector<RawChunk>> TokenizeCsv(std::string_view data, uint64_t begin,
                                          const CsvFormat& format, size_t columns,
                                          size_t target_chunks, int threads) {
  const uint64_t n = data.size();
  const std::vector<uint64_t> starts = GuessChunkStarts(data, begin, target_chunks);
  std::vector<RawChunk> chunks(starts.size());
  auto chunk_end = [&](size_t k) { return k + 1 < starts.size() ? starts[k + 1] : n; };
  KEEL_RETURN_IF_ERROR(ParallelFor(threads, chunks.size(), [&](size_t k) {
    return TokenizeCsvChunk(data, starts[k], chunk_end(k), format, columns, &chunks[k]);
  }));
  // Check each guess in order; redo a chunk that began inside its predecessor's last record.
  for (size_t k = 1; k < chunks.size(); ++k) {
    const uint64_t truth = chunks[k - 1].end;
    if (truth == chunks[k].begin) continue;
    chunks[k] = RawChunk();
    if (truth >= chunk_end(k)) {
      chunks[k].begin = chunks[k].end = truth;  // swallowed whole by the previous record
      chunks[k].base = data.data() + truth;
      continue;
    }
    KEEL_RETURN_IF_ERROR(TokenizeCsvChunk(data, truth, chunk_end(k), format, columns, &chunks[k]));
  }
  return chunks;
}

CsvRecord ReadCsvRecord(std::string_view data, uint64_t pos, const CsvFormat& format) {
  CsvRecord r;
  const char* d = data.data();
  const uint64_t end = data.size();
  const StopTable table = MakeStopTable(format.delimiter);
  const TableStops stop{table};
  if (d[pos] == '\n' || (d[pos] == '\r' && pos + 1 < end && d[pos + 1] == '\n')) {
    r.blank = true;
    r.next = pos + (d[pos] == '\n' ? 1 : 2);
    r.newlines = 1;
    return r;
  }
  Field f;
  uint64_t p = pos;
  for (;;) {
    ParseField(d, p, end, format, stop, &f);
    r.newlines += f.newlines;
    if (r.status == RecordStatus::kOk) {
      if (f.unterminated) r.status = RecordStatus::kUnterminatedQuote;
      if (f.text_after_quote) r.status = RecordStatus::kTextAfterQuote;
    }
    std::string value;
    const std::string_view body(d + f.begin, f.end - f.begin);
    if (f.escaped) {
      AppendUnescaped(&value, body, format.quote);
    } else {
      value.assign(body);
    }
    r.fields.push_back(std::move(value));
    r.quoted.push_back(f.quoted);
    p = f.next;
    if (f.how == FieldEnd::kDelimiter) {
      if (p < end) continue;
      r.fields.emplace_back();
      r.quoted.push_back(false);
    }
    break;
  }
  r.next = p;
  return r;
}

}  // namespace keel
