#include "data/row_validator.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

Schema MakeSchema() {
  Schema s;
  ColumnSchema n{.name = "n", .kind = ColumnKind::kNumeric};
  n.min = 0;
  n.max = 10;
  ColumnSchema c{.name = "c", .kind = ColumnKind::kCategorical};
  c.categories = {"Red", "green", "7"};
  ColumnSchema b{.name = "b", .kind = ColumnKind::kBoolean};
  ColumnSchema t{.name = "t", .kind = ColumnKind::kTimestamp};
  ColumnSchema y{.name = "y", .kind = ColumnKind::kCategorical, .role = Role::kTarget};
  ColumnSchema ig{.name = "ig", .kind = ColumnKind::kNumeric, .role = Role::kIgnore};
  s.columns = {n, c, b, t, y, ig};
  s.labels.classes = {"no", "yes"};
  s.labels.merge = {{"Y", "yes"}};
  return s;
}

TEST(RowValidator, CleanRowHasNoAnomalies) {
  RowValidator v(MakeSchema());
  std::vector<RowAnomaly> out;
  const CellValue row[] = {CellValue::Number(3), CellValue::Text(" RED "), CellValue::Text("true"),
                           CellValue::Text("2024-01-01"), CellValue::Text("Y"),
                           CellValue::Text("junk")};
  EXPECT_EQ(v.Validate(row, &out), 0u);
  EXPECT_TRUE(out.empty());
  const CellValue numeric_category[] = {CellValue::Text("+5"), CellValue::Number(7),
                                        CellValue::Number(1), CellValue::Number(1.7e9),
                                        CellValue::Missing(), CellValue::Missing()};
  EXPECT_EQ(v.Validate(numeric_category, &out), 0u);
  EXPECT_TRUE(out.empty());
}

TEST(RowValidator, ReportsEachKindInColumnOrder) {
  RowValidator v(MakeSchema());
  std::vector<RowAnomaly> out;
  const CellValue row[] = {CellValue::Number(11), CellValue::Text("blue"), CellValue::Text("maybe"),
                           CellValue::Text("yesterday"), CellValue::Text("perhaps"),
                           CellValue::Missing()};
  EXPECT_EQ(v.Validate(row, &out), 2u);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].kind, AnomalyKind::kOutOfRange);
  EXPECT_EQ(out[0].severity, Severity::kWarning);
  EXPECT_EQ(out[1].kind, AnomalyKind::kNewCategory);
  EXPECT_EQ(out[2].kind, AnomalyKind::kTypeMismatch);
  EXPECT_EQ(out[2].severity, Severity::kError);
  EXPECT_EQ(out[3].kind, AnomalyKind::kTypeMismatch);
  EXPECT_EQ(out[4].kind, AnomalyKind::kUnseenLabel);
  EXPECT_EQ(v.Describe(out[1], row), "\"blue\" in column \"c\" is not one of the schema's 3 categories");
}

TEST(RowValidator, MissingValuesAndTokensAreNotAnomalies) {
  RowValidator v(MakeSchema());
  std::vector<RowAnomaly> out;
  const CellValue row[] = {CellValue::Text("NA"), CellValue::Text("  "), CellValue::Text("?"),
                           CellValue::Missing(), CellValue::Text("null"), CellValue::Missing()};
  EXPECT_EQ(v.Validate(row, &out), 0u);
  EXPECT_TRUE(out.empty());
  const CellValue short_row[] = {CellValue::Text("abc")};
  EXPECT_EQ(v.Validate(short_row, &out), 1u);
}

TEST(RowValidator, OptionsTurnWarningsIntoErrors) {
  RowValidatorOptions o;
  o.reject_new_categories = true;
  o.reject_out_of_range = true;
  o.normalize_case = false;
  RowValidator v(MakeSchema(), o);
  std::vector<RowAnomaly> out;
  const CellValue row[] = {CellValue::Number(-1), CellValue::Text("red")};
  EXPECT_EQ(v.Validate(row, &out), 2u);
  EXPECT_EQ(v.ColumnIndex("t"), 3);
  EXPECT_EQ(v.ColumnIndex("zz"), -1);
}

TEST(RowValidator, DoesNotAllocateOnceWarm) {
  RowValidator v(MakeSchema());
  std::vector<RowAnomaly> out;
  out.reserve(8);
  const CellValue row[] = {CellValue::Number(11), CellValue::Text("blue")};
  const RowAnomaly* before = out.data();
  for (int i = 0; i < 1000; ++i) v.Validate(row, &out);
  EXPECT_EQ(out.data(), before);
}

}  // namespace
}  // namespace keel
