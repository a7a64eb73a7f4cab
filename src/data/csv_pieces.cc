#include "data/csv_pieces.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "data/category_order.h"
#include "data/cell_text.h"

namespace keel {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

bool OnlyWhitespace(std::string_view s) {
  for (char c : s) {
    if (!IsCellSpace(c) && c != '\n' && c != '\r') return false;
  }
  return true;
}

uint64_t CountNewlines(std::string_view s) {
  uint64_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// Moves a later piece's lines from its buffer's numbering (header, then the piece) to the
// file's: `offset` is added to every line.
void ShiftLines(uint64_t offset, IngestResult* r) {
  for (RejectedRecord& rec : r->report.rejected) rec.line += offset;
  for (Anomaly& a : r->report.anomalies) {
    if (a.line != 0) a.line += offset;
  }
  for (DuplicateRecord& d : r->report.duplicate_records) {
    d.line += offset;
    d.first_line += offset;
  }
  std::vector<uint64_t> lines = r->table.source_lines();
  for (uint64_t& l : lines) l += offset;
  r->table.set_source_lines(std::move(lines));
}

// Adds a piece's counts and row-level lists to the file's report. Column-level anomalies
// (line 0: schema checks) are the first piece's alone; `first` says whether this is it.
void MergeCounts(const IngestReport& piece, bool first, IngestReport* file, size_t max_anomalies) {
  file->rows_read += piece.rows_read;
  file->rows_used += piece.rows_used;
  file->rows_rejected += piece.rows_rejected;
  file->duplicates += piece.duplicates;
  file->blank_lines += piece.blank_lines;
  file->errors += piece.errors;
  file->warnings += piece.warnings;
  file->anomalies_total += piece.anomalies_total;
  for (const Anomaly& a : piece.anomalies) {
    if (a.line == 0 && !first) {
      --(a.severity == Severity::kError ? file->errors : file->warnings);
      --file->anomalies_total;
    } else if (a.line == 0 || file->anomalies.size() < max_anomalies) {
      file->anomalies.push_back(a);
    }
  }
  file->rejected.insert(file->rejected.end(), piece.rejected.begin(), piece.rejected.end());
  file->duplicate_records.insert(file->duplicate_records.end(), piece.duplicate_records.begin(),
                                 piece.duplicate_records.end());
}

}  // namespace

namespace {

// The end of the first record (or, when `last`, of the last whole record) of `data`.
size_t RecordsEnd(std::string_view data, char quote, bool last) {
  bool quoted = false;
  size_t end = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    if (c == quote) {
      quoted = !quoted;  // "" inside a quoted field toggles twice
    } else if (c == '\n' && !quoted) {
      end = i + 1;
      if (!last) break;
    }
  }
  return end;
}

// Widens the file's schema by a piece's: numeric ranges, the categories (kept in the order
// one read gives them, pandas' sorted order, when the piece adds any) and whether pandas would
// order them so.
void MergeSchema(const Schema& piece, Schema* file) {
  for (ColumnSchema& c : file->columns) {
    const ColumnSchema* p = piece.Find(c.name);
    if (p == nullptr) continue;
    if (p->min && (!c.min || *p->min < *c.min)) c.min = p->min;
    if (p->max && (!c.max || *p->max > *c.max)) c.max = p->max;
    bool added = false;
    for (const std::string& cat : p->categories) {
      if (std::find(c.categories.begin(), c.categories.end(), cat) == c.categories.end()) {
        c.categories.push_back(cat);
        added = true;
      }
    }
    if (added) SortPandasDefault(&c.categories);
    // A spelling or missing token pandas would read differently anywhere makes the order
    // unknown (the note says why, from the first piece that found it).
    if (p->category_order == CategoryOrder::kUnknown &&
        c.category_order != CategoryOrder::kUnknown) {
      c.category_order = CategoryOrder::kUnknown;
      c.category_order_note = p->category_order_note;
    }
  }
}

}  // namespace

size_t WholeRecordsPrefix(std::string_view data, char quote) {
  return RecordsEnd(data, quote, /*last=*/true);
}

Result<CsvPiecesResult> ReadCsvPieces(const std::string& path, const ReadOptions& options,
                                      size_t piece_bytes, const Context& ctx,
                                      const std::function<Status(CsvPiece&)>& fn) {
  if (options.drop_duplicates) {
    return Status::InvalidArgument("{}: reading in pieces cannot drop duplicates", path);
  }
  if (options.format == "jsonl" || options.format == "ndjson" || options.format == "json") {
    return Status::InvalidArgument("{}: reading in pieces supports CSV only", path);
  }
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return Status::NotFound("cannot open {}", path);
  piece_bytes = std::max<size_t>(piece_bytes, 1);

  IngestReport total;
  Schema schema;
  ReadOptions later = options;  // the options of pieces after the first, fixed by the first
  std::string header;           // the header record of the file, with its line break
  uint64_t lines_before = 0;    // physical lines of the file before the current piece
  uint64_t rows_before = 0;
  std::string buf;
  bool eof = false;
  for (size_t index = 0; !eof || !buf.empty(); ++index) {
    KEEL_RETURN_IF_ERROR(ctx.CheckCancelled("reading the data"));
    // Fill the buffer to a piece (or to the end of the file), then cut at a record boundary.
    size_t cut = 0;
    while (true) {
      if (!eof) {
        const size_t have = buf.size();
        buf.resize(have + piece_bytes);
        const size_t got = std::fread(buf.data() + have, 1, piece_bytes, file.get());
        buf.resize(have + got);
        if (got < piece_bytes) {
          if (std::ferror(file.get())) return Status::IoError("error reading {}", path);
          eof = true;
        }
      }
      cut = eof ? buf.size() : WholeRecordsPrefix(buf);
      if (cut > 0 || eof) break;  // a record longer than a piece: read on
    }
    std::string_view bytes(buf.data(), cut);
    if (index != 0 && OnlyWhitespace(bytes)) {
      total.blank_lines += CountNewlines(bytes);
      lines_before += CountNewlines(bytes);
      buf.erase(0, cut);
      continue;
    }
    // Later pieces are read under the first piece's header, dialect and kinds.
    std::string text;
    if (index != 0) text = header + std::string(bytes);
    Result<IngestResult> read = index == 0 ? ReadTableFromBuffer(bytes, path, options, ctx)
                                           : ReadTableFromBuffer(text, path, later, ctx);
    if (!read.ok()) return read.status();
    IngestResult& r = *read;
    if (index == 0) {
      // Fix the dialect, the kinds and the personal-data columns for the later pieces.
      later.delimiter = r.report.delimiter;
      later.decimal = r.report.decimal;
      later.header = r.report.header;
      std::vector<std::string> pii;
      for (const PiiColumnReport& p : r.report.pii_columns) pii.push_back(p.column);
      for (const Column& c : r.table.columns()) {
        later.kind_overrides.try_emplace(c.name(), c.kind());
        if (std::find(pii.begin(), pii.end(), c.name()) == pii.end()) {
          later.not_pii.push_back(c.name());
        }
      }
      if (r.report.header) {
        // The header record: after a BOM and blank lines, up to its line break.
        const size_t bom = bytes.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
        size_t at = bom;
        while (true) {
          const size_t nl = bytes.find('\n', at);
          if (nl == std::string_view::npos || !OnlyWhitespace(bytes.substr(at, nl - at))) break;
          at = nl + 1;
        }
        const size_t end = RecordsEnd(bytes.substr(at), '"', /*last=*/false);
        header = std::string(bytes.substr(at, end));
      }
      total = r.report;
      schema = r.schema;
      total.bytes = 0;
      total.rows_read = total.rows_used = total.rows_rejected = total.duplicates = 0;
      total.blank_lines = total.errors = total.warnings = 0;
      total.anomalies.clear();
      total.anomalies_total = 0;
      total.rejected.clear();
      total.duplicate_records.clear();
    } else {
      // The header is line 1 of the buffer; its records start right after it.
      ShiftLines(lines_before - CountNewlines(header), &r);
      MergeSchema(r.schema, &schema);
    }
    MergeCounts(r.report, index == 0, &total, options.max_anomalies);
    lines_before += CountNewlines(bytes);
    total.bytes += cut;
    CsvPiece piece;
    piece.index = index;
    piece.first_row = rows_before;
    rows_before += r.table.num_rows();
    piece.data = std::move(r);
    KEEL_RETURN_IF_ERROR(fn(piece));
    buf.erase(0, cut);
  }
  total.lines = lines_before;
  return CsvPiecesResult{std::move(schema), std::move(total)};
}

}  // namespace keel
