#include "keel/table.h"

#include <gtest/gtest.h>

#include <cmath>

namespace keel {
namespace {

Table SmallTable() {
  Table t;
  EXPECT_TRUE(t.AddColumn(Column::Numeric("x", {1.5, NAN, -2})).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("c", {1, kMissingCode, 0}, {"a", "b"})).ok());
  EXPECT_TRUE(t.AddColumn(Column::Boolean("b", {1, kMissingBool, 0})).ok());
  EXPECT_TRUE(t.AddColumn(Column::Timestamp("t", {0, kMissingTime, 1500000})).ok());
  EXPECT_TRUE(t.AddColumn(Column::String("s", {"u1", "", "u3"}, {0, 1, 0})).ok());
  return t;
}

TEST(Table, CellsAndMissingValuesOfEveryKind) {
  Table t = SmallTable();
  EXPECT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(t.num_columns(), 5u);
  for (const auto& c : t.columns()) {
    EXPECT_TRUE(c.IsMissing(1)) << c.name();
    EXPECT_EQ(c.CountMissing(), 1u) << c.name();
  }
  EXPECT_EQ(t.column(0).CellText(0), "1.5");
  EXPECT_EQ(t.column(1).CellText(0), "b");
  EXPECT_EQ(t.column(2).CellText(0), "true");
  EXPECT_EQ(t.column(3).CellText(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(t.column(3).CellText(2), "1970-01-01T00:00:01.5Z");
  EXPECT_EQ(t.column(4).CellText(2), "u3");
  EXPECT_EQ(t.column(1).AsDouble(0), 1.0);
  EXPECT_TRUE(std::isnan(t.column(4).AsDouble(0)));
}

TEST(Table, RejectsMismatchedLengthsAndDuplicateNames) {
  Table t = SmallTable();
  Status s = t.AddColumn(Column::Numeric("y", {1, 2}));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'y' has 2 rows"), std::string::npos);
  EXPECT_FALSE(t.AddColumn(Column::Numeric("x", {1, 2, 3})).ok());
}

TEST(Table, TakeSelectsRowsInOrderAndKeepsSourceLines) {
  Table t = SmallTable();
  t.set_source_lines({2, 3, 5});
  const uint32_t rows[] = {2, 0};
  Table s = t.Take(rows);
  EXPECT_EQ(s.num_rows(), 2u);
  EXPECT_EQ(s.column(0).numeric()[0], -2);
  EXPECT_EQ(s.column(1).CellText(0), "a");
  EXPECT_EQ(s.SourceLine(0), 5u);
  EXPECT_EQ(s.SourceLine(1), 2u);
}

TEST(Table, FindAndIndexOf) {
  Table t = SmallTable();
  EXPECT_NE(t.Find("c"), nullptr);
  EXPECT_EQ(t.Find("zz"), nullptr);
  EXPECT_EQ(*t.IndexOf("b"), 2u);
  EXPECT_EQ(t.IndexOf("zz").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(t.RemoveColumn("b").ok());
  EXPECT_EQ(t.num_columns(), 4u);
}

TEST(FormatTimestamp, BeforeEpochAndFractions) {
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTimestamp(1704067252220000), "2024-01-01T00:00:52.22Z");
}

}  // namespace
}  // namespace keel
