#include "model/lightgbm_import.h"

#include <gtest/gtest.h>

#include <algorithm>
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

TEST(LightGBMImport, MonotoneConstraintsAreRecordedAndVerified) {
  auto text = ReadFile(Fixture("binary_splits.txt"));
  ASSERT_TRUE(text.ok());
  // Tree 0's c split (0.3 below, 0.5 above) rises with c, and no other tree uses c.
  std::string t = *text;
  t.insert(t.find("feature_names="), "monotone_constraints=0,0,1,0\n");
  auto up = ImportLightGBMText(t, "m.txt");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  const nlohmann::json& c = up->sections.at("constraints");
  EXPECT_EQ(c["source"], "lightgbm");
  EXPECT_EQ(c["monotone"], nlohmann::json::parse(R"({"c": 1})"));
  EXPECT_EQ(c["verified"], true) << c.dump();
  // The parameters block's form, claiming c falls: recorded as broken, not refused.
  std::string p = *text + "\nparameters:\n[monotone_constraints: 0,0,-1]\nend of parameters\n";
  auto down = ImportLightGBMText(p, "m.txt");
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(down->sections.at("constraints")["verified"], false);
  // LightGBM writes an empty list when there are none: no section.
  auto none = ImportLightGBMText(*text + "\n[monotone_constraints: ]\n", "m.txt");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->sections.contains("constraints"));
  auto bad = ImportLightGBMText(*text + "\n[monotone_constraints: 0,7]\n", "m.txt");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("monotone constraint '7'"), std::string::npos)
      << bad.status().ToString();
}

TEST(LightGBMImport, InteractionConstraintsAreRecordedAndVerified) {
  // Hand-edited parameters (no LightGBM here to train one): tree 0 splits a, then b, then c on
  // one path; tree 1 splits d alone.
  auto text = ReadFile(Fixture("binary_splits.txt"));
  ASSERT_TRUE(text.ok());
  auto held = ImportLightGBMText(*text + "\n[interaction_constraints: [0,1,2],[3]]\n", "m.txt");
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  const nlohmann::json& c = held->sections.at("constraints");
  EXPECT_EQ(c["source"], "lightgbm");
  EXPECT_EQ(c["interactions"], nlohmann::json::parse(R"([["a", "b", "c"], ["d"]])"));
  EXPECT_EQ(c["interactions_verified"], true) << c.dump();
  EXPECT_FALSE(c.contains("monotone"));
  // One group, written without the outer list: d is in no group, and it is used alone.
  auto one = ImportLightGBMText(*text + "\n[interaction_constraints: [2,1,0]]\n", "m.txt");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->sections.at("constraints")["interactions"],
            nlohmann::json::parse(R"([["a", "b", "c"]])"));
  EXPECT_EQ(one->sections.at("constraints")["verified"], true);
  // Claiming c may not meet a and b: recorded as broken, not refused, with both kinds together.
  std::string both =
      *text + "\n[monotone_constraints: 0,0,1,0]\n[interaction_constraints: [0,1],[2,3]]\n";
  auto broken = ImportLightGBMText(both, "m.txt");
  ASSERT_TRUE(broken.ok()) << broken.status().ToString();
  const nlohmann::json& b = broken->sections.at("constraints");
  EXPECT_EQ(b["monotone_verified"], true);
  EXPECT_EQ(b["interactions_verified"], false) << b.dump();
  EXPECT_EQ(b["verified"], false);
  // Empty: no section. A bad index: an error naming the line and the item.
  auto none = ImportLightGBMText(*text + "\n[interaction_constraints: ]\n", "m.txt");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->sections.contains("constraints"));
  auto bad = ImportLightGBMText(*text + "\n[interaction_constraints: [0,7]]\n", "m.txt");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("[interaction_constraints]: interaction constraint item 7"),
            std::string::npos)
      << bad.status().ToString();
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

// LightGBM's log-link regressions: the raw score is the margin (no base margin: LightGBM
// folds its starting score into the first tree) and the prediction is exp(raw score).
TEST(LightGBMImport, LogLinkObjectivesExponentiateTheRawScore) {
  auto text = ReadFile(Fixture("regression_zero.txt"));
  ASSERT_TRUE(text.ok());
  const std::string from = "objective=regression";
  ASSERT_NE(text->find(from), std::string::npos);
  struct Case {
    const char* line;
    Objective objective;
  };
  const Case cases[] = {{"objective=poisson", Objective::kPoisson},
                        {"objective=gamma", Objective::kGamma},
                        {"objective=tweedie tweedie_variance_power:1.5", Objective::kTweedie}};
  for (const Case& c : cases) {
    std::string t = *text;
    t.replace(t.find(from), from.size(), c.line);
    auto m = ImportLightGBMText(t, "m.txt");
    ASSERT_TRUE(m.ok()) << c.line << ": " << m.status().ToString();
    EXPECT_EQ(m->objective, c.objective) << c.line;
    EXPECT_EQ(m->task, Task::kRegression) << c.line;
    EXPECT_EQ(m->base_margin, std::vector<double>{0.0}) << c.line;
    const auto margin = Margins(*m, {0.5f, 0.2f});  // 30 + 2, as in the test above
    EXPECT_DOUBLE_EQ(margin[0], 32);
    double p = 0;
    MarginsToPredictions(m->objective, 1, margin.data(), &p);
    EXPECT_DOUBLE_EQ(p, std::exp(32.0)) << c.line;
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

// binary_splits.txt with its last line replaced by `pandas_categorical:LISTS`, and `param`
// (e.g. "[categorical_feature: 3]") added to its parameters. Feature d's split uses codes
// 1, 3 and 33.
std::string WithPandasCategorical(const std::string& lists, const std::string& param = "") {
  auto text = ReadFile(Fixture("binary_splits.txt"));
  EXPECT_TRUE(text.ok());
  std::string t = *text;
  t.replace(t.find("pandas_categorical:null"), 23, "pandas_categorical:" + lists);
  if (!param.empty()) t.insert(t.find("end of parameters"), param + "\n");
  return t;
}

// A JSON list of `n` names "<prefix>0", "<prefix>1", ...
std::string NameList(int n, const std::string& prefix) {
  std::string out = "[";
  for (int i = 0; i < n; ++i) out += (i > 0 ? ",\"" : "\"") + prefix + std::to_string(i) + "\"";
  return out + "]";
}

std::vector<std::string> Names(int n, const std::string& prefix) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

TEST(LightGBMImport, PandasCategoricalGivesCategoryNames) {
  auto m = ImportLightGBMText(WithPandasCategorical("[" + NameList(40, "x") + "]"), "m.txt");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->features[3].categories, Names(40, "x"));
  EXPECT_EQ(m->schema.columns[3].kind, ColumnKind::kCategorical);
  EXPECT_EQ(m->schema.columns[3].categories, Names(40, "x"));
  const auto& coding = m->sections.at("import")["categorical"][0];
  EXPECT_EQ(coding["feature"], "d");
  EXPECT_EQ(coding["order"], "pandas_categorical");
  EXPECT_EQ(coding["max_code"], 33);
  EXPECT_EQ(m->sections.at("import")["from"], "lightgbm");
}

TEST(LightGBMImport, PandasCategoricalNumbersReadAsKeelWritesThem) {
  std::string list = "[[";
  for (int i = 0; i < 34; ++i) list += (i > 0 ? "," : "") + std::to_string(i) + ".0";
  list += ",-1.5,true]]";
  auto m = ImportLightGBMText(WithPandasCategorical(list), "m.txt");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->features[3].categories.size(), 36u);
  EXPECT_EQ(m->features[3].categories[0], "0");
  EXPECT_EQ(m->features[3].categories[33], "33");
  EXPECT_EQ(m->features[3].categories[34], "-1.5");
  EXPECT_EQ(m->features[3].categories[35], "true");
}

TEST(LightGBMImport, PandasCategoricalTooShortForTheSplitsIsRefused) {
  auto m = ImportLightGBMText(WithPandasCategorical(R"([["x0","x1","x2","x3"]])"), "m.txt");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("the splits on feature 'd' use category code 33, but the "
                                      "model's pandas_categorical lists 4 categories"),
            std::string::npos)
      << m.status().message();
}

TEST(LightGBMImport, PandasCategoricalListsFollowTheCategoricalFeatureParameter) {
  // Indices or names; a list count that matches no pairing is refused, not guessed.
  for (const char* param : {"[categorical_feature: 3]", "[categorical_feature: name:d]"}) {
    auto m =
        ImportLightGBMText(WithPandasCategorical("[" + NameList(34, "y") + "]", param), "m.txt");
    ASSERT_TRUE(m.ok()) << param << ": " << m.status().ToString();
    EXPECT_EQ(m->features[3].categories, Names(34, "y"));
  }
  auto m = ImportLightGBMText(
      WithPandasCategorical("[" + NameList(2, "a") + "," + NameList(34, "y") + "]"), "m.txt");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(m.status().message().find("2 category lists for 1 categorical features"),
            std::string::npos)
      << m.status().message();
  EXPECT_NE(m.status().message().find("category_order: listed"), std::string::npos);
}

TEST(LightGBMImport, MalformedPandasCategoricalIsAnError) {
  for (const char* bad : {R"([["a","b")", R"({"d":["a"]})", R"([["a",{"b":1}]])", R"(["a"])"}) {
    auto m = ImportLightGBMText(WithPandasCategorical(bad), "m.txt");
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_EQ(m.status().code(), StatusCode::kCorrupt) << bad;
    EXPECT_NE(m.status().message().find("m.txt:"), std::string::npos) << m.status().message();
    EXPECT_NE(m.status().message().find("pandas_categorical"), std::string::npos);
  }
}

TEST(LightGBMImport, PandasCategoricalWinsUnlessTheSchemaClaimsAnotherCodeOrder) {
  Schema s;
  for (const char* n : {"a", "b", "c"}) s.columns.push_back({.name = n});
  std::vector<std::string> reversed = Names(34, "x");
  std::reverse(reversed.begin(), reversed.end());
  s.columns.push_back({.name = "d", .kind = ColumnKind::kCategorical, .categories = reversed});
  ImportOptions o;
  o.schema = &s;
  const std::string text = WithPandasCategorical("[" + NameList(34, "x") + "]");
  auto m = ImportLightGBMText(text, "m.txt", o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->features[3].categories, Names(34, "x"));
  s.columns[3].category_order = CategoryOrder::kListed;
  m = ImportLightGBMText(text, "m.txt", o);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("pandas_categorical says"), std::string::npos)
      << m.status().message();
  // A kind whose values cannot name categories is refused.
  s.columns[3] = {.name = "d", .kind = ColumnKind::kTimestamp};
  m = ImportLightGBMText(text, "m.txt", o);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("reads column 'd' as timestamp"), std::string::npos)
      << m.status().message();
}

TEST(LightGBMImport, WithoutPandasCategoricalTheSchemaOrderDecides) {
  Schema s;
  for (const char* n : {"a", "b", "c"}) s.columns.push_back({.name = n});
  // "x0", "x1", "x10", ... "x33": sorted by code point.
  std::vector<std::string> sorted = Names(34, "x");
  std::sort(sorted.begin(), sorted.end());
  s.columns.push_back({.name = "d", .kind = ColumnKind::kCategorical, .categories = sorted});
  ImportOptions o;
  o.schema = &s;
  auto text = ReadFile(Fixture("binary_splits.txt"));
  ASSERT_TRUE(text.ok());
  auto m = ImportLightGBMText(*text, "m.txt", o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->features[3].categories, sorted);
  EXPECT_EQ(m->sections.at("import")["categorical"][0]["order"], "sorted");
  s.columns[3].categories = Names(34, "x");  // x0, x1, x2, ...: not sorted
  m = ImportLightGBMText(*text, "m.txt", o);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("\"x9\" is listed before \"x10\""), std::string::npos)
      << m.status().message();
  s.columns[3].category_order = CategoryOrder::kListed;
  m = ImportLightGBMText(*text, "m.txt", o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->sections.at("import")["categorical"][0]["order"], "listed");
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
