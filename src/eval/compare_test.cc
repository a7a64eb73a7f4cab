#include "eval/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "eval/eval_test_models.h"
#include "eval/summary_text.h"

namespace keel {
namespace {

using testing::LinearOn;
using testing::LogisticOn;
using testing::SignalTable;

// A model and its compiled predictor, kept together for CompareInput.
struct Side {
  Model model;
  std::unique_ptr<Predictor> predictor;
  CompareInput input(const std::string& name) const {
    return {&model, predictor.get(), 1234, name};
  }
};

Side Make(Model m) {
  Side s;
  s.model = std::move(m);
  auto p = Predictor::Create(s.model);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  s.predictor = std::move(p).value();
  return s;
}

CompareOptions FastOptions() {
  CompareOptions o;
  o.evaluation.bootstrap.resamples = 200;
  o.cost.latency_rows = 300;
  o.cost.warmup_rows = 20;
  o.cost.min_batch_seconds = 0.001;
  return o;
}

Context Threads(int n) {
  return Context().WithThreads(n);
}

TEST(CompareModels, StrongCandidateShipsOnSignificantAucGain) {
  const Table t = SignalTable(600, 1);
  const Side base = Make(LogisticOn("noise", 1.0));
  const Side cand = Make(LogisticOn("signal", 1.5));
  auto c = CompareModels(base.input("base"), cand.input("cand"), t, FastOptions(), Threads(2));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->rows, 600u);
  EXPECT_EQ(c->test.metric, Metric::kAuc);
  EXPECT_EQ(c->test.method, "delong");
  EXPECT_GT(c->test.gain, 0.15);
  EXPECT_LT(c->test.lower, c->test.gain);
  EXPECT_GT(c->test.lower, 0);
  EXPECT_LT(c->test.p_value, 1e-6);
  EXPECT_NEAR(c->test.baseline, c->baseline.Find(Metric::kAuc)->value, 1e-12);
  EXPECT_NEAR(c->test.candidate, c->candidate.Find(Metric::kAuc)->value, 1e-12);
  EXPECT_TRUE(c->verdict.ship_candidate) << c->verdict.reason;
  EXPECT_NE(c->verdict.reason.find("ship the candidate"), std::string::npos);
  EXPECT_GT(c->candidate_cost.p99_us, 0);
  EXPECT_LE(c->candidate_cost.p50_us, c->candidate_cost.p99_us);
  EXPECT_GT(c->candidate_cost.rows_per_second, 0);
  EXPECT_EQ(c->candidate_cost.file_bytes, 1234u);

  const auto j = ComparisonToJson(*c);
  EXPECT_EQ(j["verdict"]["ship"], "candidate");
  EXPECT_EQ(j["test"]["method"], "delong");
  EXPECT_TRUE(j["candidate"]["evaluation"]["curves"]["roc"]["fpr"].is_array());
  const std::string text = FormatComparisonText(*c);
  EXPECT_NE(text.find("SHIP THE CANDIDATE"), std::string::npos);
  EXPECT_NE(text.find("1.2 KiB"), std::string::npos);
}

TEST(CompareModels, WeakerCandidateKeepsBaseline) {
  const Table t = SignalTable(600, 2);
  const Side base = Make(LogisticOn("signal", 1.5));
  const Side cand = Make(LogisticOn("noise", 1.0));
  auto c = CompareModels(base.input("base"), cand.input("cand"), t, FastOptions(), Threads(2));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_LT(c->test.gain, 0);
  EXPECT_FALSE(c->verdict.ship_candidate);
  EXPECT_NE(c->verdict.reason.find("significantly worse"), std::string::npos) << c->verdict.reason;
  EXPECT_NE(c->verdict.reason.find("keep the baseline"), std::string::npos);
}

TEST(CompareModels, IdenticalModelsHaveNoGain) {
  const Table t = SignalTable(300, 3);
  const Side base = Make(LogisticOn("signal", 1.5));
  const Side cand = Make(LogisticOn("signal", 3.0));  // the same ranking
  auto c = CompareModels(base.input("base"), cand.input("cand"), t, FastOptions(), Threads(2));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->test.gain, 0);
  EXPECT_EQ(c->test.p_value, 1);
  EXPECT_FALSE(c->verdict.ship_candidate);
}

TEST(CompareModels, MinGainAndLatencyBudgetCanEachBlockTheCandidate) {
  const Table t = SignalTable(600, 1);
  const Side base = Make(LogisticOn("noise", 1.0));
  const Side cand = Make(LogisticOn("signal", 1.5));
  CompareOptions o = FastOptions();
  o.min_gain = 0.9;
  auto c = CompareModels(base.input("base"), cand.input("cand"), t, o, Threads(2));
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->verdict.ship_candidate);
  EXPECT_FALSE(c->verdict.gain_reaches_min);
  EXPECT_TRUE(c->verdict.significant);
  EXPECT_NE(c->verdict.reason.find("below min_gain 0.9"), std::string::npos) << c->verdict.reason;

  o = FastOptions();
  o.latency_budget_us = 1e-6;
  c = CompareModels(base.input("base"), cand.input("cand"), t, o, Threads(2));
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->verdict.ship_candidate);
  EXPECT_FALSE(c->verdict.within_budget);
  EXPECT_NE(c->verdict.reason.find("but its p99 latency"), std::string::npos) << c->verdict.reason;
}

TEST(CompareModels, LogLossUsesReproduciblePairedBootstrap) {
  const Table t = SignalTable(500, 4);
  const Side base = Make(LogisticOn("noise", 0.5, -0.4));
  const Side cand = Make(LogisticOn("signal", 1.5, -1.0));
  CompareOptions o = FastOptions();
  o.metric = Metric::kLogLoss;
  auto c1 = CompareModels(base.input("base"), cand.input("cand"), t, o, Threads(2));
  auto c2 = CompareModels(base.input("base"), cand.input("cand"), t, o, Threads(1));
  ASSERT_TRUE(c1.ok() && c2.ok()) << c1.status().ToString();
  EXPECT_EQ(c1->test.method, "paired_bootstrap");
  EXPECT_EQ(c1->test.resamples, 200u);
  // Improvement of a loss is the decrease.
  EXPECT_NEAR(c1->test.gain, c1->test.baseline - c1->test.candidate, 1e-15);
  EXPECT_GT(c1->test.gain, 0);
  EXPECT_GT(c1->test.lower, 0);
  EXPECT_EQ(c1->test.lower, c2->test.lower);
  EXPECT_EQ(c1->test.upper, c2->test.upper);
  EXPECT_TRUE(c1->verdict.ship_candidate) << c1->verdict.reason;
  EXPECT_NE(c1->verdict.reason.find("log loss improvement"), std::string::npos);
}

TEST(CompareModels, RegressionOnRmse) {
  const Table t = SignalTable(400, 5);
  Side base = Make(LinearOn("noise", 1.0));
  Side cand = Make(LinearOn("signal", 2.0));
  base.model.target = cand.model.target = "value";
  auto c = CompareModels(base.input("base"), cand.input("cand"), t, FastOptions(), Threads(2));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->test.metric, Metric::kRmse);
  EXPECT_EQ(c->test.method, "paired_bootstrap");
  EXPECT_TRUE(c->verdict.ship_candidate) << c->verdict.reason;
  EXPECT_EQ(c->baseline.Find(Metric::kAuc), nullptr);
}

TEST(CompareModels, RefusesDifferentLabelMappingsTasksAndTargets) {
  const Table t = SignalTable(50, 6);
  const Side base = Make(LogisticOn("noise", 1.0));
  Side cand = Make(LogisticOn("signal", 1.0));
  cand.model.labels.classes = {"yes", "no"};  // positive class swapped
  auto c = CompareModels(base.input("base"), cand.input("cand"), t, FastOptions(), Threads(2));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("different label mappings"), std::string::npos);
  EXPECT_NE(c.status().message().find(base.model.labels.Version()), std::string::npos);

  const Side reg = Make(LinearOn("signal", 1.0));
  Status s = CheckComparable(base.model, reg.model);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("different tasks"), std::string::npos);

  Model other = base.model;
  other.target = "churn";
  EXPECT_FALSE(CheckComparable(base.model, other).ok());
  EXPECT_TRUE(CheckComparable(base.model, base.model).ok());
}

TEST(CompareModels, RejectsBadOptionsAndMetricOfAnotherTask) {
  const Table t = SignalTable(50, 7);
  const Side base = Make(LogisticOn("noise", 1.0));
  const Side cand = Make(LogisticOn("signal", 1.0));
  CompareOptions o = FastOptions();
  o.metric = Metric::kRmse;
  EXPECT_FALSE(CompareModels(base.input("b"), cand.input("c"), t, o, Threads(2)).ok());
  o = FastOptions();
  o.alpha = 0;
  EXPECT_FALSE(CompareModels(base.input("b"), cand.input("c"), t, o, Threads(2)).ok());
  o = FastOptions();
  o.min_gain = -0.1;
  EXPECT_FALSE(CompareModels(base.input("b"), cand.input("c"), t, o, Threads(2)).ok());
  o = FastOptions();
  o.latency_budget_us = 0;
  EXPECT_FALSE(CompareModels(base.input("b"), cand.input("c"), t, o, Threads(2)).ok());
}

TEST(TestGain, RequiresTheSameRows) {
  const std::vector<int32_t> a_labels = {0, 1, 0, 1}, b_labels = {0, 1, 1, 1};
  const std::vector<double> p = {0.1, 0.8, 0.3, 0.6};
  const ScoredRows a{Task::kBinary, 2, a_labels, {}, p, {}};
  const ScoredRows b{Task::kBinary, 2, b_labels, {}, p, {}};
  EXPECT_FALSE(TestGain(a, b, Metric::kAuc, CompareOptions{}, Threads(1)).ok());
}

TEST(DecideVerdict, SaysWhyInWordsWithTheNumbers) {
  GainTest t;
  t.metric = Metric::kAuc;
  t.method = "delong";
  t.gain = 0.012;
  t.lower = 0.004;
  t.upper = 0.020;
  t.confidence = 0.95;
  t.p_value = 0.003;
  ModelCost cost;
  cost.p99_us = 18;
  CompareOptions o;
  o.min_gain = 0.005;
  o.alpha = 0.05;
  o.latency_budget_us = 1000;
  const Verdict v = DecideVerdict(t, cost, o);
  EXPECT_TRUE(v.ship_candidate);
  EXPECT_EQ(v.reason,
            "the candidate's AUC gain of +0.012 (95% CI +0.004..+0.02, DeLong p = 0.003) "
            "reaches min_gain 0.005 and is significant at alpha 0.05, and its p99 latency "
            "18.0 us is within the 1000 us budget: ship the candidate");

  t.p_value = 0.2;
  const Verdict weak = DecideVerdict(t, cost, o);
  EXPECT_FALSE(weak.ship_candidate);
  EXPECT_TRUE(weak.gain_reaches_min);
  EXPECT_FALSE(weak.significant);
  EXPECT_NE(weak.reason.find("reaches min_gain 0.005 but is not significant"), std::string::npos);

  t.p_value = NAN;
  EXPECT_NE(DecideVerdict(t, cost, o).reason.find("could not be compared"), std::string::npos);
}

}  // namespace
}  // namespace keel
