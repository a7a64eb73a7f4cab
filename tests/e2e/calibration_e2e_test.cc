// Calibrated probabilities and split-conformal intervals as a user gets them: `keel train
// --calibrate`, the automatic validation split, `keel predict --interval` on rows the model
// never saw, checked with figures computed here (coverage, Wilson intervals, ECE), not read
// from Keel's report.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "keel_process.h"

namespace keel::e2e {
namespace {

// Cells of one CSV line (double-quoted cells may hold commas and "" escapes).
std::vector<std::string> CsvCells(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// Column `name` of a CSV text, one value per data line.
std::vector<std::string> Column(const std::string& text, const std::string& name) {
  const auto lines = Lines(text);
  const auto header = CsvCells(lines.at(0));
  const auto at = std::find(header.begin(), header.end(), name);
  EXPECT_NE(at, header.end()) << name << " not in " << lines.at(0);
  const auto c = static_cast<size_t>(at - header.begin());
  std::vector<std::string> out;
  for (size_t i = 1; i < lines.size(); ++i) out.push_back(CsvCells(lines[i]).at(c));
  return out;
}

// Writes every 5th data line of a shared data set to test.csv, the others to train.csv.
void SplitFile(const std::string& data, const TempDir& dir) {
  const auto lines = Lines(ReadText(DataFile(data)));
  std::string train = lines[0] + "\n", test = lines[0] + "\n";
  for (size_t i = 1; i < lines.size(); ++i) (i % 5 == 0 ? test : train) += lines[i] + "\n";
  WriteText(dir.File("train.csv"), train);
  WriteText(dir.File("test.csv"), test);
}

// The central 95% range of the number of covered rows among m test rows for split conformal
// with n calibration rows at `level`: with k = ceil((n + 1) level), the coverage given the
// calibration rows is Beta(k, n + 1 - k), so the count is Beta-Binomial(m, k, n + 1 - k)
// (Angelopoulos & Bates, "A gentle introduction to conformal prediction", sec. 3.2). A plain
// binomial interval on the m test rows alone would ignore the calibration rows' share of the
// spread, which with a few hundred of them is the larger share.
std::pair<double, double> CoverageRange(double n, double m, double level) {
  const double a = std::ceil((n + 1) * level - 1e-9), b = n + 1 - a;
  auto log_beta = [](double x, double y) {
    return std::lgamma(x) + std::lgamma(y) - std::lgamma(x + y);
  };
  double cdf = 0, lo = -1, hi = m;
  for (double j = 0; j <= m; ++j) {
    const double log_choose = std::lgamma(m + 1) - std::lgamma(j + 1) - std::lgamma(m - j + 1);
    cdf += std::exp(log_choose + log_beta(j + a, m - j + b) - log_beta(a, b));
    if (lo < 0 && cdf >= 0.025) lo = j;
    if (cdf >= 0.975) {
      hi = j;
      break;
    }
  }
  return {lo / m, hi / m};
}

// Expected calibration error over 10 equal-width bins (the last one closed).
double Ece(const std::vector<double>& p, const std::vector<int>& y) {
  std::vector<double> n(10), sp(10), sy(10);
  for (size_t i = 0; i < p.size(); ++i) {
    const auto b = static_cast<size_t>(std::min(9.0, std::floor(p[i] * 10)));
    n[b] += 1;
    sp[b] += p[i];
    sy[b] += y[i];
  }
  double e = 0;
  for (size_t b = 0; b < 10; ++b) {
    if (n[b] > 0) e += std::abs(sp[b] - sy[b]) / static_cast<double>(p.size());
  }
  return e;
}

struct CoverageCase {
  std::string data, target;
  bool regression;
};

TEST(CalibrationE2e, ConformalCoverageOnUnseenRowsIsWithinItsBetaBinomialRange) {
  for (const CoverageCase& c : {CoverageCase{"ames.csv", "Sale_Price", true},
                                CoverageCase{"attrition.csv", "Attrition", false},
                                CoverageCase{"credit_data.csv", "Status", false}}) {
    SCOPED_TRACE(c.data);
    TempDir dir;
    SplitFile(c.data, dir);
    // The automatic validation split stores the conformal scores (k-fold off: split
    // conformal's scores are exchangeable with new rows', which the beta-binomial range below
    // assumes; k-fold's out-of-fold scores are not, docs/calibration.md); the whole train file
    // trains, since the test rows are held out here.
    auto t = RunKeel({"train", "--data", dir.File("train.csv"), "--target", c.target, "--test-size",
                      "0", "--seed", "7", "--folds", "0", "--out", dir.File("m.keel"), "--json"});
    ASSERT_EQ(t.exit_code, 0) << t.err;
    const auto report = nlohmann::json::parse(t.out);
    EXPECT_EQ(report["validation"], "auto");
    const double calibration_rows = report["intervals"]["held_out_rows"].get<double>();
    const std::string test = ReadText(dir.File("test.csv"));
    const auto truth = Column(test, c.target);
    for (double level : {0.8, 0.9, 0.95}) {
      SCOPED_TRACE(level);
      auto p = RunKeel({"predict", "--model", dir.File("m.keel"), "--data", dir.File("test.csv"),
                        "--interval", std::to_string(level), "--out", "-"});
      ASSERT_EQ(p.exit_code, 0) << p.err;
      double covered = 0;
      if (c.regression) {
        const auto lo = Column(p.out, "lower"), hi = Column(p.out, "upper");
        ASSERT_EQ(lo.size(), truth.size());
        for (size_t i = 0; i < truth.size(); ++i) {
          const double y = std::stod(truth[i]);
          covered += std::stod(lo[i]) <= y && y <= std::stod(hi[i]) ? 1 : 0;
        }
      } else {
        const auto sets = Column(p.out, "set");
        ASSERT_EQ(sets.size(), truth.size());
        for (size_t i = 0; i < truth.size(); ++i) {
          const std::string s = "|" + sets[i] + "|";
          covered += s.find("|" + truth[i] + "|") != std::string::npos ? 1 : 0;
        }
      }
      const double n = static_cast<double>(truth.size());
      const auto [lo, hi] = CoverageRange(calibration_rows, n, level);
      EXPECT_GE(covered / n, lo) << "of " << n << " rows, up to " << hi;
      EXPECT_LE(covered / n, hi) << "of " << n << " rows, from " << lo;
    }
  }
}

TEST(CalibrationE2e, CalibrationLowersTheTestEceAfterClassWeighting) {
  TempDir dir;
  SplitFile("credit_data.csv", dir);
  const std::string test = ReadText(dir.File("test.csv"));
  std::vector<int> y;
  for (const std::string& v : Column(test, "Status")) y.push_back(v == "bad" ? 1 : 0);
  // folds "0": fitted on the validation split; "auto": on the out-of-fold predictions of
  // 5-fold cross-validation (this file's non-test rows are under cv_below), applied to
  // the model refit on all of them.
  auto ece_of = [&](const std::string& method, const std::string& folds) {
    SCOPED_TRACE("folds " + folds);
    const std::string model = dir.File(method + folds + ".keel");
    auto t = RunKeel({"train", "--data", dir.File("train.csv"), "--target", "Status", "--positive",
                      "bad", "--class-weight", "balanced", "--calibrate", method, "--seed", "3",
                      "--folds", folds, "--out", model, "--json"});
    EXPECT_EQ(t.exit_code, 0) << t.err;
    const auto j = nlohmann::json::parse(t.out);
    if (method != "none") {
      // The report shows reliability and ECE before and after on the rows it was fitted on
      // (validation or out-of-fold) and on the test rows.
      const auto& cal = j.at("calibration");
      EXPECT_EQ(cal.at("method"), method);
      const std::string held = folds == "0" ? "valid" : "cv";
      EXPECT_EQ(cal.at("fitted_on"), held);
      EXPECT_EQ(cal.at("rows"), j.at("splits").at(held).at("rows"));
      if (folds != "0") EXPECT_EQ(cal.at("rows"), j.at("splits").at("train").at("rows"));
      EXPECT_EQ(cal.at(held).at("after").at("reliability").size(), 10u);
      EXPECT_LT(cal.at("test").at("after").at("ece").get<double>(),
                cal.at("test").at("before").at("ece").get<double>());
    } else {
      EXPECT_FALSE(j.contains("calibration"));
    }
    auto p = RunKeel({"predict", "--model", model, "--data", dir.File("test.csv"), "--out", "-"});
    EXPECT_EQ(p.exit_code, 0) << p.err;
    std::vector<double> prob;
    for (const std::string& v : Column(p.out, "prob_bad")) prob.push_back(std::stod(v));
    EXPECT_EQ(prob.size(), y.size());
    return Ece(prob, y);
  };
  for (const std::string folds : {"0", "auto"}) {
    const double none = ece_of("none", folds);
    const double isotonic = ece_of("isotonic", folds);
    const double sigmoid = ece_of("sigmoid", folds);
    // Balanced weights push the minority class's probabilities up: a visible miscalibration.
    EXPECT_GT(none, 0.08) << folds;
    EXPECT_LT(isotonic, none * 0.6) << folds << ": none " << none << " isotonic " << isotonic;
    EXPECT_LT(sigmoid, none * 0.6) << folds << ": none " << none << " sigmoid " << sigmoid;
  }
}

TEST(CalibrationE2e, WithoutValidationRowsCalibrationAndIntervalsFailClearly) {
  TempDir dir;
  SplitFile("attrition.csv", dir);
  auto cal = RunKeel({"train", "--data", dir.File("train.csv"), "--target", "Attrition",
                      "--valid-size", "0", "--calibrate", "isotonic", "--out", dir.File("c.keel")});
  EXPECT_EQ(cal.exit_code, 1);
  EXPECT_NE(cal.err.find("--calibrate isotonic is fitted on validation rows"), std::string::npos)
      << cal.err;
  auto reg = RunKeel({"train", "--data", DataFile("ames.csv"), "--target", "Sale_Price",
                      "--calibrate", "sigmoid", "--out", dir.File("r.keel")});
  EXPECT_EQ(reg.exit_code, 1);
  EXPECT_NE(reg.err.find("regression target"), std::string::npos) << reg.err;

  auto plain = RunKeel({"train", "--data", dir.File("train.csv"), "--target", "Attrition",
                        "--valid-size", "0", "--out", dir.File("p.keel"), "--json"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const auto j = nlohmann::json::parse(plain.out);
  EXPECT_EQ(j["validation"], "none");
  EXPECT_FALSE(j.contains("intervals"));
  auto p = RunKeel({"predict", "--model", dir.File("p.keel"), "--data", dir.File("test.csv"),
                    "--interval", "0.9", "--out", "-"});
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("no conformal scores"), std::string::npos) << p.err;
}

TEST(CalibrationE2e, SmallDataGetsNoAutomaticValidationSplit) {
  // penguins: 344 rows, 275 non-test rows, below the automatic split's 500: with k-fold off
  // (cv_below under 275) there are no held-out rows at all.
  TempDir dir;
  auto t = RunKeel({"train", "--data", DataFile("penguins.csv"), "--target", "species",
                    "--cv-below", "200", "--out", dir.File("m.keel"), "--json"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  const auto j = nlohmann::json::parse(t.out);
  EXPECT_NE(j["validation"].get<std::string>().find("none"), std::string::npos);
  EXPECT_FALSE(j["splits"].contains("valid"));
  EXPECT_EQ(j["parameters"]["valid_size"], "auto");
  // By default (k-fold): stratified folds of the three classes, conformal sets from their
  // out-of-fold predictions.
  auto cv = RunKeel({"train", "--data", DataFile("penguins.csv"), "--target", "species", "--out",
                     dir.File("cv.keel"), "--json"});
  ASSERT_EQ(cv.exit_code, 0) << cv.err;
  const auto k = nlohmann::json::parse(cv.out);
  EXPECT_EQ(k["validation"].get<std::string>().rfind("5-fold CV on 275 rows", 0), 0u)
      << k["validation"];
  EXPECT_EQ(k["intervals"]["held_out_rows"], 275);
}

// Rows "x,z,y" with x, z ~ U(0, 1), e ~ N(0, 1) and y = target(x, z, e), seeded.
template <typename Target>
std::string SyntheticRows(size_t rows, uint64_t seed, Target target) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> e(0, 1);
  std::string csv = "x,z,y\n";
  for (size_t i = 0; i < rows; ++i) {
    const double x = u(rng), z = u(rng);
    csv += std::to_string(x) + "," + std::to_string(z) + "," +
           std::to_string(target(x, z, e(rng))) + "\n";
  }
  return csv;
}

// Heteroscedastic rows: y = 10 x + (0.2 + 3 x) e, and z pure noise: the spread of y grows
// fifteenfold along x.
std::string Heteroscedastic(size_t rows, uint64_t seed) {
  return SyntheticRows(rows, seed,
                       [](double x, double, double e) { return 10 * x + (0.2 + 3 * x) * e; });
}

// Right-skewed rows: y = 5 z + exp((0.3 + x) e): an asymmetric spread that also grows along x.
std::string Skewed(size_t rows, uint64_t seed) {
  return SyntheticRows(
      rows, seed, [](double x, double z, double e) { return 5 * z + std::exp((0.3 + x) * e); });
}

std::vector<double> Numbers(const std::vector<std::string>& cells) {
  std::vector<double> v;
  for (const auto& c : cells) v.push_back(std::stod(c));
  return v;
}

// Trees fine enough to overfit a little, so that quantile fits close together cross.
const std::vector<std::string> kFineTrees = {
    "--trees",      "200", "--leaves", "63", "--min-data-in-leaf", "5", "--test-size", "0",
    "--valid-size", "0",   "--seed",   "3"};

std::vector<std::string> Args(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(CalibrationE2e, SeparateQuantileModelsCrossWhereOneMultiQuantileModelNeverDoes) {
  TempDir dir;
  WriteText(dir.File("train.csv"), Heteroscedastic(3000, 1));
  WriteText(dir.File("test.csv"), Heteroscedastic(2000, 2));
  auto predict = [&](const std::string& model) {
    auto p = RunKeel({"predict", "--model", model, "--data", dir.File("test.csv"), "--out", "-"});
    EXPECT_EQ(p.exit_code, 0) << p.err;
    return p.out;
  };
  auto train = [&](const std::string& name, const std::vector<std::string>& objective) {
    const std::string model = dir.File(name + ".keel");
    auto t = RunKeel(
        Args(Args({"train", "--data", dir.File("train.csv"), "--target", "y", "--out", model},
                  objective),
             kFineTrees));
    EXPECT_EQ(t.exit_code, 0) << t.err;
    return model;
  };
  // Two models, one per quantile, as one would train them without --quantiles.
  const auto lo = Numbers(
      Column(predict(train("q40", {"--objective", "quantile", "--alpha", "0.4"})), "prediction"));
  const auto hi = Numbers(
      Column(predict(train("q60", {"--objective", "quantile", "--alpha", "0.6"})), "prediction"));
  ASSERT_EQ(lo.size(), 2000u);
  ASSERT_EQ(hi.size(), lo.size());
  size_t crossed = 0;
  for (size_t i = 0; i < lo.size(); ++i) crossed += lo[i] > hi[i] ? 1 : 0;
  EXPECT_GT(crossed, 0u) << "the separate models never cross: the test shows nothing";
  // One model of both quantiles: the same fits, rearranged per row, so never crossing.
  const std::string both =
      predict(train("q40_60", {"--objective", "quantile", "--quantiles", "0.4,0.6"}));
  const auto q40 = Numbers(Column(both, "quantile_0.4"));
  const auto q60 = Numbers(Column(both, "quantile_0.6"));
  ASSERT_EQ(q40.size(), lo.size());
  ASSERT_EQ(q60.size(), lo.size());
  size_t crossed_multi = 0;
  for (size_t i = 0; i < lo.size(); ++i) {
    crossed_multi += q40[i] > q60[i] ? 1 : 0;
    EXPECT_NEAR(q40[i], std::min(lo[i], hi[i]), 1e-9 * (1 + std::abs(lo[i]))) << i;
    EXPECT_NEAR(q60[i], std::max(lo[i], hi[i]), 1e-9 * (1 + std::abs(hi[i]))) << i;
  }
  EXPECT_EQ(crossed_multi, 0u);
  // Evaluating or comparing such a model is refused with a clear message, not a size mismatch.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"evaluate", "--model", dir.File("q40_60.keel"), "--data",
                                 dir.File("test.csv")},
        std::vector<std::string>{"compare", dir.File("q40.keel"), dir.File("q40_60.keel"), "--data",
                                 dir.File("test.csv")}}) {
    auto r = RunKeel(args);
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_NE(r.err.find("a model of several quantiles cannot be evaluated"), std::string::npos)
        << r.err;
  }
  std::cout << "[ quantiles ] separate 0.4 and 0.6 models cross on " << crossed << " of "
            << lo.size() << " rows; one model of both on " << crossed_multi << "\n";
}

struct QuantileCase {
  std::string name, target;
  std::vector<std::string> extra;
};

TEST(CalibrationE2e, QuantileIntervalsCoverWithinTheirRangeAndAdaptToTheNoise) {
  for (const QuantileCase& c :
       {QuantileCase{"synthetic", "y", {}}, QuantileCase{"ames.csv", "Sale_Price", {}},
        QuantileCase{"skewed", "y", {}}}) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    if (c.name == "synthetic") {
      WriteText(dir.File("train.csv"), Heteroscedastic(4000, 11));
      WriteText(dir.File("test.csv"), Heteroscedastic(2000, 12));
    } else if (c.name == "skewed") {
      // Continuous: tied targets (a cost that is 0 on 40% of the rows) tie the scores, and
      // split conformal then covers more than the range's upper end (its lower end still holds).
      WriteText(dir.File("train.csv"), Skewed(4000, 13));
      WriteText(dir.File("test.csv"), Skewed(2000, 14));
    } else {
      SplitFile(c.name, dir);
    }
    // The automatic validation split gives the conformal (CQR) scores.
    auto t = RunKeel(Args({"train", "--data", dir.File("train.csv"), "--target", c.target,
                           "--objective", "quantile", "--quantiles", "0.05,0.95", "--test-size",
                           "0", "--seed", "7", "--out", dir.File("m.keel"), "--json"},
                          c.extra));
    ASSERT_EQ(t.exit_code, 0) << t.err;
    const auto report = nlohmann::json::parse(t.out);
    EXPECT_EQ(report["intervals"]["score"], "cqr");
    const double calibration_rows = report["intervals"]["held_out_rows"].get<double>();
    const std::string test = ReadText(dir.File("test.csv"));
    const auto truth = Numbers(Column(test, c.target));
    for (double level : {0.8, 0.9, 0.95}) {
      SCOPED_TRACE(level);
      auto p = RunKeel({"predict", "--model", dir.File("m.keel"), "--data", dir.File("test.csv"),
                        "--interval", std::to_string(level), "--out", "-"});
      ASSERT_EQ(p.exit_code, 0) << p.err;
      const auto lo = Numbers(Column(p.out, "lower")), hi = Numbers(Column(p.out, "upper"));
      ASSERT_EQ(lo.size(), truth.size());
      double covered = 0, narrow = 0, wide = 0, n_narrow = 0, n_wide = 0;
      const auto x = c.name == "synthetic" ? Numbers(Column(test, "x")) : std::vector<double>();
      for (size_t i = 0; i < truth.size(); ++i) {
        ASSERT_LE(lo[i], hi[i]) << i;
        covered += lo[i] <= truth[i] && truth[i] <= hi[i] ? 1 : 0;
        if (!x.empty() && x[i] < 0.25) {
          narrow += hi[i] - lo[i];
          ++n_narrow;
        } else if (!x.empty() && x[i] > 0.75) {
          wide += hi[i] - lo[i];
          ++n_wide;
        }
      }
      const double n = static_cast<double>(truth.size());
      const auto [lower, upper] = CoverageRange(calibration_rows, n, level);
      EXPECT_GE(covered / n, lower) << "of " << n << " rows, up to " << upper;
      EXPECT_LE(covered / n, upper) << "of " << n << " rows, from " << lower;
      std::cout << "[ cqr ] " << c.name << " level " << level << ": coverage " << covered / n
                << " (range " << lower << " .. " << upper << ")";
      if (!x.empty()) {
        // The noise's spread is (0.2 + 3x): about 4 times wider at x > 0.75 than at x < 0.25.
        EXPECT_GT(wide / n_wide, 2.5 * narrow / n_narrow);
        std::cout << ", mean width x < 0.25: " << narrow / n_narrow
                  << ", x > 0.75: " << wide / n_wide;
      }
      std::cout << "\n";
    }
  }
}

}  // namespace
}  // namespace keel::e2e
