#include "predict/feature_matrix.h"

#include <gtest/gtest.h>

#include <cmath>

namespace keel {
namespace {

Model TwoFeatureModel() {
  Model m;
  m.features.push_back({"age", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  m.features.push_back(
      {"plan", FeatureSpec::Kind::kCategorical, {"basic", "gold", "Pro"}, ColumnKind::kCategorical});
  return m;
}

TEST(EncodeFeatures, MapsCategoriesByNameAndUnseenToMissing) {
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("age", {30, NAN, 51})).ok());
  // The table's dictionary is in another order and spells one category differently.
  ASSERT_TRUE(t.AddColumn(Column::Categorical("plan", {0, 1, 2}, {"gold", "pro", "platinum"})).ok());
  EncodeStats stats;
  auto m = EncodeFeatures(TwoFeatureModel(), t, {}, &stats);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->rows, 3u);
  EXPECT_EQ(m->row(0)[0], 30.0f);
  EXPECT_TRUE(std::isnan(m->row(1)[0]));
  EXPECT_EQ(m->row(0)[1], 1.0f);  // gold
  EXPECT_EQ(m->row(1)[1], 2.0f);  // pro -> Pro, case-insensitive
  EXPECT_TRUE(std::isnan(m->row(2)[1]));
  EXPECT_EQ(stats.unseen[1], 1u);
  EXPECT_EQ(stats.missing[0], 1u);
  EXPECT_EQ(stats.missing[1], 0u);
}

TEST(EncodeFeatures, AbsentColumnIsErrorUnlessAllowed) {
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("age", {1})).ok());
  auto m = EncodeFeatures(TwoFeatureModel(), t);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("'plan'"), std::string::npos);
  EncodeOptions opt;
  opt.allow_absent_columns = true;
  EncodeStats stats;
  auto m2 = EncodeFeatures(TwoFeatureModel(), t, opt, &stats);
  ASSERT_TRUE(m2.ok());
  EXPECT_TRUE(std::isnan(m2->row(0)[1]));
  ASSERT_EQ(stats.absent.size(), 1u);
}

TEST(EncodeFeatures, NumericDataForCodeTakingCategoricalFeature) {
  Model m;
  m.features.push_back({"c", FeatureSpec::Kind::kCategorical, {}, ColumnKind::kNumeric});
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("c", {3, NAN})).ok());
  auto x = EncodeFeatures(m, t);
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->row(0)[0], 3.0f);
  EXPECT_TRUE(std::isnan(x->row(1)[0]));
}

TEST(EncodeFeatures, NumericColumnMatchedToTextCategories) {
  Model m;
  m.features.push_back({"precinct", FeatureSpec::Kind::kCategorical, {"1", "2", "5"}, ColumnKind::kNumeric});
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("precinct", {5, 3})).ok());
  EncodeStats stats;
  auto x = EncodeFeatures(m, t, {}, &stats);
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->row(0)[0], 2.0f);
  EXPECT_TRUE(std::isnan(x->row(1)[0]));
  EXPECT_EQ(stats.unseen[0], 1u);
}

TEST(EncodeFeatures, BooleanAndNumericTextColumns) {
  Model m;
  m.features.push_back({"b", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kBoolean});
  m.features.push_back({"n", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Boolean("b", {1, kMissingBool})).ok());
  ASSERT_TRUE(t.AddColumn(Column::Categorical("n", {0, 1}, {" 2.5", "x"})).ok());
  auto x = EncodeFeatures(m, t);
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->row(0)[0], 1.0f);
  EXPECT_TRUE(std::isnan(x->row(1)[0]));
  EXPECT_EQ(x->row(0)[1], 2.5f);
  EXPECT_TRUE(std::isnan(x->row(1)[1]));
}

}  // namespace
}  // namespace keel
