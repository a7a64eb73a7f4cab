#include "model/lightgbm_import.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/file_io.h"
#include "model/link_function.h"
#include "model/split_rule.h"

namespace keel {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::string Fixture(const std::string& name) {
  return std::string(KEEL_FIXTURES_DIR) + "/lightgbm/" + name;
}

std::vector<double> Margins(const Model& m, const std::vector<float>& x) {
  std::vector<double> out(m.base_margin);
  for (const Tree& t : m.forest.trees) {
    out[static_cast<size_t>(t.class_index)] +=
        t.nodes[static_cast<size_t>(LeafIndex(t, x.data()))].value;
  }
  return out;
}

Model Load(const std::string& name) {
  auto m = ImportLightGBMFile(Fixture(name));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(*m) : Model{};
}

// binary_splits.txt, tree 0:  a <= 1.5 (NaN type, default left) ? 0.1
//                             : b <= 0 (Zero type, default right) ? -0.2
//                             : c <= -1 (None type: NaN reads 0) ? 0.3 : 0.5
// tree 1: d in {1, 3, 33} (bitset words 10, 2) ? 1 : -1 (missing and negatives: right)
// tree 2: 0.05
TEST(LightGBMImport, EverySplitKindMatchesHandComputedValues) {
  const Model m = Load("binary_splits.txt");
  ASSERT_EQ(m.forest.trees.size(), 3u);
  EXPECT_EQ(m.objective, Objective::kBinaryLogistic);
  EXPECT_EQ(m.features[3].kind, FeatureSpec::Kind::kCategorical);
  EXPECT_EQ(m.features[0].kind, FeatureSpec::Kind::kNumeric);
  struct Case {
    float a, b, c, d;
    double margin;
  };
  const Case cases[] = {
      {1.5f, 0, 0, 1, 0.1 + 1 + 0.05},      // a == threshold goes left (<=); d listed
      {kNaN, 0, 0, kNaN, 0.1 - 1 + 0.05},   // NaN type: default left; categorical NaN: right
      {2, 0, -1, 3, 0.3 + 1 + 0.05},        // Zero type: 0 goes default right; c == -1 left
      {2, kNaN, kNaN, 2, 0.5 - 1 + 0.05},   // Zero type: NaN default right; None: NaN is 0
      {2, -0.5f, 5, 33, -0.2 + 1 + 0.05},   // b <= 0; category 33 in the second word
      {2, 0.5f, -2, 3.9f, 0.3 + 1 + 0.05},  // 3.9 is category 3
      {2, 1e-30f, 0, -1, 0.5 - 1 + 0.05},   // 1e-30 is not zero; negative category: right
      {2, -0.0f, 0, 64, 0.5 - 1 + 0.05},    // -0 is zero; 64 beyond the bitset: right
      {2, 0.25f, 0, 0, 0.5 - 1 + 0.05},     // category 0 not listed
      {2, 0.25f, 0, 32, 0.5 - 1 + 0.05},    // category 32 not listed
  };
  for (const Case& c : cases) {
    const auto margin = Margins(m, {c.a, c.b, c.c, c.d});
    EXPECT_DOUBLE_EQ(margin[0], c.margin) << c.a << " " << c.b << " " << c.c << " " << c.d;
    double p = 0;
    MarginsToPredictions(m.objective, 1, margin.data(), &p);
    EXPECT_DOUBLE_EQ(p, 1 / (1 + std::exp(-c.margin)));
  }
}

TEST(LightGBMImport, SigmoidParameterScalesTheMargin) {
  auto text = ReadFile(Fixture("binary_splits.txt"));
  ASSERT_TRUE(text.ok());
  std::string t = *text;
  t.replace(t.find("sigmoid:1"), 9, "sigmoid:2");
  auto m = ImportLightGBMText(t, "m.txt");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const auto margin = Margins(*m, {1.5f, 0, 0, 1});
  EXPECT_DOUBLE_EQ(margin[0], 2 * (0.1 + 1 + 0.05));
}

// multiclass.txt: trees t add to class t % 3.
//   class 0: (x <= 5, None type ? 1 : -1) + (y <= 1, NaN type default left ? 0.25 : 0)
//   class 1: (y <= 2.5, None ? 0.5 : 0.25) + 0.125
//   class 2: (x <= 8, NaN type default right ? -0.5 : 2) + (x <= 0, Zero type default left ? -1 :
//   1)
TEST(LightGBMImport, MulticlassSoftmaxHandComputed) {
  const Model m = Load("multiclass.txt");
  ASSERT_EQ(m.num_outputs, 3);
  ASSERT_EQ(m.forest.trees.size(), 6u);
  struct Case {
    float x, y;
    double m0, m1, m2;
  };
  const Case cases[] = {
      {3, 2, 1, 0.625, 0.5},
      {kNaN, kNaN, 1.25, 0.625, 1},  // None reads 0; NaN type default; Zero type default
      {0, 3, 1, 0.375, -1.5},        // x == 0 goes the default (left) way in the Zero split
      {9, 1, -0.75, 0.625, 3},
  };
  for (const Case& c : cases) {
    const auto margin = Margins(m, {c.x, c.y});
    EXPECT_DOUBLE_EQ(margin[0], c.m0);
    EXPECT_DOUBLE_EQ(margin[1], c.m1);
    EXPECT_DOUBLE_EQ(margin[2], c.m2);
    double p[3];
    MarginsToPredictions(m.objective, 3, margin.data(), p);
    const double z = std::exp(c.m0) + std::exp(c.m1) + std::exp(c.m2);
    EXPECT_NEAR(p[0], std::exp(c.m0) / z, 1e-15);
    EXPECT_NEAR(p[2], std::exp(c.m2) / z, 1e-15);
  }
}

// regression_zero.txt: tree 0: u <= -0.5 (Zero type, default LEFT) ? 10
//                                : v <= 0.1 (double; NaN type default right) ? 20 : 30
//                      tree 1: v <= 0.10000000149011612 (= float 0.1f) ? 1 : 2
TEST(LightGBMImport, ZeroAsMissingAndDoubleThresholds) {
  const Model m = Load("regression_zero.txt");
  EXPECT_EQ(m.objective, Objective::kSquaredError);
  struct Case {
    float u, v;
    double value;
  };
  const float below = std::nextafter(0.1f, 0.0f);
  const Case cases[] = {
      {0, 0.1f, 10 + 1},     // zero goes the default way although 0 > -0.5; 0.1f <= 0.1f
      {0.5f, 0.1f, 30 + 1},  // float 0.1f is above the double 0.1 (LightGBM, reading doubles,
                             // would compare 0.1 <= 0.1; see the header's note)
      {-1, kNaN, 10 + 2},
      {kNaN, 0.05f, 10 + 1},  // Zero type: NaN default left
      {0.25f, kNaN, 30 + 2},
      {-0.0f, 0.2f, 10 + 2},
      {0.25f, below, 20 + 1},
  };
  for (const Case& c : cases) {
    EXPECT_DOUBLE_EQ(Margins(m, {c.u, c.v})[0], c.value) << c.u << " " << c.v;
  }
}

TEST(LightGBMImport, FeatureNamesCoversAndSections) {
  const Model m = Load("binary_splits.txt");
  ASSERT_EQ(m.features.size(), 4u);
  EXPECT_EQ(m.features[2].name, "c");
  EXPECT_EQ(m.schema.columns.size(), 4u);
  EXPECT_EQ(m.forest.trees[0].nodes[0].cover, 20);
  EXPECT_EQ(m.labels.classes, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(m.sections.at("import")["from"], "lightgbm");
}

TEST(LightGBMImport, PandasCategoricalGivesCategoryNames) {
  auto text = ReadFile(Fixture("binary_splits.txt"));
  ASSERT_TRUE(text.ok());
  std::string t = *text;
  t.replace(t.find("pandas_categorical:null"), 23, R"(pandas_categorical:[["x0","x1","x2","x3"]])");
  auto m = ImportLightGBMText(t, "m.txt");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->features[3].categories, (std::vector<std::string>{"x0", "x1", "x2", "x3"}));
  EXPECT_EQ(m->schema.columns[3].kind, ColumnKind::kCategorical);
}

TEST(LightGBMImport, EveryTruncationIsRefusedOrConsistent) {
  auto text = ReadFile(Fixture("binary_splits.txt"));
  ASSERT_TRUE(text.ok());
  const size_t end = text->find("end of trees");
  for (size_t n = 0; n < end; ++n) {
    auto m = ImportLightGBMText(std::string_view(*text).substr(0, n), "cut.txt");
    EXPECT_FALSE(m.ok()) << "accepted a model cut to " << n << " bytes";
  }
}

TEST(LightGBMImport, HostileInputIsAClearError) {
  auto text = ReadFile(Fixture("binary_splits.txt"));
  ASSERT_TRUE(text.ok());
  auto mutate = [&](const std::string& from, const std::string& to) {
    std::string t = *text;
    const size_t at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    t.replace(at, from.size(), to);
    return ImportLightGBMText(t, "bad.txt");
  };
  auto expect_error = [](const Result<Model>& r, StatusCode code) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), code) << r.status().ToString();
    EXPECT_NE(r.status().message().find("bad.txt"), std::string::npos) << r.status().message();
  };
  expect_error(mutate("left_child=-1 -2 -3", "left_child=-1 0 -3"), StatusCode::kCorrupt);  // cycle
  expect_error(mutate("left_child=-1 -2 -3", "left_child=-1 -2 7"), StatusCode::kCorrupt);
  expect_error(mutate("split_feature=0 1 2", "split_feature=0 1 9"), StatusCode::kCorrupt);
  expect_error(mutate("threshold=1.5 0 -1", "threshold=1.5 0"), StatusCode::kCorrupt);
  expect_error(mutate("threshold=1.5 0 -1", "threshold=1.5 zero -1"), StatusCode::kCorrupt);
  expect_error(mutate("threshold=1.5 0 -1", "threshold=1.5 nan -1"), StatusCode::kCorrupt);
  expect_error(mutate("cat_boundaries=0 2", "cat_boundaries=0 5"), StatusCode::kCorrupt);
  expect_error(mutate("num_leaves=4", "num_leaves=400000000"), StatusCode::kCorrupt);
  expect_error(mutate("objective=binary sigmoid:1", "objective=lambdarank"),
               StatusCode::kUnsupported);
  expect_error(mutate("shrinkage=0.1", "is_linear=1"), StatusCode::kUnsupported);
  expect_error(mutate("leaf_value=1 -1", "leaf_value=1 inf"), StatusCode::kCorrupt);
  auto r = ImportLightGBMText("hello", "bad.txt");
  expect_error(r, StatusCode::kParseError);
  r = ImportLightGBMText("", "bad.txt");
  expect_error(r, StatusCode::kParseError);
}

}  // namespace
}  // namespace keel
