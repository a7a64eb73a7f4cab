// keel schema infer -> keel import --schema -> keel predict end to end with a categorical
// XGBoost model trained from a pandas frame (tests/fixtures/xgboost/make_text_fixture.py):
// category names on the raw CSV score exactly as XGBoost scores, and a schema whose category
// order Keel cannot trust is refused with what to pass instead.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "keel_process.h"

namespace keel::e2e {
namespace {

const std::string kData = FixtureFile("xgboost/categorical_text_data.csv");
const std::string kModel = FixtureFile("xgboost/categorical_text_model.json");

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

// Column `name` of a CSV without quoted commas, as numbers.
std::vector<double> NumberColumn(const std::string& text, const std::string& name) {
  const auto lines = Lines(text);
  std::vector<double> out;
  if (lines.empty()) return out;
  std::vector<std::string> head;
  std::stringstream hs(lines[0]);
  for (std::string cell; std::getline(hs, cell, ',');) head.push_back(cell);
  const auto at = std::find(head.begin(), head.end(), name) - head.begin();
  for (size_t i = 1; i < lines.size(); ++i) {
    std::stringstream ss(lines[i]);
    std::string cell;
    for (long c = 0; c <= at; ++c) std::getline(ss, cell, ',');
    out.push_back(std::stod(cell));
  }
  return out;
}

std::string InferSchema(const TempDir& dir, const std::string& data) {
  auto r = RunKeel({"schema", "infer", data, "--target", "churned"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string path = dir.File("schema.yaml");
  WriteText(path, r.out);
  return path;
}

ProcessResult Import(const TempDir& dir, const std::string& schema) {
  return RunKeel({"import", "--from", "xgboost", kModel, "--schema", schema, "--out",
                  dir.File("m.keel"), "--json"});
}

// The YAML line of `key` inside the entry of column `column`.
size_t KeyLine(const std::string& yaml, const std::string& column, const std::string& key) {
  const size_t at = yaml.find("- name: " + column + "\n");
  EXPECT_NE(at, std::string::npos) << column;
  return yaml.find("    " + key + ":", at);
}

// Replaces the value of `key` in column `column`'s entry (adds the key when absent).
std::string SetKey(std::string yaml, const std::string& column, const std::string& key,
                   const std::string& value) {
  const size_t line = KeyLine(yaml, column, key);
  const size_t next_entry = yaml.find("  - name:", yaml.find("- name: " + column + "\n") + 1);
  if (line == std::string::npos || line > next_entry) {
    const size_t kind = KeyLine(yaml, column, "kind");
    const size_t end = yaml.find('\n', kind) + 1;
    yaml.insert(end, "    " + key + ": " + value + "\n");
    return yaml;
  }
  const size_t end = yaml.find('\n', line);
  yaml.replace(line, end - line, "    " + key + ": " + value);
  return yaml;
}

TEST(ImportE2e, CategoricalXGBoostWithAnInferredSchemaScoresAsXGBoost) {
  TempDir dir;
  const std::string schema = InferSchema(dir, kData);
  const std::string yaml = ReadText(schema);
  // pandas' default order (code point order), not the order of first appearance.
  EXPECT_NE(yaml.find("categories: [10 seats, 9 seats, Basic, Plus, basic+, pro, \"\xC3\x89"
                      "co\"]"),
            std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("categories: [Mid, North, South, east, west]"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("category_order: sorted"), std::string::npos) << yaml;

  auto r = Import(dir, schema);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto summary = nlohmann::json::parse(r.out);
  EXPECT_EQ(summary.value("categorical", nlohmann::json::array()).size(), 3u) << r.out;
  for (const auto& c : summary.value("categorical", nlohmann::json::array())) {
    EXPECT_EQ(c["order"], "sorted") << c;
  }

  r = RunKeel(
      {"predict", "--model", dir.File("m.keel"), "--data", kData, "--out", dir.File("p.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto got = NumberColumn(ReadText(dir.File("p.csv")), "prob_1");
  const auto want =
      NumberColumn(ReadText(FixtureFile("xgboost/categorical_text_pred.csv")), "prob_1");
  ASSERT_EQ(got.size(), want.size());
  size_t off = 0;
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    worst = std::max(worst, std::abs(got[i] - want[i]));
    off += std::abs(got[i] - want[i]) > 1e-6 ? 1 : 0;
  }
  EXPECT_EQ(off, 0u) << "rows off by more than 1e-6; worst " << worst;
}

// The XGBoost regressions with a link (tests/fixtures/xgboost/make_fixtures.py): keel import
// then keel predict --raw gives a regression's columns, the prediction equal to XGBoost's
// predict() and the raw margin to its predict(output_margin=True), within 1e-6 relative.
TEST(ImportE2e, XGBoostLinkRegressionsPredictAsXGBoost) {
  for (const std::string name : {"reg_logistic", "poisson", "gamma", "tweedie"}) {
    TempDir dir;
    auto r = RunKeel({"import", "--from", "xgboost", FixtureFile("xgboost/" + name + "_model.json"),
                      "--out", dir.File("m.keel"), "--json"});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out).value("task", ""), "regression") << r.out;
    const std::string rows = FixtureFile("xgboost/" + name + "_rows.csv");
    r = RunKeel({"predict", "--model", dir.File("m.keel"), "--data", rows, "--raw", "--out",
                 dir.File("p.csv")});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    const std::string out = ReadText(dir.File("p.csv"));
    EXPECT_EQ(Lines(out).at(0), "prediction,raw") << name;
    const std::string want = ReadText(FixtureFile("xgboost/" + name + "_pred.csv"));
    for (const auto& [got_col, want_col] :
         {std::pair<std::string, std::string>{"prediction", "prediction"}, {"raw", "margin"}}) {
      const auto got = NumberColumn(out, got_col);
      const auto ref = NumberColumn(want, want_col);
      ASSERT_EQ(got.size(), ref.size()) << name;
      double worst = 0;
      for (size_t i = 0; i < got.size(); ++i) {
        worst = std::max(worst, std::abs(got[i] - ref[i]) / std::max(1.0, std::abs(ref[i])));
      }
      EXPECT_LE(worst, 1e-6) << name << " " << got_col;
    }
  }
}

// A model trained with DMatrix(missing=-999) on data that writes missing values as -999
// (make_fixtures.py's missing_value): `keel predict --missing -999` reads those cells as
// missing and scores as XGBoost's predict(DMatrix(rows, missing=-999)); without the flag -999
// is a number and rows with it score differently.
TEST(ImportE2e, AMissingStandInIsReadAsMissingWithTheMissingFlag) {
  TempDir dir;
  auto r = RunKeel({"import", "--from", "xgboost", FixtureFile("xgboost/missing_value_model.json"),
                    "--out", dir.File("m.keel")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string rows = FixtureFile("xgboost/missing_value_rows.csv");
  const auto want = NumberColumn(ReadText(FixtureFile("xgboost/missing_value_pred.csv")), "prob_1");
  ASSERT_GT(want.size(), 300u);
  auto worst_error = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"predict", "--model", dir.File("m.keel"), "--data",
                                     rows,      "--out",   dir.File("p.csv")};
    args.insert(args.end(), extra.begin(), extra.end());
    auto p = RunKeel(args);
    EXPECT_EQ(p.exit_code, 0) << p.err;
    const auto got = NumberColumn(ReadText(dir.File("p.csv")), "prob_1");
    EXPECT_EQ(got.size(), want.size());
    double worst = 0;
    for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
      worst = std::max(worst, std::abs(got[i] - want[i]));
    }
    return worst;
  };
  EXPECT_LE(worst_error({"--missing", "-999"}), 1e-6);
  EXPECT_GT(worst_error({}), 1e-3);  // the flag is what makes the difference
}

TEST(ImportE2e, TheInferredSchemaDoesNotDependOnTheRowOrder) {
  TempDir dir;
  auto lines = Lines(ReadText(kData));
  std::reverse(lines.begin() + 1, lines.end());
  std::string reversed;
  for (const auto& l : lines) reversed += l + "\n";
  WriteText(dir.File("reversed.csv"), reversed);
  auto a = RunKeel({"schema", "infer", kData});
  auto b = RunKeel({"schema", "infer", dir.File("reversed.csv")});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto categories = [](const std::string& yaml) {
    std::string out;
    for (const auto& l : Lines(yaml)) {
      if (l.find("categories:") != std::string::npos) out += l + "\n";
    }
    return out;
  };
  EXPECT_FALSE(categories(a.out).empty());
  EXPECT_EQ(categories(a.out), categories(b.out));
}

TEST(ImportE2e, AnOrderThatIsNotPandasDefaultIsRefusedUnlessListed) {
  TempDir dir;
  const std::string inferred = ReadText(InferSchema(dir, kData));
  // The order of first appearance, as `keel schema infer` used to write it.
  std::string yaml = SetKey(inferred, "plan", "categories",
                            "[Basic, basic+, pro, \"9 seats\", \xC3\x89"
                            "co, Plus, \"10 seats\"]");
  yaml = SetKey(yaml, "plan", "category_order", "sorted");
  WriteText(dir.File("unsorted.yaml"), yaml);
  auto r = Import(dir, dir.File("unsorted.yaml"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("feature 'plan'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"pro\" is listed before \"9 seats\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("category_order: listed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[\"10 seats\", \"9 seats\", \"Basic\""), std::string::npos) << r.err;

  // Saying the listed order is the model's code order is the user's call: accepted as given.
  WriteText(dir.File("listed.yaml"), SetKey(yaml, "plan", "category_order", "listed"));
  r = Import(dir, dir.File("listed.yaml"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto summary = nlohmann::json::parse(r.out);
  EXPECT_EQ(summary["categorical"][0]["feature"], "plan");
  EXPECT_EQ(summary["categorical"][0]["order"], "listed");
}

TEST(ImportE2e, TooFewCategoriesForTheModelsCodesAreRefused) {
  TempDir dir;
  const std::string inferred = ReadText(InferSchema(dir, kData));
  WriteText(dir.File("short.yaml"),
            SetKey(inferred, "plan", "categories", "[\"10 seats\", \"9 seats\", Basic]"));
  auto r = Import(dir, dir.File("short.yaml"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the splits on feature 'plan' use category code"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("lists 3 categories"), std::string::npos) << r.err;
}

TEST(ImportE2e, ACategoricalFeatureReadFromAnotherKindIsRefused) {
  TempDir dir;
  const std::string inferred = ReadText(InferSchema(dir, kData));
  std::string yaml = SetKey(inferred, "region", "kind", "string");
  const size_t cats = KeyLine(yaml, "region", "categories");
  yaml.erase(cats, yaml.find('\n', cats) + 1 - cats);
  const size_t order = KeyLine(yaml, "region", "category_order");
  yaml.erase(order, yaml.find('\n', order) + 1 - order);
  WriteText(dir.File("string.yaml"), yaml);
  auto r = Import(dir, dir.File("string.yaml"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("reads column 'region' as string"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--kind region=categorical"), std::string::npos) << r.err;
}

TEST(ImportE2e, CategoriesPandasWouldNotMakeAreMarkedAndRefused) {
  TempDir dir;
  // "Store" next to "store": Keel reads one category, pandas two.
  std::string text = ReadText(kData);
  const size_t at = text.find("\"store\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 7, "\"Store\"");
  WriteText(dir.File("cased.csv"), text);
  const std::string schema = InferSchema(dir, dir.File("cased.csv"));
  const std::string yaml = ReadText(schema);
  const size_t line = KeyLine(yaml, "channel", "category_order");
  ASSERT_NE(line, std::string::npos) << yaml;
  EXPECT_EQ(yaml.substr(line, yaml.find('\n', line) - line).substr(0, 28),
            "    category_order: unknown ")
      << yaml;
  EXPECT_NE(yaml.find("spells category", line), std::string::npos) << yaml;
  auto r = Import(dir, schema);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("category_order: unknown"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("list(frame['channel'].cat.categories)"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace keel::e2e
