#include "data/frame_typing.h"

#include <gtest/gtest.h>

#include <cmath>

namespace keel {
namespace {

using Texts = std::vector<std::string>;

// A column of raw cell texts, as python/src/frame_columns.cc builds one from a text column.
Column Cells(const std::string& name, const Texts& cells) {
  std::vector<int32_t> codes;
  for (size_t r = 0; r < cells.size(); ++r) codes.push_back(static_cast<int32_t>(r));
  return Column::Categorical(name, std::move(codes), cells);
}

Table Frame() {
  Table t;
  EXPECT_TRUE(t.AddColumn(Cells("x", {" 1.5", "NA", "2", "3"})).ok());
  EXPECT_TRUE(t.AddColumn(Cells("color", {"red", "RED", "Blue ", "green"})).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("n", {1, 2, std::nan(""), 4})).ok());
  return t;
}

TEST(FrameTypingTest, InfersWithoutASchemaAsTheReader) {
  Result<IngestResult> r = TypeFrameTable(Frame(), "<DataFrame>", ReadOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Table& t = r->table;
  EXPECT_EQ(t.Find("x")->kind(), ColumnKind::kNumeric);
  EXPECT_EQ(t.Find("x")->numeric()[0], 1.5);
  EXPECT_TRUE(std::isnan(t.Find("x")->numeric()[1]));
  EXPECT_EQ(t.Find("color")->dictionary(), (Texts{"red", "Blue", "green"}));
  EXPECT_EQ(r->schema.Find("color")->categories, (Texts{"Blue", "green", "red"}));
  EXPECT_EQ(r->report.rows_read, 4u);
  EXPECT_EQ(r->report.format, "dataframe");
}

TEST(FrameTypingTest, ReadsWithTheSchemasKindsAndCategories) {
  Schema schema;
  ColumnSchema x;
  x.name = "x";
  x.kind = ColumnKind::kCategorical;
  x.categories = {"3", "Two"};
  ColumnSchema color;
  color.name = "color";
  color.kind = ColumnKind::kCategorical;
  color.categories = {"Green", "RED"};
  schema.columns = {x, color};
  ReadOptions options;
  options.schema = &schema;
  Result<IngestResult> r = TypeFrameTable(Frame(), "<DataFrame>", options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // The schema's categories first, named as it names them; then new ones.
  EXPECT_EQ(r->table.Find("x")->dictionary(), (Texts{"3", "Two", "1.5", "2"}));
  EXPECT_EQ(r->table.Find("color")->dictionary(), (Texts{"Green", "RED", "Blue"}));
  EXPECT_EQ(r->schema.Find("n")->kind, ColumnKind::kNumeric);  // inferred: not in the schema

  // A text the reader would reject, a typed column of another kind, an absent column.
  schema.columns[1].kind = ColumnKind::kNumeric;
  Result<IngestResult> bad = TypeFrameTable(Frame(), "<DataFrame>", options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"color\" holds \"red\" (row 0)"), std::string::npos)
      << bad.status().ToString();
  schema.columns[1] = color;
  ColumnSchema n;
  n.name = "n";
  n.kind = ColumnKind::kBoolean;
  schema.columns.push_back(n);
  bad = TypeFrameTable(Frame(), "<DataFrame>", options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"n\" holds numeric values"), std::string::npos);
  ColumnSchema absent;
  absent.name = "absent";
  schema.columns.back() = absent;
  bad = TypeFrameTable(Frame(), "<DataFrame>", options);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_NE(bad.status().message().find("<DataFrame>: schema column \"absent\""),
            std::string::npos);
}

}  // namespace
}  // namespace keel
