#include "data/jsonl_reader.h"

#include <gtest/gtest.h>

#include "data/ingest.h"

namespace keel {
namespace {

IngestResult ReadJsonl(std::string_view text, ReadOptions o = {}) {
  auto r = ReadTableFromBuffer(text, "events.jsonl", o, Context{});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : IngestResult{};
}

TEST(JsonLines, SameTableAsCsv) {
  const auto j = ReadJsonl(
      "{\"a\": 1, \"b\": \"x\", \"c\": true, \"t\": \"2024-01-01T00:00:00Z\"}\n"
      "{\"a\": 2.5, \"b\": \"X\", \"c\": false, \"t\": \"2024-01-02\"}\n"
      "{\"b\": \"y\", \"a\": null, \"c\": true, \"t\": null}\n");
  auto c = ReadTableFromBuffer("a,b,c,t\n1,x,true,2024-01-01T00:00:00Z\n2.5,X,false,2024-01-02\n,y,true,\n",
                               "same.csv", {}, Context{});
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(j.table.num_columns(), c->table.num_columns());
  ASSERT_EQ(j.table.num_rows(), 3u);
  for (size_t col = 0; col < 4; ++col) {
    EXPECT_EQ(j.table.column(col).name(), c->table.column(col).name());
    EXPECT_EQ(j.table.column(col).kind(), c->table.column(col).kind());
    for (size_t r = 0; r < 3; ++r) {
      EXPECT_EQ(j.table.column(col).CellText(r), c->table.column(col).CellText(r));
    }
  }
  EXPECT_EQ(j.report.format, "jsonl");
  EXPECT_EQ(j.table.source_lines(), (std::vector<uint64_t>{1, 2, 3}));
}

TEST(JsonLines, BadLinesAreRejectedWithTheirLine) {
  const auto r = ReadJsonl(
      "{\"a\": 1}\n"
      "\n"
      "{\"a\": 2\n"
      "[1, 2]\n"
      "{\"a\": \"bad\xFF\"}\n"
      "{\"a\": 3, \"nested\": {\"k\": [1, 2]}}\r\n"
      "{\"a\": 4, \"a\": 5}");
  EXPECT_EQ(r.table.num_rows(), 3u);
  ASSERT_EQ(r.report.rejected.size(), 3u);
  EXPECT_EQ(r.report.rejected[0].line, 3u);
  EXPECT_EQ(r.report.rejected[0].kind, AnomalyKind::kInvalidRecord);
  EXPECT_EQ(r.report.rejected[1].line, 4u);
  EXPECT_EQ(r.report.rejected[1].reason, "the record is not a JSON object");
  EXPECT_EQ(r.report.rejected[2].line, 5u);
  EXPECT_EQ(r.report.rejected[2].kind, AnomalyKind::kEncodingError);
  EXPECT_EQ(r.report.blank_lines, 1u);
  EXPECT_EQ(r.table.Find("nested")->CellText(1), "{\"k\":[1,2]}");
  EXPECT_EQ(r.table.Find("a")->numeric()[2], 5);
  EXPECT_EQ(r.report.rows_read, r.report.rows_used + r.report.rows_rejected);
}

TEST(JsonLines, ChunkedReadEqualsSingle) {
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    text += "{\"i\": " + std::to_string(i) + ", \"k\": \"v" + std::to_string(i % 9) + "\"";
    if (i % 100 == 7) text += ", \"late\": 1";
    text += "}\n";
  }
  ReadOptions o;
  o.chunk_bytes = 1000;
  const auto a = ReadJsonl(text);
  const auto b = ReadJsonl(text, o);
  ASSERT_EQ(a.table.num_rows(), 3000u);
  ASSERT_EQ(b.table.num_columns(), 3u);
  for (size_t c = 0; c < 3; ++c) {
    EXPECT_EQ(a.table.column(c).name(), b.table.column(c).name());
    for (size_t r = 0; r < 3000; r += 37) {
      EXPECT_EQ(a.table.column(c).CellText(r), b.table.column(c).CellText(r));
    }
  }
}

TEST(JsonLines, NothingUsableIsAnError) {
  auto r = ReadTableFromBuffer("[1]\n[2]\n", "x.jsonl", {}, Context{});
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace keel
