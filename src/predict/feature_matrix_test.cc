#include "predict/feature_matrix.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/number_format.h"

namespace keel {
namespace {

Model TwoFeatureModel() {
  Model m;
  m.features.push_back({"age", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  m.features.push_back({"plan",
                        FeatureSpec::Kind::kCategorical,
                        {"basic", "gold", "Pro"},
                        ColumnKind::kCategorical});
  return m;
}

TEST(EncodeFeatures, MapsCategoriesByNameAndUnseenToMissing) {
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("age", {30, NAN, 51})).ok());
  // The table's dictionary is in another order and spells one category differently.
  ASSERT_TRUE(
      t.AddColumn(Column::Categorical("plan", {0, 1, 2}, {"gold", "pro", "platinum"})).ok());
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
  m.features.push_back(
      {"precinct", FeatureSpec::Kind::kCategorical, {"1", "2", "5"}, ColumnKind::kNumeric});
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

// EncodeText and EncodeValue give what EncodeFeatures gives for a one-row table of that cell,
// for every kind of feature (numeric, categorical with names, code-taking) and cell.
TEST(EncodeCell, EqualsEncodeFeaturesOnOneRowTables) {
  Model m;
  m.features.push_back({"n", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  m.features.push_back({"c",
                        FeatureSpec::Kind::kCategorical,
                        {"basic", "Gold", "1", "true"},
                        ColumnKind::kCategorical});
  m.features.push_back({"k", FeatureSpec::Kind::kCategorical, {}, ColumnKind::kNumeric});
  auto same = [](float a, float b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
  auto encode = [&](Column c) {
    Table t;
    EXPECT_TRUE(t.AddColumn(std::move(c)).ok());
    EncodeOptions opt;
    opt.allow_absent_columns = true;
    auto x = EncodeFeatures(m, t, opt);
    EXPECT_TRUE(x.ok());
    return x->values;
  };
  for (size_t f = 0; f < m.features.size(); ++f) {
    const std::string& name = m.features[f].name;
    for (const char* text : {"gold", "basic", "1", " 2.5", "3", "-1", "x", "1e3", "+4"}) {
      const float want = encode(Column::Categorical(name, {0}, {text}))[f];
      EXPECT_TRUE(same(static_cast<float>(EncodeText(m.features[f], text)), want))
          << name << " " << text;
    }
    for (double v : {1.0, 2.5, 3.0, -1.0, 0.0, std::nan("")}) {
      const float want = encode(Column::Numeric(name, {v}))[f];
      const auto got =
          static_cast<float>(EncodeValue(m.features[f], v, [&] { return FormatDouble(v); }));
      EXPECT_TRUE(same(got, want)) << name << " " << v;
    }
    for (int8_t b : {int8_t{0}, int8_t{1}}) {
      const float want = encode(Column::Boolean(name, {b}))[f];
      const auto got = static_cast<float>(
          EncodeValue(m.features[f], b, [&] { return std::string(b ? "true" : "false"); }));
      EXPECT_TRUE(same(got, want)) << name << " " << int{b};
    }
  }
  // Spot checks of what the equalities above pin.
  EXPECT_EQ(EncodeText(m.features[1], "gold"), 1.0f);  // case-insensitive name
  EXPECT_TRUE(std::isnan(EncodeText(m.features[1], "x")));
  EXPECT_EQ(EncodeText(m.features[0], " 2.5"), 2.5f);
  EXPECT_EQ(EncodeText(m.features[2], "3"), 3.0f);  // a code
  EXPECT_TRUE(std::isnan(EncodeText(m.features[2], "2.5")));
}

}  // namespace
}  // namespace keel
