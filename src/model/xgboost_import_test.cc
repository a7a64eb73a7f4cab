#include "model/xgboost_import.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

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
  // multi:softmax: XGBoost predicts the class index ("class", then the k margins).
  const bool class_index = pred.header.at(0) == "class";
  // binary:logitraw: XGBoost predicts the margin ("prediction"); Keel, the probability.
  const bool margin_prediction = pred.header.at(0) == "prediction" && model->task == Task::kBinary;
  const size_t margin_column = class_index ? 1 : k;
  EXPECT_EQ(pred.header.size(), margin_column + k);
  Worst worst;
  for (size_t r = 0; r < rows.rows.size(); ++r) {
    std::vector<float> x(rows.rows[r].begin(), rows.rows[r].end());
    std::vector<double> m = IrMargins(*model, x);
    std::vector<double> p(k);
    MarginsToPredictions(model->objective, model->num_outputs, m.data(), p.data());
    if (class_index) {
      const size_t best = static_cast<size_t>(std::max_element(p.begin(), p.end()) - p.begin());
      EXPECT_EQ(static_cast<double>(best), pred.rows[r][0]) << name << " row " << r;
    }
    for (size_t o = 0; o < k; ++o) {
      const double want_m = pred.rows[r][margin_column + o];
      double want_p = class_index ? p[o] : pred.rows[r][o];  // margins decide for softmax
      if (margin_prediction) {
        EXPECT_EQ(pred.rows[r][o], want_m);
        want_p = Sigmoid(want_m);
      }
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

// The regressions with a link: predictions through the link and raw margins (base_score's
// logit or log plus the trees) equal XGBoost's predict() and predict(output_margin=True).
TEST(XGBoostImport, RegLogisticMatchesXGBoost) {
  const Worst w = CompareWithXGBoost("reg_logistic");
  EXPECT_LE(w.margin, 1e-5);
}

TEST(XGBoostImport, PoissonMatchesXGBoost) {
  const Worst w = CompareWithXGBoost("poisson");
  EXPECT_LE(w.margin, 1e-6);
}

TEST(XGBoostImport, GammaMatchesXGBoost) {
  const Worst w = CompareWithXGBoost("gamma");
  EXPECT_LE(w.margin, 1e-6);
}

TEST(XGBoostImport, TweedieMatchesXGBoost) {
  const Worst w = CompareWithXGBoost("tweedie");
  EXPECT_LE(w.margin, 1e-6);
}

// binary:logitraw: XGBoost's prediction is the margin (base_score 0.2, taken as a margin);
// Keel's is its sigmoid, and `--raw` gives the margin.
TEST(XGBoostImport, LogitRawMatchesXGBoostsMargin) {
  const Worst w = CompareWithXGBoost("logitraw");
  EXPECT_LE(w.margin, 1e-6);
  auto m = ImportXGBoostFile(Fixture("logitraw_model.json"));
  ASSERT_TRUE(m.ok());
  EXPECT_FLOAT_EQ(static_cast<float>(m->base_margin[0]), 0.2f);
}

// multi:softmax: XGBoost's prediction is the class index; Keel's class probabilities take the
// same class, from the same margins.
TEST(XGBoostImport, MultiSoftmaxMatchesXGBoostsClassesAndMargins) {
  const Worst w = CompareWithXGBoost("softmax");
  EXPECT_LE(w.margin, 1e-6);
}

// reg:absoluteerror (base_score the labels' median, leaves refit by XGBoost) and
// reg:pseudohubererror (base_score 150): the prediction is the margin.
TEST(XGBoostImport, AbsoluteErrorMatchesXGBoost) {
  const Worst w = CompareWithXGBoost("absoluteerror");
  EXPECT_LE(w.margin, 1e-6);
}

TEST(XGBoostImport, PseudoHuberMatchesXGBoost) {
  const Worst w = CompareWithXGBoost("pseudohuber");
  EXPECT_LE(w.margin, 1e-6);
}

// dart trained with dropout (rate_drop 0.3): every tree's leaves scaled by its weight_drop.
TEST(XGBoostImport, DartWithDroppedTreesMatchesXGBoost) {
  auto text = ReadFile(Fixture("dart_model.json"));
  ASSERT_TRUE(text.ok());
  // The file holds NaN literals JSON parsers refuse: read the weight_drop list as text.
  const size_t at = text->find("\"weight_drop\":[");
  ASSERT_NE(at, std::string::npos);
  std::stringstream weights(text->substr(at + 15, text->find(']', at) - at - 15));
  int scaled = 0;
  for (std::string w; std::getline(weights, w, ',');) scaled += std::stod(w) != 1.0;
  EXPECT_GT(scaled, 20);  // the dropout really happened
  const Worst w = CompareWithXGBoost("dart");
  EXPECT_LE(w.margin, 1e-6);
}

// Category codes the model never saw (past its categories, on 40 rows of each categorical
// feature) go where XGBoost sends them: not in the split's set, so left.
TEST(XGBoostImport, UnseenCategoryCodesMatchXGBoost) {
  const Worst w = CompareWithXGBoost("categorical_unseen");
  EXPECT_LE(w.margin, 1e-6);
}

TEST(XGBoostImport, LinkRegressionsAreRegressionsWithTheirBaseMargin) {
  struct Case {
    const char* name;
    Objective objective;
    double base_margin;  // the fixture's base_score through the inverse link
  };
  const Case cases[] = {{"reg_logistic", Objective::kRegLogistic, std::log(0.3 / 0.7)},
                        {"poisson", Objective::kPoisson, std::log(0.5)},
                        {"gamma", Objective::kGamma, std::log(1.5)},
                        {"tweedie", Objective::kTweedie, std::log(0.5)}};
  for (const Case& c : cases) {
    auto m = ImportXGBoostFile(Fixture(std::string(c.name) + "_model.json"));
    ASSERT_TRUE(m.ok()) << c.name << ": " << m.status().ToString();
    EXPECT_EQ(m->objective, c.objective) << c.name;
    EXPECT_EQ(m->task, Task::kRegression) << c.name;
    EXPECT_TRUE(m->labels.classes.empty()) << c.name;
    ASSERT_EQ(m->base_margin.size(), 1u);
    // base_score is a float32: its logit or log is within float precision of the exact one.
    EXPECT_NEAR(m->base_margin[0], c.base_margin, 1e-7) << c.name;
  }
  auto tweedie = ImportXGBoostFile(Fixture("tweedie_model.json"));
  ASSERT_TRUE(tweedie.ok());
  EXPECT_NEAR(tweedie->sections.at("import")["tweedie_variance_power"].get<double>(), 1.3, 1e-6);
  EXPECT_NEAR(tweedie->tweedie_variance_power, 1.3, 1e-6);
}

// XGBoost 2's reg:quantileerror, made from the regression fixture (XGBoost 1.7.4 has no
// quantile objective): the same trees with the identity link, and the model's alpha; a model
// of several alphas (several outputs) is refused.
TEST(XGBoostImport, QuantileErrorKeepsItsAlphaAndTheIdentityLink) {
  auto text = ReadFile(Fixture("regression_model.json"));
  ASSERT_TRUE(text.ok());
  const std::string from =
      R"("objective":{"name":"reg:squarederror","reg_loss_param":{"scale_pos_weight":"1"}})";
  const size_t at = text->find(from);
  ASSERT_NE(at, std::string::npos);
  auto with_alpha = [&](const std::string& alpha) {
    std::string t = *text;
    t.replace(at, from.size(),
              R"("objective":{"name":"reg:quantileerror","quantile_loss_param":)"
              R"({"quantile_alpha":")" +
                  alpha + R"("}})");
    return ImportXGBoostJson(t, "q.json");
  };
  auto q = with_alpha("[0.9]");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  auto sq = ImportXGBoostFile(Fixture("regression_model.json"));
  ASSERT_TRUE(sq.ok());
  EXPECT_EQ(q->objective, Objective::kQuantile);
  EXPECT_EQ(q->task, Task::kRegression);
  EXPECT_DOUBLE_EQ(q->quantile_alpha, 0.9);
  EXPECT_EQ(q->base_margin, sq->base_margin);
  ASSERT_EQ(q->forest.trees.size(), sq->forest.trees.size());
  double m = 0.7;
  double p = 0;
  MarginsToPredictions(q->objective, 1, &m, &p);
  EXPECT_EQ(p, 0.7);
  auto plain = with_alpha("0.25");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_DOUBLE_EQ(plain->quantile_alpha, 0.25);
  auto several = with_alpha("[0.1,0.9]");
  ASSERT_FALSE(several.ok());
  EXPECT_NE(several.status().message().find("2 quantile levels"), std::string::npos)
      << several.status().ToString();
  auto out_of_range = with_alpha("[1.5]");
  EXPECT_FALSE(out_of_range.ok());
}

TEST(XGBoostImport, BaseScoreOutsideTheLinksDomainIsRefused) {
  struct Case {
    const char* name;
    const char* base_score;
    const char* says;
  };
  const Case cases[] = {{"poisson", "0E0", "not positive"},
                        {"gamma", "-2E0", "not positive"},
                        {"tweedie", "0E0", "not positive"},
                        {"reg_logistic", "1E0", "not in (0, 1)"}};
  for (const Case& c : cases) {
    auto text = ReadFile(Fixture(std::string(c.name) + "_model.json"));
    ASSERT_TRUE(text.ok());
    std::string t = *text;
    const size_t at = t.find("\"base_score\":\"");
    ASSERT_NE(at, std::string::npos) << c.name;
    const size_t end = t.find('"', at + 14);
    t.replace(at, end + 1 - at, std::string("\"base_score\":\"") + c.base_score + "\"");
    auto m = ImportXGBoostJson(t, "m.json");
    ASSERT_FALSE(m.ok()) << c.name;
    EXPECT_NE(m.status().message().find(c.says), std::string::npos) << m.status().ToString();
    EXPECT_NE(m.status().message().find("m.json"), std::string::npos) << m.status().ToString();
  }
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

TEST(XGBoostImport, MonotoneConstraintsOfTheConfigurationAreRecordedAndVerified) {
  // make_monotone_fixture.py: XGBoost trained with monotone_constraints "(1,0,-1)".
  auto m = ImportXGBoostFile(Fixture("monotone_model.json"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const nlohmann::json& c = m->sections.at("constraints");
  EXPECT_EQ(c["source"], "xgboost");
  EXPECT_EQ(c["monotone"], nlohmann::json::parse(R"({"f0": 1, "f2": -1})"));
  EXPECT_EQ(c["monotone_verified"], true);
  EXPECT_EQ(c["verified"], true);
}

TEST(XGBoostImport, InteractionConstraintsOfTheConfigurationAreRecordedAndVerified) {
  // make_interaction_fixture.py: XGBoost trained with interaction_constraints [[0,1],[2,3]].
  auto text = ReadFile(Fixture("interaction_model.json"));
  ASSERT_TRUE(text.ok());
  auto m = ImportXGBoostJson(*text, "interaction_model.json");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const nlohmann::json& c = m->sections.at("constraints");
  EXPECT_EQ(c["source"], "xgboost");
  EXPECT_EQ(c["interactions"], nlohmann::json::parse(R"([["f0", "f1"], ["f2", "f3"]])"));
  EXPECT_EQ(c["interactions_verified"], true) << c.dump();
  EXPECT_EQ(c["verified"], true);
  // The same trees claiming x3 may not meet x2 (x3 joins x4, the unlisted group): broken.
  const std::string declared = R"("interaction_constraints": "[[0,1],[2,3]]")";
  const size_t at = text->find(declared);
  ASSERT_NE(at, std::string::npos);
  std::string t = *text;
  t.replace(at, declared.size(), R"("interaction_constraints":"[[0,1],[2]]")");
  auto broken = ImportXGBoostJson(t, "m.json");
  ASSERT_TRUE(broken.ok()) << broken.status().ToString();
  const nlohmann::json& b = broken->sections.at("constraints");
  EXPECT_EQ(b["interactions_verified"], false);
  ASSERT_FALSE(b["violations"].empty());
  // Names are read too; an unknown name or index is a parse error naming the field.
  t = *text;
  t.replace(at, declared.size(), R"("interaction_constraints":"[[\"f0\",\"f1\"],[2,3]]")");
  auto named = ImportXGBoostJson(t, "m.json");
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(named->sections.at("constraints")["interactions"], c["interactions"]);
  t = *text;
  t.replace(at, declared.size(), R"("interaction_constraints":"[[0,5]]")");
  auto refused = ImportXGBoostJson(t, "m.json");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("interaction_constraints"), std::string::npos)
      << refused.status().ToString();
}

// The "updater" object of Booster.save_config with `constraints` as monotone_constraints.
std::string Updater(const std::string& constraints) {
  return R"j("updater":{"grow_quantile_histmaker":{"train_param":{"monotone_constraints":")j" +
         constraints + R"j("}}},)j";
}

TEST(XGBoostImport, DeclaredConstraintsTheTreesBreakAreReportedNotRefused) {
  // An unconstrained ames model that claims Gr_Liv_Area (feature 4) is decreasing.
  auto text = ReadFile(Fixture("regression_model.json"));
  ASSERT_TRUE(text.ok());
  const size_t at = text->rfind(R"("name":"gbtree")");
  ASSERT_NE(at, std::string::npos);
  std::string t = *text;
  t.insert(at, Updater("(0,0,0,0,-1)"));
  auto m = ImportXGBoostJson(t, "m.json");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const nlohmann::json& c = m->sections.at("constraints");
  EXPECT_EQ(c["monotone"], nlohmann::json::parse(R"({"Gr_Liv_Area": -1})"));
  EXPECT_EQ(c["verified"], false);
  ASSERT_FALSE(c["violations"].empty());
  EXPECT_NE(c["violations"][0].get<std::string>().find("Gr_Liv_Area -1"), std::string::npos);
  // A malformed list is a parse error naming the field.
  std::string bad = *text;
  bad.insert(at, Updater("(2)"));
  auto refused = ImportXGBoostJson(bad, "m.json");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("monotone_constraints"), std::string::npos)
      << refused.status().ToString();
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

// categorical_model.json was trained on credit_data.csv with pandas' default categories.
Schema CreditSchema() {
  Schema s;
  for (const char* n :
       {"Seniority", "Time", "Age", "Expenses", "Income", "Assets", "Debt", "Amount", "Price"}) {
    s.columns.push_back({.name = n, .kind = ColumnKind::kNumeric});
  }
  const std::pair<const char*, std::vector<std::string>> cats[] = {
      {"Home", {"ignore", "other", "owner", "parents", "priv", "rent"}},
      {"Marital", {"divorced", "married", "separated", "single", "widow"}},
      {"Records", {"no", "yes"}},
      {"Job", {"fixed", "freelance", "others", "partime"}}};
  for (const auto& [name, list] : cats) {
    s.columns.push_back({.name = name, .kind = ColumnKind::kCategorical, .categories = list});
  }
  return s;
}

Result<Model> ImportCredit(const Schema& s) {
  auto text = ReadFile(Fixture("categorical_model.json"));
  if (!text.ok()) return text.status();
  ImportOptions o;
  o.schema = &s;
  o.schema_name = "s.yaml";
  return ImportXGBoostJson(*text, "m.json", o);
}

std::string ImportError(const Schema& s) {
  auto m = ImportCredit(s);
  EXPECT_FALSE(m.ok());
  if (m.ok()) return "";
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  return m.status().message();
}

TEST(XGBoostImport, SortedSchemaCategoriesNameTheCodes) {
  const Schema s = CreditSchema();
  auto m = ImportCredit(s);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->features[1].name, "Home");
  EXPECT_EQ(m->features[1].categories, s.Find("Home")->categories);
  const auto& codings = m->sections.at("import")["categorical"];
  ASSERT_EQ(codings.size(), 4u);
  EXPECT_EQ(codings[0]["feature"], "Home");
  EXPECT_EQ(codings[0]["order"], "sorted");
  EXPECT_EQ(codings[0]["categories"], 6);
  EXPECT_EQ(codings[0]["max_code"], 5);
  EXPECT_EQ(m->sections.at("import")["from"], "xgboost");
}

TEST(XGBoostImport, AnUnsortedListIsRefusedUnlessItIsTheCodeOrder) {
  Schema s = CreditSchema();
  // The order of first appearance in credit_data.csv.
  s.Find("Home")->categories = {"rent", "owner", "parents", "priv", "other", "ignore"};
  const std::string why = ImportError(s);
  EXPECT_NE(why.find("feature 'Home'"), std::string::npos) << why;
  EXPECT_NE(why.find("s.yaml"), std::string::npos) << why;
  EXPECT_NE(why.find("\"rent\" is listed before \"owner\""), std::string::npos) << why;
  EXPECT_NE(why.find("[\"ignore\", \"other\", \"owner\", \"parents\", \"priv\", \"rent\"]"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("category_order: listed"), std::string::npos) << why;
  s.Find("Home")->category_order = CategoryOrder::kSorted;  // a claim the list contradicts
  EXPECT_NE(ImportError(s).find("is listed before"), std::string::npos);

  s.Find("Home")->category_order = CategoryOrder::kListed;
  auto m = ImportCredit(s);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->features[1].categories[0], "rent");
  EXPECT_EQ(m->sections.at("import")["categorical"][0]["order"], "listed");
}

TEST(XGBoostImport, CategoriesMarkedUnknownAreRefused) {
  Schema s = CreditSchema();
  s.Find("Job")->category_order = CategoryOrder::kUnknown;
  s.Find("Job")->category_order_note = "Keel reads \"?\" as missing, pandas as a category";
  const std::string why = ImportError(s);
  EXPECT_NE(why.find("feature 'Job'"), std::string::npos) << why;
  EXPECT_NE(why.find("category_order: unknown` (Keel reads \"?\""), std::string::npos) << why;
  EXPECT_NE(why.find("list(frame['Job'].cat.categories)"), std::string::npos) << why;
}

TEST(XGBoostImport, CodesBeyondTheListedCategoriesAreRefused) {
  Schema s = CreditSchema();
  s.Find("Home")->categories = {"ignore", "other", "owner"};
  const std::string why = ImportError(s);
  EXPECT_NE(why.find("the splits on feature 'Home' use category code 5"), std::string::npos) << why;
  EXPECT_NE(why.find("s.yaml lists 3 categories for it (codes 0 to 2)"), std::string::npos) << why;
  s = CreditSchema();
  s.Find("Home")->categories.clear();
  EXPECT_NE(ImportError(s).find("lists no categories for column 'Home'"), std::string::npos);
}

TEST(XGBoostImport, ACategoricalFeatureOnAnotherKindOfColumnIsRefused) {
  for (ColumnKind kind :
       {ColumnKind::kNumeric, ColumnKind::kTimestamp, ColumnKind::kString, ColumnKind::kBoolean}) {
    Schema s = CreditSchema();
    s.Find("Marital")->kind = kind;
    s.Find("Marital")->categories.clear();
    const std::string why = ImportError(s);
    EXPECT_NE(why.find("reads column 'Marital' as " + std::string(ColumnKindName(kind))),
              std::string::npos)
        << why;
    EXPECT_NE(why.find("kind: categorical"), std::string::npos) << why;
  }
  // Records' splits use code 0 only: a boolean column's false = 0, true = 1 is pandas' order.
  Schema s = CreditSchema();
  s.Find("Records")->kind = ColumnKind::kBoolean;
  s.Find("Records")->categories.clear();
  auto m = ImportCredit(s);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->sections.at("import")["categorical"][2]["order"], "boolean");
}

TEST(XGBoostImport, WithoutASchemaCategoricalFeaturesTakeCodes) {
  auto text = ReadFile(Fixture("categorical_model.json"));
  ASSERT_TRUE(text.ok());
  auto m = ImportXGBoostJson(*text, "m.json");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->features[1].categories.empty());
  EXPECT_EQ(m->schema.columns[1].kind, ColumnKind::kNumeric);
  EXPECT_EQ(m->sections.at("import")["categorical"][0]["order"], "codes");
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
