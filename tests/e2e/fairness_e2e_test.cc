// `keel audit` end to end: train a model with `keel train`, audit it, and check the audit
// against a recomputation from `keel predict`'s output; a planted proxy and a planted weak
// slice are found; group thresholds are fitted, stored and applied; bad input is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "keel_process.h"

namespace keel::e2e {
namespace {

// A small deterministic generator (SplitMix64), so the test needs no library code.
struct Gen {
  uint64_t s;
  double Uniform() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  }
};

// People with a gender, a proxy of it (`nickname`: the gender with 10% noise), income, plan
// and region; churn depends on income, plan and gender. When `flip_slice` is set the labels of
// region = c AND plan = pro are flipped: data where the model's learned rule fails.
std::string MakeCsv(size_t n, uint64_t seed, bool flip_slice) {
  Gen g{seed};
  std::ostringstream out;
  out << "gender,nickname,income,plan,region,churn\n";
  for (size_t i = 0; i < n; ++i) {
    const bool female = g.Uniform() < 0.45;
    const bool noisy = g.Uniform() < 0.1;
    const double income = std::round(20000 + 60000 * g.Uniform());
    const bool pro = g.Uniform() < 0.5;
    const char region = static_cast<char>('a' + static_cast<int>(g.Uniform() * 5));
    const double logit =
        -0.5 + 2.5 * (income - 50000) / 30000 + (pro ? 1.5 : -1.0) + (female ? 0.8 : 0.0);
    bool churn = g.Uniform() < 1 / (1 + std::exp(-logit));
    if (flip_slice && region == 'c' && pro) churn = !churn;
    out << (female ? "F" : "M") << "," << ((female != noisy) ? "Alex" : "Sam") << "," << income
        << "," << (pro ? "pro" : "basic") << "," << region << "," << (churn ? "yes" : "no") << "\n";
  }
  return out.str();
}

std::vector<std::vector<std::string>> ReadCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

class FairnessE2e : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    WriteText(dir_->File("train.csv"), MakeCsv(3000, 1, false));
    WriteText(dir_->File("test.csv"), MakeCsv(2000, 2, true));
    auto r = RunKeel({"train", "--data", dir_->File("train.csv"), "--target", "churn", "--positive",
                      "yes", "--exclude", "gender", "--trees", "60", "--out", dir_->File("m.keel"),
                      "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string File(const std::string& name) { return dir_->File(name); }
  static TempDir* dir_;
};
TempDir* FairnessE2e::dir_ = nullptr;

TEST_F(FairnessE2e, DisparitiesEqualARecomputationFromPredictions) {
  auto p = RunKeel({"predict", "--model", File("m.keel"), "--data", File("test.csv"), "--out",
                    File("pred.csv")});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const auto pred = ReadCsv(ReadText(File("pred.csv")));
  const auto data = ReadCsv(ReadText(File("test.csv")));
  ASSERT_EQ(pred.size(), data.size());
  ASSERT_EQ(pred[0].back(), "prob_yes");
  // Fairlearn's definitions at threshold 0.5, by hand.
  std::map<std::string, double> n, sel, pos, tp, neg, fp;
  for (size_t i = 1; i < data.size(); ++i) {
    const std::string& g = data[i][0];
    const bool yhat = std::stod(pred[i].back()) >= 0.5;
    const bool y = data[i][5] == "yes";
    n[g] += 1;
    sel[g] += yhat;
    (y ? pos : neg)[g] += 1;
    (y ? tp : fp)[g] += yhat;
  }
  const double dp = std::abs(sel["F"] / n["F"] - sel["M"] / n["M"]);
  const double eo = std::max(std::abs(tp["F"] / pos["F"] - tp["M"] / pos["M"]),
                             std::abs(fp["F"] / neg["F"] - fp["M"] / neg["M"]));

  auto r = RunKeel({"audit", "--model", File("m.keel"), "--data", File("test.csv"), "--sensitive",
                    "gender", "--threshold", "0.5", "--bootstrap", "200", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& a = j["attributes"]["gender"];
  EXPECT_NEAR(a["demographic_parity_difference"].get<double>(), dp, 1e-12);
  EXPECT_NEAR(a["equalized_odds_difference"].get<double>(), eo, 1e-12);
  const double lo = a["demographic_parity_difference_ci"]["low"].get<double>();
  const double hi = a["demographic_parity_difference_ci"]["high"].get<double>();
  EXPECT_LE(lo, dp);
  EXPECT_GE(hi, dp);
  EXPECT_EQ(a["groups"].size(), 2u);
  EXPECT_TRUE(a.contains("four_fifths_rule_violated"));
  EXPECT_EQ(j["rows_audited"].get<size_t>(), data.size() - 1);
}

TEST_F(FairnessE2e, FindsThePlantedProxyAndWeakSlice) {
  auto r = RunKeel({"audit", "--model", File("m.keel"), "--data", File("test.csv"), "--sensitive",
                    "gender", "--bootstrap", "50", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  std::set<std::string> strong;
  for (const auto& p : j["proxies"]) {
    if (p["strong_proxy"].get<bool>()) strong.insert(p["feature"].get<std::string>());
  }
  EXPECT_EQ(strong, std::set<std::string>{"nickname"});
  const auto& worst = j["slices"]["worst"];
  ASSERT_FALSE(worst.empty());
  std::set<std::string> conds;
  for (const auto& c : worst[0]["conditions"]) conds.insert(c.get<std::string>());
  EXPECT_EQ(conds, (std::set<std::string>{"plan = pro", "region = c"}));
  EXPECT_LT(worst[0]["q_value"].get<double>(), 0.05);
  EXPECT_EQ(j["slices"]["loss"], "error_rate");
  // Judged by log loss the planted slice is still listed (a slice keeping only its most
  // confidently-wrong rows may rank above it; see slice_finder.h).
  auto ll =
      RunKeel({"audit", "--model", File("m.keel"), "--data", File("test.csv"), "--sensitive",
               "gender", "--bootstrap", "50", "--no-proxies", "--slice-loss", "logloss", "--json"});
  ASSERT_EQ(ll.exit_code, 0) << ll.err;
  const auto by_logloss = nlohmann::json::parse(ll.out);
  bool listed = false;
  for (const auto& s : by_logloss["slices"]["worst"]) {
    std::set<std::string> c;
    for (const auto& x : s["conditions"]) c.insert(x.get<std::string>());
    listed = listed || (c == std::set<std::string>{"plan = pro", "region = c"} &&
                        s["q_value"].get<double>() < 0.05);
  }
  EXPECT_TRUE(listed) << ll.out;
  // The text form says the same.
  auto t = RunKeel({"audit", "--model", File("m.keel"), "--data", File("test.csv"), "--sensitive",
                    "gender", "--bootstrap", "50"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("STRONG PROXY nickname"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("region = c"), std::string::npos);
}

TEST_F(FairnessE2e, GroupThresholdsAreFittedStoredAndApplied) {
  auto fit =
      RunKeel({"audit", "--model", File("m.keel"), "--data", File("test.csv"), "--sensitive",
               "gender", "--fit-thresholds", "demographic_parity", "--bound", "0.02", "--out",
               File("fair.keel"), "--bootstrap", "50", "--no-slices", "--no-proxies", "--json"});
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  const auto j = nlohmann::json::parse(fit.out);
  const auto& m = j["mitigation"];
  EXPECT_LE(m["disparity_after"].get<double>(), 0.02);
  EXPECT_EQ(m["thresholds"].size(), 2u);
  EXPECT_NEAR(
      m["audit_after"]["attributes"]["gender"]["demographic_parity_difference"].get<double>(),
      m["disparity_after"].get<double>(), 1e-12);

  // The stored model applies its thresholds when audited, unless told not to.
  auto again =
      RunKeel({"audit", "--model", File("fair.keel"), "--data", File("test.csv"), "--sensitive",
               "gender", "--bootstrap", "50", "--no-slices", "--no-proxies", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const auto a = nlohmann::json::parse(again.out);
  EXPECT_NE(a["decision_rule"].get<std::string>().find("group thresholds"), std::string::npos);
  EXPECT_NEAR(a["attributes"]["gender"]["demographic_parity_difference"].get<double>(),
              m["disparity_after"].get<double>(), 1e-12);
  auto plain = RunKeel({"audit", "--model", File("fair.keel"), "--data", File("test.csv"),
                        "--sensitive", "gender", "--ignore-group-thresholds", "--bootstrap", "50",
                        "--no-slices", "--no-proxies", "--json"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NEAR(
      nlohmann::json::parse(plain.out)["attributes"]["gender"]["demographic_parity_difference"]
          .get<double>(),
      m["disparity_before"].get<double>(), 1e-12);
}

TEST_F(FairnessE2e, NumericAttributeIsBinnedAndIntersected) {
  auto r = RunKeel({"audit", "--model", File("m.keel"), "--data", File("test.csv"), "--sensitive",
                    "gender,income", "--bins", "income=40000,60000", "--bootstrap", "50",
                    "--no-slices", "--no-proxies", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& groups = j["attributes"]["income"]["groups"];
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0]["group"], "(-inf, 40000)");
  EXPECT_TRUE(j["intersections"].contains("gender&income"));
  EXPECT_EQ(j["intersections"]["gender&income"]["groups"].size(), 6u);
}

TEST_F(FairnessE2e, BadInputIsAClearError) {
  auto missing = RunKeel({"audit", "--model", File("m.keel"), "--data", File("test.csv"),
                          "--sensitive", "race", "--json"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("'race'"), std::string::npos);
  EXPECT_FALSE(nlohmann::json::parse(missing.out)["ok"].get<bool>());

  auto none = RunKeel({"audit", "--model", File("m.keel"), "--data", File("test.csv")});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("sensitive"), std::string::npos);

  auto no_out = RunKeel({"audit", "--model", File("m.keel"), "--data", File("test.csv"),
                         "--sensitive", "gender", "--fit-thresholds", "demographic_parity"});
  EXPECT_EQ(no_out.exit_code, 2);  // flags that need each other: bad usage
  EXPECT_NE(no_out.err.find("--out"), std::string::npos);

  auto bad_bins = RunKeel({"audit", "--model", File("m.keel"), "--data", File("test.csv"),
                           "--sensitive", "gender", "--bins", "gender=1,2"});
  EXPECT_EQ(bad_bins.exit_code, 1);
  EXPECT_NE(bad_bins.err.find("not numeric"), std::string::npos);

  auto bad_ref = RunKeel({"audit", "--model", File("m.keel"), "--data", File("test.csv"),
                          "--sensitive", "gender", "--reference", "gender=X"});
  EXPECT_EQ(bad_ref.exit_code, 1);
  EXPECT_NE(bad_ref.err.find("groups: F, M"), std::string::npos);

  WriteText(File("truncated.keel"), ReadText(File("m.keel")).substr(0, 100));
  auto corrupt = RunKeel({"audit", "--model", File("truncated.keel"), "--data", File("test.csv"),
                          "--sensitive", "gender"});
  EXPECT_EQ(corrupt.exit_code, 1);

  WriteText(File("nolabel.csv"), "gender,nickname,income,plan,region\nF,Alex,1,pro,a\n");
  auto no_target = RunKeel(
      {"audit", "--model", File("m.keel"), "--data", File("nolabel.csv"), "--sensitive", "gender"});
  EXPECT_EQ(no_target.exit_code, 1);
  EXPECT_NE(no_target.err.find("churn"), std::string::npos);

  auto usage = RunKeel({"audit", "--model", File("m.keel")});
  EXPECT_EQ(usage.exit_code, 2);
}

}  // namespace
}  // namespace keel::e2e
