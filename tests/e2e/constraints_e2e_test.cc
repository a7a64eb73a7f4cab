// Monotone and interaction constraints through the binary: `keel train --monotone` models whose
// predictions never move against the declared direction along a fine grid of the feature, for
// 200 held-out rows of real data sets, the cost in AUC / RMSE (printed), interaction groups
// that make the model additive across groups, the record in the artifact, and bad usage.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "keel_process.h"

namespace keel::e2e {
namespace {

using Rows = std::vector<std::vector<std::string>>;

constexpr size_t kTestRows = 200;
constexpr int kGridPoints = 64;

bool IsNumber(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

// CSV text of `rows` (header first), text cells quoted so spaces and leading zeros survive.
std::string CsvText(const Rows& rows) {
  std::string out;
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) out += ',';
      out += row[c].empty() || IsNumber(row[c]) ? row[c] : "\"" + row[c] + "\"";
    }
    out += '\n';
  }
  return out;
}

size_t Column(const Rows& rows, const std::string& name) {
  for (size_t c = 0; c < rows[0].size(); ++c) {
    if (rows[0][c] == name) return c;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

// A data set split into a training file and kTestRows held-out rows (the file's last ones).
struct Data {
  Rows all;
  Rows test;  // header + kTestRows rows
  std::string train_path;
  std::string test_path;
};

Data Split(const TempDir& dir, const std::string& file) {
  Data d;
  d.all = ParseCsv(ReadText(DataFile(file)));
  Rows train(d.all.begin(), d.all.end() - kTestRows);
  d.test = {d.all[0]};
  d.test.insert(d.test.end(), d.all.end() - kTestRows, d.all.end());
  d.train_path = dir.File("train_" + file);
  d.test_path = dir.File("test_" + file);
  WriteText(d.train_path, CsvText(train));
  WriteText(d.test_path, CsvText(d.test));
  return d;
}

std::string Train(const TempDir& dir, const Data& d, const std::string& target,
                  const std::string& name, const std::vector<std::string>& extra) {
  const std::string model = dir.File(name + ".keel");
  // One thread: results do not depend on it, and a loaded machine runs it fastest.
  std::vector<std::string> args = {"train", "--data",  d.train_path, "--target",  target, "--out",
                                   model,   "--trees", "100",        "--threads", "1",    "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const ProcessResult r = RunKeel(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return model;
}

// The predictions (column `column`) of `model` on `rows`.
std::vector<double> Predict(const TempDir& dir, const std::string& model, const Rows& rows,
                            const std::string& column) {
  const std::string in = dir.File("in.csv");
  const std::string out = dir.File("out.csv");
  WriteText(in, CsvText(rows));
  const ProcessResult r =
      RunKeel({"predict", "--model", model, "--data", in, "--out", out, "--raw"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const Rows p = ParseCsv(ReadText(out));
  const size_t c = Column(p, column);
  std::vector<double> v;
  for (size_t i = 1; i < p.size(); ++i) v.push_back(std::stod(p[i][c]));
  return v;
}

// How many test rows see `column` move against `dir` along a kGridPoints grid of `feature`
// spanning its range in the whole file.
int GridViolations(const TempDir& dir, const Data& d, const std::string& model,
                   const std::string& feature, int direction, const std::string& column) {
  const size_t f = Column(d.all, feature);
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (size_t i = 1; i < d.all.size(); ++i) {
    if (!IsNumber(d.all[i][f])) continue;
    lo = std::min(lo, std::stod(d.all[i][f]));
    hi = std::max(hi, std::stod(d.all[i][f]));
  }
  Rows grid = {d.test[0]};
  for (size_t r = 1; r < d.test.size(); ++r) {
    for (int g = 0; g < kGridPoints; ++g) {
      auto row = d.test[r];
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", lo + (hi - lo) * g / (kGridPoints - 1));
      row[f] = buf;
      grid.push_back(row);
    }
  }
  const std::vector<double> p = Predict(dir, model, grid, column);
  EXPECT_EQ(p.size(), kTestRows * kGridPoints);
  int bad = 0;
  for (size_t r = 0; r < kTestRows; ++r) {
    for (int g = 1; g < kGridPoints; ++g) {
      const double step = p[r * kGridPoints + g] - p[r * kGridPoints + g - 1];
      if (direction * step < 0) {
        ++bad;
        break;
      }
    }
  }
  return bad;
}

// AUC with ties counted half.
double Auc(const std::vector<double>& s, const std::vector<int>& y) {
  double pos = 0, neg = 0, wins = 0;
  for (size_t i = 0; i < s.size(); ++i) (y[i] ? pos : neg) += 1;
  for (size_t i = 0; i < s.size(); ++i) {
    for (size_t j = 0; y[i] && j < s.size(); ++j) {
      if (!y[j]) wins += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
    }
  }
  return wins / (pos * neg);
}

double Rmse(const std::vector<double>& p, const std::vector<double>& y) {
  double s = 0;
  for (size_t i = 0; i < p.size(); ++i) s += (p[i] - y[i]) * (p[i] - y[i]);
  return std::sqrt(s / static_cast<double>(p.size()));
}

nlohmann::json ConstraintsSection(const std::string& model) {
  const ProcessResult r = RunKeel({"inspect", model, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out)["sections"].value("constraints", nlohmann::json());
}

struct MonotoneCase {
  const char* file;
  const char* target;
  const char* positive;  // "" for regression
  std::vector<std::pair<std::string, int>> constraints;
};

class MonotoneE2e : public ::testing::TestWithParam<MonotoneCase> {};

TEST_P(MonotoneE2e, HeldOutRowsAreMonotoneAlongTheGridAndTheCostIsReported) {
  const MonotoneCase& c = GetParam();
  TempDir dir;
  const Data d = Split(dir, c.file);
  std::vector<std::string> flags;
  for (const auto& [name, dir_sign] : c.constraints) {
    flags.insert(flags.end(), {"--monotone", name + "=" + (dir_sign > 0 ? "+1" : "-1")});
  }
  const std::string constrained = Train(dir, d, c.target, "mono", flags);
  const std::string free = Train(dir, d, c.target, "free", {});
  const bool binary = std::string(c.positive).size() > 0;
  const std::string column = binary ? std::string("prob_") + c.positive : "prediction";

  int free_violations = 0;
  for (const auto& [name, sign] : c.constraints) {
    EXPECT_EQ(GridViolations(dir, d, constrained, name, sign, column), 0) << name;
    free_violations += GridViolations(dir, d, free, name, sign, column);
  }
  // The grid is fine enough to catch an unconstrained model moving the wrong way.
  EXPECT_GT(free_violations, 0);

  const nlohmann::json s = ConstraintsSection(constrained);
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["verified"], true);
  EXPECT_EQ(s["monotone_verified"], true);
  EXPECT_EQ(s["source"], "training");
  for (const auto& [name, sign] : c.constraints) EXPECT_EQ(s["monotone"][name], sign);
  EXPECT_TRUE(ConstraintsSection(free).is_null());

  // What the constraint costs on the held-out rows.
  const std::vector<double> pm = Predict(dir, constrained, d.test, column);
  const std::vector<double> pf = Predict(dir, free, d.test, column);
  const size_t t = Column(d.test, c.target);
  std::string summary;
  if (binary) {
    std::vector<int> y;
    for (size_t i = 1; i < d.test.size(); ++i) y.push_back(d.test[i][t] == c.positive ? 1 : 0);
    const double am = Auc(pm, y);
    const double af = Auc(pf, y);
    summary = "AUC " + std::to_string(af) + " unconstrained, " + std::to_string(am) +
              " constrained (cost " + std::to_string(af - am) + ")";
    EXPECT_GT(am, 0.7);
  } else {
    std::vector<double> y;
    for (size_t i = 1; i < d.test.size(); ++i) y.push_back(std::stod(d.test[i][t]));
    const double rm = Rmse(pm, y);
    const double rf = Rmse(pf, y);
    summary = "RMSE " + std::to_string(rf) + " unconstrained, " + std::to_string(rm) +
              " constrained (cost " + std::to_string(rm - rf) + ")";
    EXPECT_LT(rm, 1.5 * rf);
  }
  std::printf(
      "[constraints] %s, 200 held-out rows: %s; unconstrained rows moving the wrong way: "
      "%d\n",
      c.file, summary.c_str(), free_violations);
  RecordProperty("cost", summary);
}

INSTANTIATE_TEST_SUITE_P(DataSets, MonotoneE2e,
                         ::testing::Values(
                             MonotoneCase{
                                 "credit_data.csv", "Status", "bad", {{"Income", -1}, {"Debt", 1}}},
                             MonotoneCase{"ames.csv", "Sale_Price", "", {{"Gr_Liv_Area", 1}}},
                             MonotoneCase{"wa_churn.csv", "churn", "Yes", {{"tenure", -1}}}),
                         [](const auto& info) {
                           std::string n = info.param.file;
                           return n.substr(0, n.find('.'));
                         });

// With groups {Income, Debt} and {Age, Seniority} no tree mixes Income and Age, so the margin
// is additive in them: f(i1, a1) - f(i2, a1) - f(i1, a2) + f(i2, a2) = 0 for every row.
double LargestInteraction(const TempDir& dir, const Data& d, const std::string& model) {
  const size_t fi = Column(d.test, "Income");
  const size_t fa = Column(d.test, "Age");
  Rows rows = {d.test[0]};
  for (size_t r = 1; r <= 100; ++r) {
    for (const char* income : {"60", "250"}) {
      for (const char* age : {"25", "55"}) {
        auto row = d.test[r];
        row[fi] = income;
        row[fa] = age;
        rows.push_back(row);
      }
    }
  }
  const std::vector<double> m = Predict(dir, model, rows, "raw_bad");
  double worst = 0;
  for (size_t r = 0; r < 100; ++r) {
    const double* v = &m[r * 4];
    worst = std::max(worst, std::fabs(v[0] - v[1] - v[2] + v[3]));
  }
  return worst;
}

TEST(InteractionsE2e, GroupsMakeTheModelAdditiveAcrossThem) {
  TempDir dir;
  const Data d = Split(dir, "credit_data.csv");
  const std::string grouped =
      Train(dir, d, "Status", "groups", {"--interactions", "Income,Debt;Age,Seniority"});
  EXPECT_LT(LargestInteraction(dir, d, grouped), 1e-9);
  const nlohmann::json s = ConstraintsSection(grouped);
  EXPECT_EQ(s["interactions"], nlohmann::json::parse(R"([["Income","Debt"],["Age","Seniority"]])"));
  EXPECT_EQ(s["interactions_verified"], true);
  // Unconstrained, Income and Age interact.
  const std::string free = Train(dir, d, "Status", "free", {});
  EXPECT_GT(LargestInteraction(dir, d, free), 1e-3);
  // The repeated flag means the same groups.
  const std::string repeated =
      Train(dir, d, "Status", "repeated",
            {"--interactions", "Income,Debt", "--interactions", "Age,Seniority"});
  EXPECT_EQ(ConstraintsSection(repeated)["interactions"], s["interactions"]);
}

TEST(ConstraintsE2e, TheFairnessReductionKeepsTheConstraints) {
  // The reduction trains further models and ships their margin average: each obeys the
  // constraints, so the average does, and the section is proved on the shipped trees.
  TempDir dir;
  const Data d = Split(dir, "credit_data.csv");
  const std::string model =
      Train(dir, d, "Status", "fair",
            {"--fair-attribute", "Marital", "--fair-iterations", "5", "--monotone", "Income=-1"});
  EXPECT_EQ(GridViolations(dir, d, model, "Income", -1, "prob_bad"), 0);
  EXPECT_EQ(ConstraintsSection(model)["verified"], true);
}

TEST(ConstraintsE2e, InspectShowsTheVerdict) {
  TempDir dir;
  const std::string model = dir.File("m.keel");
  ASSERT_EQ(RunKeel({"train", "--data", DataFile("credit_data.csv"), "--target", "Status",
                     "--trees", "20", "--monotone", "Income=-1", "--out", model})
                .exit_code,
            0);
  const ProcessResult r = RunKeel({"inspect", model});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("monotone    Income -1: holds on every tree"), std::string::npos) << r.out;
}

TEST(ConstraintsE2e, ImportedInteractionConstraintsAreCheckedAndShown) {
  // make_interaction_fixture.py: XGBoost trained with interaction_constraints [[0,1],[2,3]].
  TempDir dir;
  const std::string model = dir.File("m.keel");
  const ProcessResult imported =
      RunKeel({"import", "--from", "xgboost", FixtureFile("xgboost/interaction_model.json"),
               "--out", model});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const ProcessResult r = RunKeel({"inspect", model});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("interactions [f0, f1] [f2, f3] (+ the unlisted features as one group): "
                       "holds on every tree"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(ConstraintsSection(model)["source"], "xgboost");
}

TEST(ConstraintsE2e, KeelYamlTakesAMapAndAListOfLists) {
  TempDir dir;
  WriteText(dir.File("keel.yaml"), "data: {path: " + DataFile("credit_data.csv") +
                                       "}\n"
                                       "target: {column: Status, positive: bad}\n"
                                       "candidate:\n"
                                       "  num_trees: 20\n"
                                       "  tune: off\n"
                                       "  monotone: {Income: -1, Debt: +1}\n"
                                       "  interactions: [[Income, Debt], [Age, Amount]]\n");
  const ProcessResult r = RunKeel({"run", dir.File("keel.yaml"), "--out", dir.File("out"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json s = ConstraintsSection(dir.File("out/candidate.keel"));
  EXPECT_EQ(s["monotone"], nlohmann::json::parse(R"({"Income": -1, "Debt": 1})"));
  EXPECT_EQ(s["interactions"], nlohmann::json::parse(R"([["Income","Debt"],["Age","Amount"]])"));
  EXPECT_EQ(s["verified"], true);
}

TEST(ConstraintsE2e, BadConstraintsAreUsageErrorsNamingTheFeature) {
  struct Bad {
    std::vector<std::string> flags;
    const char* message;
  };
  const std::vector<Bad> cases = {
      {{"--monotone", "Incme=-1"}, "names 'Incme', which is not a feature; did you mean 'Income'?"},
      {{"--monotone", "Income=2"}, "direction '2' of Income is not +1, 1, -1 or 0"},
      {{"--monotone", "Home=+1"}, "Home is a categorical feature"},
      {{"--monotone", "Income=1", "--monotone", "Income=-1"}, "Income is given twice"},
      {{"--monotone", "Status=1"}, "'Status', which is not a feature"},
      {{"--interactions", "Income;Agee"},
       "names 'Agee', which is not a feature; did you mean 'Age'?"},
      {{"--interactions", "Income,,Age"}, "has an empty name"},
      {{"--algo", "linear", "--monotone", "Income=1"}, "applies to gbdt models only"},
  };
  for (const Bad& b : cases) {
    std::vector<std::string> args = {
        "train", "--data", DataFile("credit_data.csv"), "--target", "Status", "--trees", "5"};
    args.insert(args.end(), b.flags.begin(), b.flags.end());
    const ProcessResult r = RunKeel(args);
    EXPECT_EQ(r.exit_code, 2) << b.flags[1] << ": " << r.err;
    EXPECT_NE(r.err.find(b.message), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace keel::e2e
