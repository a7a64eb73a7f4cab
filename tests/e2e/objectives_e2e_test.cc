// The count, cost and quantile objectives through the command line: each trains where it
// makes sense and beats the squared loss on its own loss on held-out rows (computed here,
// independently of Keel, from `keel predict`'s output), the log-link models predict e^raw on
// every path, and targets outside an objective's domain are refused with the line and value.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "keel_process.h"

namespace keel::e2e {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

// Cells of a CSV line without quoted commas (the files used here have none inside quotes).
std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  for (std::string cell; std::getline(ss, cell, ',');) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

std::string Unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

// The data file split into train.csv and test.csv in `dir`: every fourth data row (by a
// fixed scatter, so no order in the file decides) is a test row. Returns the test rows'
// values of `target`.
std::vector<double> SplitFile(const std::string& path, const std::string& target,
                              const TempDir& dir) {
  const auto lines = Lines(ReadText(path));
  EXPECT_GT(lines.size(), 100u);
  const auto header = Cells(lines[0]);
  size_t col = header.size();
  for (size_t c = 0; c < header.size(); ++c) {
    if (Unquote(header[c]) == target) col = c;
  }
  EXPECT_LT(col, header.size()) << target;
  std::string train = lines[0] + "\n", test = lines[0] + "\n";
  std::vector<double> y;
  for (size_t i = 1; i < lines.size(); ++i) {
    if ((i * 7919) % 4 == 0) {
      test += lines[i] + "\n";
      y.push_back(std::stod(Unquote(Cells(lines[i])[col])));
    } else {
      train += lines[i] + "\n";
    }
  }
  WriteText(dir.File("train.csv"), train);
  WriteText(dir.File("test.csv"), test);
  return y;
}

// Trains on dir/train.csv (no held-out split: test.csv is the test) and returns `keel predict`'s
// `prediction` and `raw` columns on dir/test.csv.
struct Scored {
  std::vector<double> prediction, raw;
  nlohmann::json report;
};
Scored TrainAndPredict(const TempDir& dir, const std::string& target,
                       const std::vector<std::string>& extra) {
  const std::string model = dir.File("m.keel");
  // Every row of train.csv trains the given number of trees (no automatic validation split and
  // early stopping): the comparisons are between losses, not stopping rules.
  std::vector<std::string> args = {"train",    "--data",       dir.File("train.csv"),
                                   "--target", target,         "--test-size",
                                   "0",        "--valid-size", "0",
                                   "--out",    model,          "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto t = RunKeel(args, "", 300);
  EXPECT_EQ(t.exit_code, 0) << t.err;
  Scored s;
  if (t.exit_code != 0) return s;
  s.report = nlohmann::json::parse(t.out);
  auto p = RunKeel({"predict", "--model", model, "--data", dir.File("test.csv"), "--out",
                    dir.File("p.csv"), "--raw", "--quiet"});
  EXPECT_EQ(p.exit_code, 0) << p.err;
  if (p.exit_code != 0) return s;
  const auto lines = Lines(ReadText(dir.File("p.csv")));
  const auto header = Cells(lines.at(0));
  size_t pred = header.size(), raw = header.size();
  for (size_t c = 0; c < header.size(); ++c) {
    if (header[c] == "prediction") pred = c;
    if (header[c] == "raw") raw = c;
  }
  EXPECT_LT(pred, header.size()) << lines[0];
  EXPECT_LT(raw, header.size()) << lines[0];
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto cells = Cells(lines[i]);
    s.prediction.push_back(std::stod(cells.at(pred)));
    s.raw.push_back(std::stod(cells.at(raw)));
  }
  return s;
}

// Mean unit deviances and the pinball loss, from their textbook definitions.
double PoissonDeviance(const std::vector<double>& y, const std::vector<double>& mu) {
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    s += 2 * ((y[i] > 0 ? y[i] * std::log(y[i] / mu[i]) : 0) - y[i] + mu[i]);
  }
  return s / y.size();
}
double GammaDeviance(const std::vector<double>& y, const std::vector<double>& mu) {
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) s += 2 * (std::log(mu[i] / y[i]) + y[i] / mu[i] - 1);
  return s / y.size();
}
double TweedieDeviance(const std::vector<double>& y, const std::vector<double>& mu, double p) {
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    s += 2 * (std::pow(y[i], 2 - p) / ((1 - p) * (2 - p)) -
              y[i] * std::pow(mu[i], 1 - p) / (1 - p) + std::pow(mu[i], 2 - p) / (2 - p));
  }
  return s / y.size();
}
double Pinball(const std::vector<double>& y, const std::vector<double>& q, double alpha) {
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    s += y[i] >= q[i] ? alpha * (y[i] - q[i]) : (1 - alpha) * (q[i] - y[i]);
  }
  return s / y.size();
}

// `keel evaluate --json` of dir/m.keel on dir/test.csv: the metric `name` (value, lower,
// upper) is reported, equals `expected` (the loss computed here from `keel predict`'s output)
// and lies in its bootstrap interval.
void ExpectEvaluated(const TempDir& dir, const std::string& name, double expected) {
  auto e = RunKeel({"evaluate", "--model", dir.File("m.keel"), "--data", dir.File("test.csv"),
                    "--json", "--quiet"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const auto j = nlohmann::json::parse(e.out);
  ASSERT_TRUE(j["metrics"].contains(name)) << j["metrics"].dump();
  const auto& m = j["metrics"][name];
  EXPECT_NEAR(m["value"].get<double>(), expected, 1e-9 * std::abs(expected)) << name;
  EXPECT_LE(m["lower"].get<double>(), m["value"].get<double>()) << name;
  EXPECT_GE(m["upper"].get<double>(), m["value"].get<double>()) << name;
  EXPECT_TRUE(j["metrics"].contains("rmse"));
}

// A squared-loss model's predictions floored at `floor`: a deviance needs a positive mean.
std::vector<double> Floored(std::vector<double> v, double floor) {
  for (double& x : v) x = std::max(x, floor);
  return v;
}

// The log link on the predict path: prediction = e^raw, and a positive mean.
void ExpectLogLink(const Scored& s) {
  ASSERT_EQ(s.prediction.size(), s.raw.size());
  for (size_t i = 0; i < s.raw.size(); ++i) {
    ASSERT_GT(s.prediction[i], 0);
    ASSERT_NEAR(s.prediction[i], std::exp(s.raw[i]), 1e-12 * s.prediction[i]) << i;
  }
}

// The settings of every comparison (tests/fixtures/objectives/compare_xgboost.py uses the
// same); one thread, so a loaded machine does not slow the fits down.
const std::vector<std::string> kTrees = {"--trees",  "300", "--lr",      "0.05",
                                         "--leaves", "15",  "--threads", "1"};
// Quantile models fit their training rows' coverage exactly and lose it on new rows as the
// trees grow finer: coarse trees keep the held-out coverage near alpha.
const std::vector<std::string> kQuantileTrees = {
    "--trees", "150",       "--lr", "0.05", "--leaves", "4", "--min-data-in-leaf",
    "100",     "--threads", "1"};

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

using Deviance = std::function<double(const std::vector<double>&, const std::vector<double>&)>;

// Trains `objective` (a log-link one, named `model_objective` in the model) and the squared
// loss on dir/train.csv with the same settings and expects the first to predict e^raw and to
// have the lower `deviance` on the test rows `y` (the squared model's predictions floored at
// `floor`: a deviance needs a positive mean).
void ExpectBeatsSquared(const TempDir& dir, const std::string& target, const std::vector<double>& y,
                        const std::vector<std::string>& objective,
                        const std::string& model_objective, const Deviance& deviance,
                        double floor) {
  std::vector<std::string> squared = objective;
  squared[1] = "squared";
  const Scored sq = TrainAndPredict(dir, target, With(squared, kTrees));
  const Scored m = TrainAndPredict(dir, target, With(objective, kTrees));  // dir/m.keel
  ASSERT_EQ(m.prediction.size(), y.size());
  ASSERT_EQ(sq.prediction.size(), y.size());
  ExpectLogLink(m);
  EXPECT_EQ(m.report["objective"], model_objective);
  // `keel train` reports the objective's deviance beside RMSE and MAE.
  const std::string metric = model_objective.substr(model_objective.find(':') + 1) + "_deviance";
  EXPECT_TRUE(m.report["splits"]["train"].contains(metric)) << metric << m.report.dump();
  const double d = deviance(y, m.prediction);
  const double d_sq = deviance(y, Floored(sq.prediction, floor));
  // `keel evaluate` reports the same deviance, with a bootstrap interval.
  ExpectEvaluated(dir, metric, d);
  EXPECT_LT(d, d_sq);
  std::cout << "[ " << model_objective << " ] test deviance " << d << " (squared " << d_sq << ")\n";
}

TEST(ObjectivesE2e, PoissonCountsBeatSquaredOnPoissonDeviance) {
  TempDir dir;
  const auto y = SplitFile(FixtureFile("objectives/policies.csv"), "claims", dir);
  ExpectBeatsSquared(dir, "claims", y, {"--objective", "poisson", "--exclude", "cost"},
                     "count:poisson", PoissonDeviance, 1e-3);
}

TEST(ObjectivesE2e, TweedieCostsBeatSquaredOnTweedieDeviance) {
  TempDir dir;
  const auto y = SplitFile(FixtureFile("objectives/policies.csv"), "cost", dir);
  // The variance power flag sits after the objective's name, which the squared run swaps.
  ExpectBeatsSquared(
      dir, "cost", y,
      {"--objective", "tweedie", "--exclude", "claims", "--tweedie-variance-power", "1.5"},
      "reg:tweedie", [](const auto& yy, const auto& mu) { return TweedieDeviance(yy, mu, 1.5); },
      1.0);
}

TEST(ObjectivesE2e, GammaOnAmesSalePriceBeatsSquaredOnGammaDeviance) {
  TempDir dir;
  const auto y = SplitFile(DataFile("ames.csv"), "Sale_Price", dir);
  ExpectBeatsSquared(dir, "Sale_Price", y, {"--objective", "gamma"}, "reg:gamma", GammaDeviance,
                     1.0);
}

TEST(ObjectivesE2e, QuantileNinetyCoversNinetyPercentOfAmesTestRows) {
  TempDir dir;
  const auto y = SplitFile(DataFile("ames.csv"), "Sale_Price", dir);
  const Scored sq =
      TrainAndPredict(dir, "Sale_Price", With({"--objective", "squared"}, kQuantileTrees));
  const Scored q = TrainAndPredict(  // dir/m.keel
      dir, "Sale_Price", With({"--objective", "quantile", "--alpha", "0.9"}, kQuantileTrees));
  EXPECT_EQ(q.report["objective"], "reg:quantileerror");
  ASSERT_EQ(q.prediction.size(), y.size());
  ASSERT_EQ(sq.prediction.size(), y.size());
  for (size_t i = 0; i < q.raw.size(); ++i) ASSERT_EQ(q.prediction[i], q.raw[i]);  // identity
  double covered = 0;
  for (size_t i = 0; i < y.size(); ++i) covered += y[i] <= q.prediction[i] ? 1 : 0;
  const double coverage = covered / y.size();
  // The binomial 99% interval around 0.9 for this many rows.
  const double half = 2.576 * std::sqrt(0.9 * 0.1 / y.size());
  EXPECT_NEAR(coverage, 0.9, half) << y.size() << " test rows";
  EXPECT_LT(Pinball(y, q.prediction, 0.9), Pinball(y, sq.prediction, 0.9));
  // `keel evaluate` reports the pinball loss and the coverage, with bootstrap intervals.
  ExpectEvaluated(dir, "pinball_loss", Pinball(y, q.prediction, 0.9));
  ExpectEvaluated(dir, "coverage", coverage);
  // The training report states the same two figures on its own rows.
  const auto& train = q.report["splits"]["train"];
  ASSERT_TRUE(train.contains("pinball_loss")) << train.dump();
  EXPECT_NEAR(train["coverage"].get<double>(), 0.9, 0.05);
  std::cout << "[ quantile ] alpha 0.9: test coverage " << coverage << " of " << y.size()
            << " rows (99% CI +/- " << half << "), pinball " << Pinball(y, q.prediction, 0.9)
            << " (squared " << Pinball(y, sq.prediction, 0.9) << ")\n";
}

// SHAP values stay in the raw (log) space: each row's contributions sum to log(prediction).
TEST(ObjectivesE2e, ExplanationsOfALogLinkModelSumToTheLogOfThePrediction) {
  TempDir dir;
  SplitFile(FixtureFile("objectives/policies.csv"), "claims", dir);
  const Scored s = TrainAndPredict(
      dir, "claims",
      {"--objective", "poisson", "--exclude", "cost", "--trees", "30", "--threads", "1"});
  ASSERT_FALSE(s.prediction.empty());
  auto e = RunKeel({"explain", "--model", dir.File("m.keel"), "--data", dir.File("test.csv"),
                    "--out", dir.File("shap.csv"), "--quiet"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const auto lines = Lines(ReadText(dir.File("shap.csv")));
  ASSERT_EQ(lines.size(), s.prediction.size() + 1);
  for (size_t i = 1; i < lines.size(); ++i) {
    double sum = 0;
    for (const auto& cell : Cells(lines[i])) sum += cell.empty() ? 0 : std::stod(cell);
    ASSERT_NEAR(sum, std::log(s.prediction[i - 1]), 1e-6) << lines[i];
  }
}

TEST(ObjectivesE2e, TargetsOutsideTheObjectivesDomainAreRefusedWithLineAndValue) {
  TempDir dir;
  WriteText(dir.File("neg.csv"), "x,claims\n1,0\n2,3\n3,-2\n4,1\n5,2\n");
  auto r = RunKeel({"train", "--data", dir.File("neg.csv"), "--target", "claims", "--objective",
                    "poisson", "--test-size", "0"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("line 4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("-2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(">= 0"), std::string::npos) << r.err;

  WriteText(dir.File("zero.csv"), "x,cost\n1,10\n2,0\n3,4\n4,7\n");
  r = RunKeel({"train", "--data", dir.File("zero.csv"), "--target", "cost", "--objective", "gamma",
               "--test-size", "0"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("line 3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("> 0"), std::string::npos) << r.err;

  r = RunKeel({"train", "--data", dir.File("zero.csv"), "--target", "cost", "--objective",
               "tweedie", "--tweedie-variance-power", "2.5"});
  EXPECT_EQ(r.exit_code, 2) << r.err;  // out of range: bad usage
  EXPECT_NE(r.err.find("tweedie"), std::string::npos) << r.err;

  r = RunKeel({"train", "--data", dir.File("zero.csv"), "--target", "cost", "--objective",
               "quantile", "--alpha", "1"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("alpha"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace keel::e2e
