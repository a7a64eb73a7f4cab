#include "model/xgboost_import.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/file_io.h"
#include "model/import_fixture_reader.h"
#include "model/link_function.h"
#include "model/split_rule.h"

namespace keel {
namespace {

std::string Fixture(const std::string& name) {
  return std::string(KEEL_FIXTURES_DIR) + "/xgboost/" + name;
}

// Margins by walking the IR (model/split_rule.h), independent of the compiled predictor.
std::vector<double> IrMargins(const Model& m, const std::vector<float>& x) {
  std::vector<double> out(m.base_margin);
  for (const Tree& t : m.forest.trees) {
    out[static_cast<size_t>(t.class_index)] +=
        t.nodes[static_cast<size_t>(LeafIndex(t, x.data()))].value;
  }
  return out;
}

struct Worst {
  double prob = 0, margin = 0;
};

// Compares the imported model with XGBoost's own outputs on every fixture row.
Worst CompareWithXGBoost(const std::string& name) {
  auto model = ImportXGBoostFile(Fixture(name + "_model.json"));
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  if (!model.ok()) return {1e9, 1e9};
  const auto rows = ReadNumericCsv(Fixture(name + "_rows.csv"));
  const auto pred = ReadNumericCsv(Fixture(name + "_pred.csv"));
  EXPECT_EQ(rows.rows.size(), pred.rows.size());
  EXPECT_GT(rows.rows.size(), 100u);
  // Column order of the rows file is the model's feature order.
  EXPECT_EQ(rows.header.size(), model->features.size());
  for (size_t f = 0; f < model->features.size(); ++f)
    EXPECT_EQ(rows.header[f], model->features[f].name);
  const size_t k = static_cast<size_t>(model->num_outputs);
  Worst worst;
  for (size_t r = 0; r < rows.rows.size(); ++r) {
    std::vector<float> x(rows.rows[r].begin(), rows.rows[r].end());
    std::vector<double> m = IrMargins(*model, x);
    std::vector<double> p(k);
    MarginsToPredictions(model->objective, model->num_outputs, m.data(), p.data());
    for (size_t o = 0; o < k; ++o) {
      const double want_p = pred.rows[r][o];
      const double want_m = pred.rows[r][k + o];
      // Absolute for probabilities; relative to the value's size for regression.
      const double dp = std::abs(p[o] - want_p) / std::max(1.0, std::abs(want_p));
      const double dm = std::abs(m[o] - want_m) / std::max(1.0, std::abs(want_m));
      worst.prob = std::max(worst.prob, dp);
      worst.margin = std::max(worst.margin, dm);
      EXPECT_LE(dp, 1e-6) << name << " row " << r << " output " << o << ": keel " << p[o]
                          << " xgboost " << want_p;
    }
  }
  return worst;
}

TEST(XGBoostImport, BinaryWithMissingValuesMatchesXGBoost) {
  const Worst w = CompareWithXGBoost("binary_missing");
  RecordProperty("worst_prob_error", std::to_string(w.prob));
  EXPECT_LE(w.margin, 1e-5);
}

TEST(XGBoostImport, NativeCategoricalSplitsMatchXGBoost) {
  const Worst w = CompareWithXGBoost("categorical");
  EXPECT_LE(w.margin, 1e-5);
}

TEST(XGBoostImport, OneHotCategoricalSplitsMatchXGBoost) {
  const Worst w = CompareWithXGBoost("categorical_onehot");
  EXPECT_LE(w.margin, 1e-5);
}

TEST(XGBoostImport, MulticlassMatchesXGBoost) {
  const Worst w = CompareWithXGBoost("multiclass");
  EXPECT_LE(w.margin, 1e-5);
}

TEST(XGBoostImport, RegressionMatchesXGBoost) {
  const Worst w = CompareWithXGBoost("regression");
  EXPECT_LE(w.margin, 1e-6);
}

TEST(XGBoostImport, ReadsStructureObjectiveAndFeatures) {
  auto m = ImportXGBoostFile(Fixture("multiclass_model.json"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->objective, Objective::kMultiSoftmax);
  EXPECT_EQ(m->num_outputs, 3);
  EXPECT_EQ(m->forest.trees.size(), 60u);
  EXPECT_EQ(m->forest.trees[1].class_index, 1);
  EXPECT_EQ(m->labels.classes, (std::vector<std::string>{"0", "1", "2"}));
  ASSERT_EQ(m->features.size(), 7u);
  EXPECT_EQ(m->features[0].name, "island");
  EXPECT_EQ(m->features[0].kind, FeatureSpec::Kind::kCategorical);
  EXPECT_TRUE(m->features[0].categories.empty());  // takes codes
  EXPECT_EQ(m->features[1].kind, FeatureSpec::Kind::kNumeric);
  ASSERT_EQ(m->schema.columns.size(), 7u);
  EXPECT_EQ(m->schema.columns[0].kind, ColumnKind::kNumeric);  // codes arrive as numbers
  EXPECT_EQ(m->sections.at("import")["from"], "xgboost");
  // Covers are XGBoost's sum_hessian (TreeSHAP needs them).
  EXPECT_GT(m->forest.trees[0].nodes[0].cover, 0);
}

TEST(XGBoostImport, BaseScoreBecomesLogitForBinary) {
  auto text = ReadFile(Fixture("binary_missing_model.json"));
  ASSERT_TRUE(text.ok());
  std::string t = *text;
  const std::string from = "\"base_score\":\"5E-1\"";
  const size_t at = t.find(from);
  ASSERT_NE(at, std::string::npos);
  t.replace(at, from.size(), "\"base_score\":\"2.5E-1\"");
  auto m = ImportXGBoostJson(t, "m.json");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_NEAR(m->base_margin[0], std::log(0.25 / 0.75), 1e-12);
}

TEST(XGBoostImport, SchemaNamesUnnamedFeaturesAndChecksNamedOnes) {
  auto text = ReadFile(Fixture("binary_missing_model.json"));
  ASSERT_TRUE(text.ok());
  Schema s;
  for (const char* n : {"Seniority", "Home", "Time", "Age", "Marital", "Records", "Job", "Expenses",
                        "Income", "Assets", "Debt", "Amount", "Price"}) {
    s.columns.push_back({n, ColumnKind::kNumeric, Role::kFeature, {}, {}, {}, {}});
  }
  s.columns.push_back({"Status", ColumnKind::kCategorical, Role::kTarget, {}, {}, {}, {}});
  ImportOptions o;
  o.schema = &s;
  auto m = ImportXGBoostJson(*text, "m.json", o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->schema.columns.size(), 14u);
  EXPECT_EQ(m->schema.columns[13].role, Role::kTarget);
  s.columns.erase(s.columns.begin() + 2);  // no "Time"
  auto bad = ImportXGBoostJson(*text, "m.json", o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'Time'"), std::string::npos);
}

TEST(XGBoostImport, HostileInputIsAClearError) {
  auto check = [](std::string_view text, StatusCode code) {
    auto m = ImportXGBoostJson(text, "bad.json");
    ASSERT_FALSE(m.ok()) << text;
    EXPECT_EQ(m.status().code(), code) << m.status().ToString();
    EXPECT_NE(m.status().message().find("bad.json"), std::string::npos) << m.status().message();
  };
  check("", StatusCode::kParseError);
  check("{\"learner\": ", StatusCode::kParseError);
  check("[1, 2]", StatusCode::kParseError);
  check(std::string(10000, '['), StatusCode::kParseError);
  check("{}", StatusCode::kCorrupt);
  check(R"({"learner": {"learner_model_param": {"base_score": "0.5", "num_feature": "2"},
           "objective": {"name": "rank:pairwise"}}})",
        StatusCode::kUnsupported);
  const std::string head = R"({"learner": {"learner_model_param": {"base_score": "0.5",
      "num_feature": "2", "num_class": "0"}, "objective": {"name": "binary:logistic"},
      "gradient_booster": {"name": "gbtree", "model": {"tree_info": [0], "trees": [)";
  // A child index out of range, a cycle, a feature out of range, mismatched array lengths.
  check(head + R"({"left_children": [1, -1], "right_children": [5, -1], "split_indices": [0, 0],
      "default_left": [0, 0], "split_conditions": [0.5, 1]}]}}}})",
        StatusCode::kCorrupt);
  check(head + R"({"left_children": [0, -1], "right_children": [1, -1], "split_indices": [0, 0],
      "default_left": [0, 0], "split_conditions": [0.5, 1]}]}}}})",
        StatusCode::kCorrupt);
  check(head + R"({"left_children": [1, -1, -1], "right_children": [2, -1, -1],
      "split_indices": [7, 0, 0], "default_left": [0, 0, 0], "split_conditions": [0.5, 1, 2]}]}}}})",
        StatusCode::kCorrupt);
  check(head + R"({"left_children": [1, -1, -1], "right_children": [2, -1],
      "split_indices": [0, 0, 0], "default_left": [0, 0, 0], "split_conditions": [0.5, 1, 2]}]}}}})",
        StatusCode::kCorrupt);
  check(head + R"({"left_children": [1, -1, -1], "right_children": [2, -1, -1],
      "split_indices": [0, 0, 0], "default_left": [0, 0, 0], "split_conditions": [NaN, 1, 2]}]}}}})",
        StatusCode::kCorrupt);
  check(head + R"({"left_children": "x"}]}}}})", StatusCode::kCorrupt);
  // A valid minimal model imports.
  auto ok =
      ImportXGBoostJson(head + R"({"left_children": [1, -1, -1], "right_children": [2, -1, -1],
      "split_indices": [1, 0, 0], "default_left": [1, 0, 0], "split_conditions": [0.5, -1, Infinity]}]}}}})",
                        "ok.json");
  EXPECT_FALSE(ok.ok());  // an infinite leaf is refused
  ok = ImportXGBoostJson(head + R"({"left_children": [1, -1, -1], "right_children": [2, -1, -1],
      "split_indices": [1, 0, 0], "default_left": [1, 0, 0], "split_conditions": [Infinity, -1, 2]}]}}}})",
                         "ok.json");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->features[0].name, "f0");
  EXPECT_TRUE(std::isinf(ok->forest.trees[0].nodes[0].threshold));
}

}  // namespace
}  // namespace keel
