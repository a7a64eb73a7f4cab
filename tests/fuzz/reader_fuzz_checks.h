// Checks shared by the CSV and JSON Lines reader fuzz targets: a read that succeeds must
// account for every record, and must not depend on how the input was cut into chunks.
// A failed check aborts (a finding), like a crash or a sanitizer report.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "data/ingest.h"
#include "data/ingest_report.h"

namespace keel::fuzz {

inline void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz check failed: %s\n", what);
    std::abort();
  }
}

// The report's counts add up and agree with the table; the output writers accept the report.
inline void CheckAccounting(const IngestResult& r) {
  const IngestReport& rep = r.report;
  const uint64_t dropped = rep.duplicates_dropped ? rep.duplicates : 0;
  Check(rep.rows_read == rep.rows_used + rep.rows_rejected + dropped,
        "rows_read = rows_used + rows_rejected + dropped duplicates");
  Check(rep.rows_rejected == rep.rejected.size(), "rows_rejected counts the rejected records");
  Check(rep.duplicates == rep.duplicate_records.size(), "duplicates counts the duplicate list");
  Check(r.table.num_rows() == rep.rows_used, "the table holds the used rows");
  Check(r.table.source_lines().size() == rep.rows_used, "every row has its source line");
  uint64_t last = 0;
  for (uint64_t line : r.table.source_lines()) {
    Check(line > last && line <= rep.lines, "source lines increase and lie in the input");
    last = line;
  }
  last = 0;
  for (const auto& rej : rep.rejected) {
    Check(rej.line > last && rej.line <= rep.lines, "rejected lines increase, within the input");
    Check(!rej.reason.empty(), "a rejected record has a reason");
    last = rej.line;
  }
  for (const auto& d : rep.duplicate_records) {
    Check(d.first_line < d.line, "a duplicate repeats an earlier record");
  }
  Check(rep.columns.size() == r.table.num_columns(), "statistics for every column");
  for (const auto& c : rep.columns) {
    Check(c.count + c.missing == rep.rows_used, "count + missing = rows used");
  }
  (void)IngestReportToJson(rep).dump();
  (void)RejectsToCsv(rep);
}

// `a` and `b` read the same data with different chunking: same counts, lines and cells.
inline void CheckSameResult(const IngestResult& a, const IngestResult& b) {
  Check(a.report.rows_read == b.report.rows_read, "chunking: rows_read");
  Check(a.report.rows_used == b.report.rows_used, "chunking: rows_used");
  Check(a.report.rows_rejected == b.report.rows_rejected, "chunking: rows_rejected");
  Check(a.report.duplicates == b.report.duplicates, "chunking: duplicates");
  Check(a.report.lines == b.report.lines, "chunking: lines");
  Check(a.report.blank_lines == b.report.blank_lines, "chunking: blank lines");
  for (size_t i = 0; i < a.report.rejected.size(); ++i) {
    Check(a.report.rejected[i].line == b.report.rejected[i].line, "chunking: rejected lines");
    Check(a.report.rejected[i].raw == b.report.rejected[i].raw, "chunking: rejected text");
  }
  Check(a.table.source_lines() == b.table.source_lines(), "chunking: source lines");
  Check(a.table.num_columns() == b.table.num_columns(), "chunking: columns");
  for (size_t j = 0; j < a.table.num_columns(); ++j) {
    const Column& x = a.table.column(j);
    const Column& y = b.table.column(j);
    Check(x.name() == y.name() && x.kind() == y.kind(), "chunking: column names and kinds");
    for (size_t i = 0; i < x.size(); ++i) {
      Check(x.IsMissing(i) == y.IsMissing(i), "chunking: missing cells");
      Check(x.CellText(i) == y.CellText(i), "chunking: cell values");
    }
  }
}

// The whole check of one input: read `text` with `o`, again cut into small chunks (same
// outcome, same result), and again validated against the schema the first read inferred.
inline void CheckRead(std::string_view text, std::string_view source, const ReadOptions& o,
                      size_t size) {
  Context ctx;
  ctx.num_threads = 1;
  ctx.progress = false;
  auto whole = ReadTableFromBuffer(text, source, o, ctx);
  ReadOptions chunked = o;
  chunked.chunk_bytes = 1 + size % 64;
  auto pieces = ReadTableFromBuffer(text, source, chunked, ctx);
  Check(whole.ok() == pieces.ok(), "chunking: the same inputs fail");
  if (!whole.ok()) return;
  CheckAccounting(*whole);
  CheckAccounting(*pieces);
  CheckSameResult(*whole, *pieces);

  const Schema schema = whole->schema;
  ReadOptions validated = o;
  validated.schema = &schema;
  validated.allow_missing_columns = true;  // PII columns may have been dropped
  auto again = ReadTableFromBuffer(text, source, validated, ctx);
  if (again.ok()) CheckAccounting(*again);
}

}  // namespace keel::fuzz
