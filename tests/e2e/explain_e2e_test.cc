// `keel explain` as a user runs it: XGBoost models imported with `keel import` are explained
// exactly as XGBoost's pred_contribs (tests/fixtures/xgboost), rows sum to the raw margins of
// `keel predict --raw`, reason codes, the --json summary, and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "keel_process.h"

namespace keel::e2e {
namespace {

using Csv = std::vector<std::vector<std::string>>;

Csv ParseCsv(const std::string& text) {
  Csv rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(cell);
      cell.clear();
    } else if (c == '\n') {
      row.push_back(cell);
      cell.clear();
      rows.push_back(row);
      row.clear();
    } else if (c != '\r') {
      cell.push_back(c);
    }
  }
  return rows;
}

size_t Column(const Csv& csv, const std::string& name) {
  const auto& h = csv.at(0);
  const auto it = std::find(h.begin(), h.end(), name);
  EXPECT_NE(it, h.end()) << "no column " << name;
  return static_cast<size_t>(it - h.begin());
}

double Number(const std::string& s) {
  return s.empty() ? NAN : std::stod(s);
}

std::string Import(const TempDir& dir, const std::string& fixture) {
  const std::string model = dir.File(fixture + ".keel");
  auto r = RunKeel({"import", "--from", "xgboost",
                    FixtureFile("xgboost/" + fixture + "_model.json"), "--out", model});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return model;
}

// Every SHAP value of `fixture` equals XGBoost's pred_contribs (same column names).
void ExpectMatchesXGBoost(const std::string& fixture) {
  SCOPED_TRACE(fixture);
  TempDir dir;
  const std::string model = Import(dir, fixture);
  const std::string out = dir.File("shap.csv");
  auto r = RunKeel({"explain", "--model", model, "--data",
                    FixtureFile("xgboost/" + fixture + "_rows.csv"), "--out", out, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const Csv got = ParseCsv(ReadText(out));
  const Csv want = ParseCsv(ReadText(FixtureFile("xgboost/" + fixture + "_contribs.csv")));
  ASSERT_EQ(got.size(), want.size());
  EXPECT_EQ(j["rows_explained"].get<size_t>(), want.size() - 1);
  ASSERT_EQ(got[0].size(), want[0].size());
  double worst = 0;
  for (size_t c = 0; c < want[0].size(); ++c) {
    const size_t g = Column(got, want[0][c]);
    for (size_t r2 = 1; r2 < want.size(); ++r2) {
      const double d = std::abs(Number(got[r2][g]) - Number(want[r2][c]));
      ASSERT_FALSE(std::isnan(d)) << want[0][c] << " row " << r2;
      worst = std::max(worst, d);
    }
  }
  // XGBoost works in float32; classification margins are small, so 1e-5 absolute holds.
  EXPECT_LE(worst, 1e-5);
}

TEST(ExplainE2e, BinaryWithMissingValuesEqualsXGBoostPredContribs) {
  ExpectMatchesXGBoost("binary_missing");
}

TEST(ExplainE2e, CategoricalSplitsEqualXGBoostPredContribs) {
  ExpectMatchesXGBoost("categorical");
}

TEST(ExplainE2e, MulticlassEqualsXGBoostPredContribsPerClass) {
  ExpectMatchesXGBoost("multiclass");
}

TEST(ExplainE2e, RowsSumToPredictRawMarginsAndJsonSummarises) {
  TempDir dir;
  const std::string model = Import(dir, "categorical_onehot");
  const std::string rows = FixtureFile("xgboost/categorical_onehot_rows.csv");
  auto p =
      RunKeel({"predict", "--model", model, "--data", rows, "--out", dir.File("p.csv"), "--raw"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto e = RunKeel({"explain", "--model", model, "--data", rows, "--out", dir.File("s.csv"),
                    "--json", "--threads", "2"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const Csv pred = ParseCsv(ReadText(dir.File("p.csv")));
  const Csv shap = ParseCsv(ReadText(dir.File("s.csv")));
  ASSERT_EQ(pred.size(), shap.size());
  size_t raw = pred[0].size();
  for (size_t c = 0; c < pred[0].size(); ++c) {
    if (pred[0][c].rfind("raw", 0) == 0) raw = c;
  }
  ASSERT_LT(raw, pred[0].size());
  for (size_t r = 1; r < shap.size(); ++r) {
    double sum = 0;
    for (const auto& v : shap[r]) sum += Number(v);
    ASSERT_NEAR(sum, Number(pred[r][raw]), 1e-6) << "row " << r;
  }
  const auto j = nlohmann::json::parse(e.out);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["explainer"], "tree_shap");
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["rows_explained"].get<size_t>(), shap.size() - 1);
  ASSERT_TRUE(j["importance"].is_array());
  ASSERT_EQ(j["importance"].size(), shap[0].size() - 1);
  // Sorted by mean |SHAP|, each with gain and split counts.
  for (size_t i = 1; i < j["importance"].size(); ++i) {
    EXPECT_GE(j["importance"][i - 1]["mean_abs_shap"].get<double>(),
              j["importance"][i]["mean_abs_shap"].get<double>());
  }
  EXPECT_GT(j["importance"][0]["gain"].get<double>(), 0.0);
  EXPECT_GT(j["importance"][0]["splits"].get<int>(), 0);
  EXPECT_GT(j["rows_per_second"].get<double>(), 0.0);
  EXPECT_TRUE(j["seconds"].contains("explain"));
  EXPECT_GT(j["tree_shap"]["table_trees"].get<int>(), 0);
}

TEST(ExplainE2e, TopAddsReasonCodesAndSentences) {
  TempDir dir;
  const std::string model = Import(dir, "binary_missing");
  auto r = RunKeel({"explain", "--model", model, "--data",
                    FixtureFile("xgboost/binary_missing_rows.csv"), "--out", dir.File("s.csv"),
                    "--top", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("explained"), std::string::npos);
  const Csv shap = ParseCsv(ReadText(dir.File("s.csv")));
  const size_t up = Column(shap, "up_1_feature");
  const size_t up_shap = Column(shap, "up_1_shap");
  const size_t down = Column(shap, "down_2_shap");
  const size_t reason = Column(shap, "reason");
  EXPECT_EQ(reason, shap[0].size() - 1);
  size_t sentences = 0;
  for (size_t i = 1; i < shap.size(); ++i) {
    if (!shap[i][up].empty()) {
      EXPECT_GT(Number(shap[i][up_shap]), 0.0);
      // The feature's own SHAP column holds the same value.
      EXPECT_EQ(shap[i][Column(shap, shap[i][up])], shap[i][up_shap]);
    }
    if (!shap[i][down].empty()) EXPECT_LT(Number(shap[i][down]), 0.0);
    sentences += shap[i][reason].find(" the most (") != std::string::npos;
  }
  EXPECT_EQ(sentences, shap.size() - 1);
}

TEST(ExplainE2e, PartialDependenceInTheJsonSummary) {
  TempDir dir;
  const std::string model = Import(dir, "binary_missing");
  auto r = RunKeel({"explain", "--model", model, "--data",
                    FixtureFile("xgboost/binary_missing_rows.csv"), "--out", dir.File("s.csv"),
                    "--json", "--partial-dependence", "Income", "--grid-points", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& pd = j["partial_dependence"];
  EXPECT_EQ(pd["feature"], "Income");
  ASSERT_GE(pd["points"].size(), 3u);
  EXPECT_EQ(pd["points"].back()["value"], "missing");
  for (const auto& p : pd["points"]) {
    EXPECT_GT(p["mean_prediction"].get<double>(), 0.0);
    EXPECT_LT(p["mean_prediction"].get<double>(), 1.0);
  }
}

TEST(ExplainE2e, BadInputIsAClearError) {
  TempDir dir;
  auto missing = RunKeel({"explain", "--model", dir.File("nope.keel"), "--data",
                          FixtureFile("xgboost/binary_missing_rows.csv"), "--out",
                          dir.File("s.csv"), "--json"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope.keel"), std::string::npos) << missing.err;
  EXPECT_EQ(nlohmann::json::parse(missing.out)["ok"], false);

  const std::string model = Import(dir, "binary_missing");
  WriteText(dir.File("few.csv"), "Seniority,Home\n1,2\n");
  auto absent = RunKeel(
      {"explain", "--model", model, "--data", dir.File("few.csv"), "--out", dir.File("s.csv")});
  EXPECT_EQ(absent.exit_code, 1);
  // Refused by the reader (the model's schema): the file and the absent features are named.
  EXPECT_NE(absent.err.find("few.csv"), std::string::npos) << absent.err;
  EXPECT_NE(absent.err.find("\"Time\""), std::string::npos) << absent.err;
  EXPECT_NE(absent.err.find("\"Price\""), std::string::npos) << absent.err;

  auto bad_class = RunKeel({"explain", "--model", model, "--data",
                            FixtureFile("xgboost/binary_missing_rows.csv"), "--out",
                            dir.File("s.csv"), "--class", "x"});
  EXPECT_EQ(bad_class.exit_code, 1);
  EXPECT_NE(bad_class.err.find("multiclass"), std::string::npos) << bad_class.err;

  auto bad_pd = RunKeel({"explain", "--model", model, "--data",
                         FixtureFile("xgboost/binary_missing_rows.csv"), "--out", dir.File("s.csv"),
                         "--partial-dependence", "NoSuchFeature"});
  EXPECT_EQ(bad_pd.exit_code, 1);
  EXPECT_NE(bad_pd.err.find("NoSuchFeature"), std::string::npos) << bad_pd.err;

  auto usage = RunKeel({"explain", "--model", model, "--top", "-1"});
  EXPECT_EQ(usage.exit_code, 2);

  WriteText(dir.File("garbage.keel"), "not a model");
  auto corrupt =
      RunKeel({"explain", "--model", dir.File("garbage.keel"), "--data",
               FixtureFile("xgboost/binary_missing_rows.csv"), "--out", dir.File("s.csv")});
  EXPECT_EQ(corrupt.exit_code, 1);
  EXPECT_FALSE(corrupt.err.empty());
}

TEST(ExplainE2e, HelpExplainsEveryFlagWithItsDefault) {
  auto r = RunKeel({"explain", "--help"});
  ASSERT_EQ(r.exit_code, 0);
  for (const char* flag : {"--model", "--data", "--out", "--top", "--class", "--threads", "--json",
                           "--algorithm", "--max-table-mb", "--partial-dependence"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(r.out.find("default"), std::string::npos);
}

}  // namespace
}  // namespace keel::e2e
