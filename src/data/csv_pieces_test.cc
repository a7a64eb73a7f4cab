// Reading in pieces gives what one read gives: the same counts, the same rejected records (line,
// column, kind, reason, raw text) and the same rows, on the messy exports of tests/data/messy
// and on records with quoted line breaks across piece boundaries.
#include "data/csv_pieces.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "data/schema_yaml.h"

namespace keel {
namespace {

struct Pieces {
  IngestReport report;
  Schema schema;
  std::vector<uint64_t> lines;                 // source line of every used row
  std::vector<std::vector<std::string>> text;  // CellText of every used row, column by column
  size_t count = 0;
};

Pieces ReadInPieces(const std::string& path, size_t piece_bytes) {
  Pieces out;
  auto rep = ReadCsvPieces(path, ReadOptions{}, piece_bytes, Context{}, [&](CsvPiece& p) {
    EXPECT_EQ(p.first_row, out.lines.size());
    const Table& t = p.data.table;
    out.text.resize(t.num_columns());
    for (size_t r = 0; r < t.num_rows(); ++r) {
      out.lines.push_back(t.SourceLine(r));
      for (size_t c = 0; c < t.num_columns(); ++c) out.text[c].push_back(t.column(c).CellText(r));
    }
    ++out.count;
    return Status::OK();
  });
  EXPECT_TRUE(rep.ok()) << rep.status().ToString();
  if (rep.ok()) {
    out.report = rep->report;
    out.schema = rep->schema;
  }
  return out;
}

void ExpectSameAsOneRead(const std::string& path, size_t piece_bytes, size_t min_pieces) {
  auto whole = ReadTable(path, ReadOptions{}, Context{});
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  const IngestReport& w = whole->report;
  const Pieces p = ReadInPieces(path, piece_bytes);
  EXPECT_GE(p.count, min_pieces);
  EXPECT_EQ(p.report.rows_read, w.rows_read);
  EXPECT_EQ(p.report.rows_used, w.rows_used);
  EXPECT_EQ(p.report.rows_rejected, w.rows_rejected);
  EXPECT_EQ(p.report.duplicates, w.duplicates);
  EXPECT_EQ(p.report.errors, w.errors);
  EXPECT_EQ(RejectsToCsv(p.report), RejectsToCsv(w));
  // Numeric ranges and categories are merged over the pieces (kinds are the first piece's:
  // train/stream_bins.h settles text kinds over the whole file).
  for (const ColumnSchema& c : whole->schema.columns) {
    const ColumnSchema* pc = p.schema.Find(c.name);
    ASSERT_NE(pc, nullptr) << c.name;
    if (pc->kind != c.kind) continue;
    EXPECT_EQ(pc->min, c.min) << c.name;
    EXPECT_EQ(pc->max, c.max) << c.name;
    if (c.category_order == CategoryOrder::kSorted)
      EXPECT_EQ(pc->categories, c.categories) << c.name;
  }
  const Table& t = whole->table;
  ASSERT_EQ(p.lines.size(), t.num_rows());
  EXPECT_EQ(p.lines, t.source_lines());
  ASSERT_EQ(p.text.size(), t.num_columns());
  for (size_t c = 0; c < t.num_columns(); ++c) {
    for (size_t r = 0; r < t.num_rows(); ++r) {
      ASSERT_EQ(p.text[c][r], t.column(c).CellText(r))
          << t.column(c).name() << " on line " << t.SourceLine(r);
    }
  }
}

TEST(CsvPieces, MessyFilesReadAsOneRead) {
  const std::string dir = std::string(KEEL_SHARED_DATA_DIR) + "/messy/";
  // About four pieces each (the first piece decides the kinds, as it does for a whole read).
  ExpectSameAsOneRead(dir + "credit_data_messy.csv", 80000, 4);
  ExpectSameAsOneRead(dir + "wa_churn_messy.csv", 240000, 4);
}

TEST(CsvPieces, QuotedLineBreaksAndLongRecordsCrossPieces) {
  const std::string path = ::testing::TempDir() + "/csv_pieces_quoted.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "id,note,x\n";
    for (int i = 0; i < 300; ++i) {
      out << i << ",\"line one\nline \"\"two\"\"," << i << "\"," << (i % 7 == 0 ? "bad" : "1.5")
          << "\n";
      if (i % 50 == 0) out << "\n";             // blank lines are not records
      if (i % 90 == 0) out << i << ",short\n";  // wrong field count: rejected
    }
  }
  ExpectSameAsOneRead(path, 400, 20);
  std::remove(path.c_str());
}

TEST(CsvPieces, WholeRecordsPrefixStopsOutsideQuotes) {
  EXPECT_EQ(WholeRecordsPrefix("a,b\nc,\"d\ne\"\nf"), 12u);
  EXPECT_EQ(WholeRecordsPrefix("a,\"b\nc"), 0u);
  EXPECT_EQ(WholeRecordsPrefix("a,\"b\"\"\n\"\n"), 9u);
}

}  // namespace
}  // namespace keel
