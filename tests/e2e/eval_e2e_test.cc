// `keel evaluate` and `keel compare` as a user runs them: models trained with `keel train`
// on one part of the churn data, evaluated and compared on the rest.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "keel_process.h"

namespace keel::e2e {
namespace {

nlohmann::json Json(const ProcessResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

// Writes the first `train_rows` records of the churn data to train.csv and the rest to
// test.csv (the file has one record per line).
struct ChurnSplit {
  TempDir dir;
  std::string train = dir.File("train.csv");
  std::string test = dir.File("test.csv");
  size_t test_rows = 0;

  explicit ChurnSplit(size_t train_rows = 5000) {
    std::stringstream in(ReadText(DataFile("wa_churn.csv")));
    std::string header, line, a, b;
    std::getline(in, header);
    a = b = header + "\n";
    for (size_t i = 0; std::getline(in, line); ++i) {
      if (i < train_rows) {
        a += line + "\n";
      } else {
        b += line + "\n";
        ++test_rows;
      }
    }
    WriteText(train, a);
    WriteText(test, b);
  }

  std::string Train(const std::string& name, std::vector<std::string> extra) const {
    const std::string out = dir.File(name);
    std::vector<std::string> args = {"train", "--data", train, "--target",
                                     "churn", "--out",  out,   "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = RunKeel(args, "", 300);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return out;
  }
};

// One split and three models shared by the tests (training is the slow part).
class EvalE2e : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    split_ = new ChurnSplit();
    linear_ = split_->Train("linear.keel", {"--algo", "linear"});
    gbdt_ = split_->Train("gbdt.keel", {"--trees", "60"});
    flipped_ = split_->Train("flipped.keel", {"--algo", "linear", "--positive", "No"});
  }
  static void TearDownTestSuite() {
    delete split_;
    split_ = nullptr;
  }
  static ChurnSplit* split_;
  static std::string linear_, gbdt_, flipped_;
};
ChurnSplit* EvalE2e::split_ = nullptr;
std::string EvalE2e::linear_, EvalE2e::gbdt_, EvalE2e::flipped_;

// AUC by its definition over every (positive, negative) pair, independent of Keel's.
double PairwiseAuc(const std::vector<double>& s, const std::vector<int>& y) {
  double pos = 0, neg = 0, wins = 0;
  for (size_t i = 0; i < s.size(); ++i) (y[i] ? pos : neg) += 1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!y[i]) continue;
    for (size_t j = 0; j < s.size(); ++j) {
      if (!y[j]) wins += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
    }
  }
  return wins / (pos * neg);
}

TEST_F(EvalE2e, EvaluateJsonMatchesPredictionsAndCarriesIntervalsAndCurves) {
  auto r = RunKeel(
      {"evaluate", "--model", gbdt_, "--data", split_->test, "--resamples", "300", "--json"});
  auto j = Json(r);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["task"], "binary");
  EXPECT_EQ(j["positive_class"], "Yes");
  EXPECT_EQ(j["rows"].get<size_t>(), split_->test_rows);
  EXPECT_EQ(j["resamples"], 300);
  for (const char* m :
       {"auc", "pr_auc", "logloss", "brier", "accuracy", "precision", "recall", "f1", "ece"}) {
    const auto& e = j["metrics"][m];
    ASSERT_TRUE(e["value"].is_number()) << m;
    EXPECT_LE(e["lower"].get<double>(), e["value"].get<double>()) << m;
    EXPECT_GE(e["upper"].get<double>(), e["value"].get<double>()) << m;
  }
  EXPECT_GT(j["metrics"]["auc"]["value"].get<double>(), 0.75);
  const auto& roc = j["curves"]["roc"];
  EXPECT_EQ(roc["fpr"].size(), roc["tpr"].size());
  EXPECT_LE(roc["fpr"].size(), 201u);
  EXPECT_EQ(roc["fpr"].back(), 1.0);
  EXPECT_EQ(j["curves"]["reliability"]["observed"].size(), 10u);

  // The AUC equals the pairwise AUC of `keel predict`'s probabilities on the same file.
  const std::string preds = split_->dir.File("preds.csv");
  auto p = RunKeel({"predict", "--model", gbdt_, "--data", split_->test, "--out", preds});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  std::stringstream pin(ReadText(preds)), din(ReadText(split_->test));
  std::string pline, dline;
  std::getline(pin, pline);
  const size_t col = [&] {
    size_t c = 0, start = 0;
    while (true) {
      const size_t comma = pline.find(',', start);
      if (pline.substr(start, comma - start) == "prob_Yes") return c;
      if (comma == std::string::npos) return std::string::npos;
      start = comma + 1;
      ++c;
    }
  }();
  ASSERT_NE(col, std::string::npos) << pline;
  std::getline(din, dline);
  std::vector<double> scores;
  std::vector<int> labels;
  while (std::getline(pin, pline) && std::getline(din, dline)) {
    size_t start = 0;
    for (size_t c = 0; c < col; ++c) start = pline.find(',', start) + 1;
    scores.push_back(std::stod(pline.substr(start, pline.find(',', start) - start)));
    labels.push_back(dline.rfind("\"Yes\"", 0) == 0 ? 1 : 0);
  }
  ASSERT_EQ(scores.size(), split_->test_rows);
  EXPECT_NEAR(j["metrics"]["auc"]["value"].get<double>(), PairwiseAuc(scores, labels), 1e-9);
}

TEST_F(EvalE2e, EvaluateIntervalsRepeatUnderASeed) {
  auto run = [&](const std::string& seed) {
    return Json(RunKeel({"evaluate", "--model", linear_, "--data", split_->test, "--resamples",
                         "200", "--seed", seed, "--json"}));
  };
  const auto a = run("5"), b = run("5"), c = run("6");
  EXPECT_EQ(a["metrics"], b["metrics"]);
  EXPECT_NE(a["metrics"]["auc"]["lower"], c["metrics"]["auc"]["lower"]);
  EXPECT_EQ(a["metrics"]["auc"]["value"], c["metrics"]["auc"]["value"]);
}

TEST_F(EvalE2e, EvaluateTextIsATable) {
  auto r = RunKeel({"evaluate", "--model", linear_, "--data", split_->test, "--resamples", "50"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("AUC"), std::string::npos);
  EXPECT_NE(r.out.find("Brier score"), std::string::npos);
  EXPECT_NE(r.out.find("rows evaluated"), std::string::npos);
}

TEST_F(EvalE2e, CompareGivesAVerdictWithTheTestAndTheCost) {
  auto r = RunKeel({"compare", linear_, gbdt_, "--data", split_->test, "--resamples", "200",
                    "--latency-rows", "500", "--json"});
  auto j = Json(r);
  EXPECT_EQ(j["metric"], "auc");
  EXPECT_EQ(j["test"]["method"], "delong");
  EXPECT_EQ(j["rows"].get<size_t>(), split_->test_rows);
  const double gain = j["test"]["gain"];
  EXPECT_NEAR(gain,
              j["candidate"]["evaluation"]["metrics"]["auc"]["value"].get<double>() -
                  j["baseline"]["evaluation"]["metrics"]["auc"]["value"].get<double>(),
              1e-12);
  EXPECT_LT(j["test"]["lower"].get<double>(), gain);
  EXPECT_GT(j["test"]["upper"].get<double>(), gain);
  const std::string ship = j["verdict"]["ship"];
  const std::string reason = j["verdict"]["reason"];
  EXPECT_TRUE(ship == "candidate" || ship == "baseline");
  EXPECT_NE(reason.find(ship == "candidate" ? "ship the candidate" : "keep the baseline"),
            std::string::npos)
      << reason;
  for (const char* side : {"baseline", "candidate"}) {
    const auto& cost = j[side]["cost"];
    EXPECT_GT(cost["file_bytes"].get<double>(), 0) << side;
    EXPECT_GT(cost["p99_us"].get<double>(), 0) << side;
    EXPECT_GE(cost["p99_us"].get<double>(), cost["p50_us"].get<double>()) << side;
    EXPECT_GT(cost["rows_per_second"].get<double>(), 0) << side;
    EXPECT_EQ(cost["latency_rows"], 500);
  }
  // A budget below any real latency blocks the candidate, whatever its gain.
  auto blocked =
      Json(RunKeel({"compare", linear_, gbdt_, "--data", split_->test, "--resamples", "50",
                    "--latency-rows", "100", "--latency-budget-us", "0.001", "--json"}));
  EXPECT_EQ(blocked["verdict"]["ship"], "baseline");
  EXPECT_EQ(blocked["verdict"]["within_budget"], false);
}

TEST_F(EvalE2e, CompareTextAndOtherMetrics) {
  auto r = RunKeel({"compare", linear_, gbdt_, "--data", split_->test, "--metric", "brier",
                    "--min-gain", "0.5", "--resamples", "100", "--latency-rows", "100"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("paired bootstrap"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("KEEP THE BASELINE"), std::string::npos) << r.out;  // min_gain 0.5
  EXPECT_NE(r.out.find("below min_gain 0.5"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("latency p99"), std::string::npos);
}

TEST_F(EvalE2e, CompareAModelWithItselfKeepsTheBaseline) {
  auto j = Json(RunKeel({"compare", linear_, linear_, "--data", split_->test, "--resamples", "50",
                         "--latency-rows", "100", "--json"}));
  EXPECT_EQ(j["test"]["gain"], 0.0);
  EXPECT_EQ(j["test"]["p_value"], 1.0);
  EXPECT_EQ(j["verdict"]["ship"], "baseline");
}

TEST_F(EvalE2e, CompareRefusesModelsWithDifferentLabelMappings) {
  auto r = RunKeel({"compare", linear_, flipped_, "--data", split_->test, "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("different label mappings"), std::string::npos) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ok"], false);
}

TEST_F(EvalE2e, BadInputGivesClearErrors) {
  // Usage errors.
  EXPECT_EQ(RunKeel({"evaluate", "--data", split_->test}).exit_code, 2);
  EXPECT_EQ(RunKeel({"compare", linear_, "--data", split_->test}).exit_code, 2);
  EXPECT_EQ(
      RunKeel({"evaluate", "--model", linear_, "--data", split_->test, "--bins", "0"}).exit_code,
      2);
  // Files that are not there or not models.
  auto missing =
      RunKeel({"evaluate", "--model", split_->dir.File("nope.keel"), "--data", split_->test});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope.keel"), std::string::npos) << missing.err;
  const std::string junk = split_->dir.File("junk.keel");
  WriteText(junk, "this is not a model");
  EXPECT_EQ(RunKeel({"evaluate", "--model", junk, "--data", split_->test}).exit_code, 1);
  EXPECT_EQ(RunKeel({"compare", junk, linear_, "--data", split_->test}).exit_code, 1);
  // Bad settings.
  // Flag values the flags' own checks refuse are usage errors (exit 2).
  auto conf =
      RunKeel({"evaluate", "--model", linear_, "--data", split_->test, "--confidence", "1.5"});
  EXPECT_EQ(conf.exit_code, 2);
  EXPECT_NE(conf.err.find("1.5"), std::string::npos) << conf.err;
  auto metric = RunKeel({"compare", linear_, gbdt_, "--data", split_->test, "--metric", "rmse"});
  EXPECT_EQ(metric.exit_code, 1);
  EXPECT_NE(metric.err.find("rmse"), std::string::npos) << metric.err;
  EXPECT_EQ(
      RunKeel({"compare", linear_, gbdt_, "--data", split_->test, "--metric", "bogus"}).exit_code,
      2);
  EXPECT_EQ(RunKeel({"compare", linear_, gbdt_, "--data", split_->test, "--alpha", "2"}).exit_code,
            2);
  // Data without the target, or with a label the model does not know.
  const std::string unlabeled = split_->dir.File("unlabeled.csv");
  WriteText(unlabeled, "tenure,monthly_charges\n1,20\n");
  auto no_target =
      RunKeel({"evaluate", "--model", linear_, "--data", unlabeled, "--allow-missing-columns"});
  EXPECT_EQ(no_target.exit_code, 1);
  EXPECT_NE(no_target.err.find("\"churn\""), std::string::npos) << no_target.err;
  std::string text = ReadText(split_->test);
  const size_t second_line = text.find('\n') + 1;
  text.replace(second_line, text.find(',', second_line) - second_line, "\"Maybe\"");
  const std::string unseen = split_->dir.File("unseen.csv");
  WriteText(unseen, text);
  auto r = RunKeel({"evaluate", "--model", linear_, "--data", unseen});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Maybe"), std::string::npos) << r.err;
}

// Evaluate and compare need labels: on data without the target column (new data, as predict
// takes it) each fails saying the target is needed and which use case needs it (before,
// compare said "evaluation needs the true labels", naming neither itself nor the check).
TEST_F(EvalE2e, EvaluateAndCompareSayTheyNeedTheTarget) {
  std::string text = ReadText(split_->test);
  // Drop the first column, the target.
  std::string unlabeled_text;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end - at);
    unlabeled_text += line.substr(line.find(',') + 1) + "\n";
    at = end == std::string::npos ? text.size() : end + 1;
  }
  ASSERT_EQ(text.rfind("\"churn\",", 0), 0u) << text.substr(0, 40);
  const std::string unlabeled = split_->dir.File("no_target.csv");
  WriteText(unlabeled, unlabeled_text);
  // Scoring needs no target: predict takes the file as it is.
  auto p = RunKeel({"predict", "--model", gbdt_, "--data", unlabeled, "--out", "-", "--quiet"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto e = RunKeel({"evaluate", "--model", gbdt_, "--data", unlabeled, "--json"});
  EXPECT_EQ(e.exit_code, 1);
  const std::string e_msg = nlohmann::json::parse(e.out)["error"]["message"];
  EXPECT_NE(e_msg.find("\"churn\", the model's target, which evaluate needs for labels"),
            std::string::npos)
      << e_msg;
  auto c = RunKeel({"compare", linear_, gbdt_, "--data", unlabeled, "--json"});
  EXPECT_EQ(c.exit_code, 1);
  const std::string c_msg = nlohmann::json::parse(c.out)["error"]["message"];
  EXPECT_NE(c_msg.find("\"churn\", the model's target, which compare needs for labels"),
            std::string::npos)
      << c_msg;
}

TEST(EvalHelp, EveryFlagIsExplainedWithItsDefault) {
  auto e = RunKeel({"evaluate", "--help"});
  EXPECT_EQ(e.exit_code, 0);
  for (const char* flag : {"--threshold", "--resamples", "--seed", "--confidence", "--bins",
                           "--json", "default: 1000", "default: 42"}) {
    EXPECT_NE(e.out.find(flag), std::string::npos) << flag;
  }
  auto c = RunKeel({"compare", "--help"});
  EXPECT_EQ(c.exit_code, 0);
  for (const char* flag : {"--metric", "--min-gain", "--alpha", "--latency-budget-us",
                           "default: 0.05", "default: 1000"}) {
    EXPECT_NE(c.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace keel::e2e
