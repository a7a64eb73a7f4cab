#include "train/target.h"

#include <gtest/gtest.h>

#include <cmath>

namespace keel {
namespace {

Table OneColumn(Column c) {
  Table t;
  EXPECT_TRUE(t.AddColumn(std::move(c)).ok());
  return t;
}

Result<TargetInfo> Read(const Table& t, std::string task = "auto", std::string positive = "",
                        const Schema& schema = {}) {
  TargetOptions o;
  o.column = t.column(0).name();
  o.task = std::move(task);
  o.positive = std::move(positive);
  return ReadTarget(t, schema, o);
}

TEST(Target, TwoTextValuesAreBinaryWithTheMinorityPositive) {
  Table t = OneColumn(Column::Categorical("y", {0, 0, 1, 0, -1}, {"no", "yes"}));
  auto r = Read(t);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->task, Task::kBinary);
  EXPECT_EQ(r->labels.classes, (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(r->missing, 1u);
  EXPECT_EQ(r->rows.size(), 4u);
  EXPECT_EQ(r->label[2], 1);
  EXPECT_TRUE(std::isnan(r->label[4]));
}

TEST(Target, PositiveFlagChoosesTheClass) {
  Table t = OneColumn(Column::Categorical("y", {0, 0, 1, 0}, {"no", "yes"}));
  auto r = Read(t, "auto", "NO");  // case-insensitive, like LabelMapping
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->labels.classes[1], "no");
  EXPECT_EQ(r->label[0], 1);
  EXPECT_FALSE(Read(t, "auto", "maybe").ok());
}

TEST(Target, SpellingsDifferingInCaseAreOneClass) {
  Table t = OneColumn(Column::Categorical("y", {0, 1, 2, 0}, {"Yes", "yes", "No"}));
  auto r = Read(t);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->task, Task::kBinary);
  EXPECT_EQ(r->label[0], r->label[1]);
}

TEST(Target, NumericZeroOneIsBinaryAndManyValuesAreRegression) {
  Table b = OneColumn(Column::Numeric("y", {0, 1, 1, 0, 0}));
  auto rb = Read(b);
  ASSERT_TRUE(rb.ok());
  EXPECT_EQ(rb->task, Task::kBinary);
  EXPECT_EQ(rb->labels.classes[1], "1");
  Table r = OneColumn(Column::Numeric("y", {0.5, 1, 2.5, 3}));
  auto rr = Read(r);
  ASSERT_TRUE(rr.ok());
  EXPECT_EQ(rr->task, Task::kRegression);
  EXPECT_EQ(rr->label[2], 2.5);
}

TEST(Target, ManyTextValuesAreMulticlassSorted) {
  Table t = OneColumn(Column::Categorical("y", {2, 0, 1, 2}, {"b", "c", "a"}));
  auto r = Read(t);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->task, Task::kMulticlass);
  EXPECT_EQ(r->num_outputs, 3);
  EXPECT_EQ(r->labels.classes, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(Read(t, "binary").ok());
}

TEST(Target, OneClassIsAnError) {
  Table t = OneColumn(Column::Categorical("churn", {0, 0, 0}, {"yes"}));
  auto r = Read(t);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("single class"), std::string::npos);
  EXPECT_NE(r.status().message().find("churn"), std::string::npos);
}

TEST(Target, AllMissingIsAnError) {
  Table t = OneColumn(Column::Numeric("y", {std::nan(""), std::nan("")}));
  auto r = Read(t);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no values"), std::string::npos);
}

TEST(Target, NonNumericRegressionTargetNamesTheValueAndLine) {
  Table t = OneColumn(Column::Categorical("price", {0, 1, 2}, {"10", "12.5", "abc"}));
  auto r = Read(t, "regression");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'abc'"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("line 4"), std::string::npos) << r.status().message();
  // Number texts in a categorical column are fine for regression.
  Table ok = OneColumn(Column::Categorical("price", {0, 1, 0}, {"10", "12.5"}));
  auto r2 = Read(ok, "regression");
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->label[1], 12.5);
}

TEST(Target, LabelUnknownToTheSchemaMappingIsAnError) {
  Table t = OneColumn(Column::Categorical("y", {0, 1, 2}, {"good", "bad", "ugly"}));
  Schema s;
  s.labels.classes = {"good", "bad"};
  auto r = Read(t, "auto", "", s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'ugly'"), std::string::npos);
  // A merge makes it known.
  s.labels.merge = {{"ugly", "bad"}};
  auto r2 = Read(t, "auto", "", s);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->label[2], 1);
}

TEST(Target, TimestampTargetIsAnError) {
  Table t = OneColumn(Column::Timestamp("t", {1, 2}));
  EXPECT_FALSE(Read(t).ok());
}

TEST(Target, MissingColumnListsTheColumns) {
  Table t = OneColumn(Column::Numeric("a", {1, 2}));
  TargetOptions o;
  o.column = "zz";
  auto r = ReadTarget(t, {}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace keel
