#include "eval/evaluation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eval/eval_test_fixtures.h"

namespace keel {
namespace {

using testing::Doubles;
using testing::Ints;
using testing::LoadEvalFixture;

struct BinaryData {
  std::vector<int32_t> labels;
  std::vector<double> scores;
  nlohmann::json expected;
  ScoredRows rows() const { return {Task::kBinary, 2, labels, {}, scores, {}}; }
};

BinaryData LoadBinary() {
  const auto f = LoadEvalFixture("binary_tied.json");
  return {Ints(f["labels"]), Doubles(f["scores"]), f["unweighted"]};
}

EvaluationOptions Options(int resamples, uint64_t seed) {
  EvaluationOptions o;
  o.bootstrap.resamples = resamples;
  o.bootstrap.seed = seed;
  return o;
}

Context Threads(int n) {
  return Context().WithThreads(n);
}

TEST(Evaluate, BinaryPointEstimatesMatchScikitLearnAndIntervalsBracketThem) {
  const auto d = LoadBinary();
  auto ev = Evaluate(d.rows(), Options(300, 1), Threads(2));
  ASSERT_TRUE(ev.ok()) << ev.status().ToString();
  EXPECT_EQ(ev->metrics.size(), MetricsFor(Task::kBinary).size());
  EXPECT_NEAR(ev->Find(Metric::kAuc)->value, d.expected["auc"].get<double>(), 1e-12);
  EXPECT_NEAR(ev->Find(Metric::kPrAuc)->value, d.expected["average_precision"].get<double>(),
              1e-12);
  EXPECT_NEAR(ev->Find(Metric::kEce)->value, d.expected["ece"].get<double>(), 1e-12);
  for (const auto& m : ev->metrics) {
    SCOPED_TRACE(std::string(MetricName(m.metric)));
    EXPECT_EQ(m.interval.used, 300u);
    EXPECT_LE(m.interval.lower, m.value);
    EXPECT_GE(m.interval.upper, m.value);
    EXPECT_LT(m.interval.lower, m.interval.upper);
  }
  EXPECT_EQ(ev->class_weight.size(), 2u);
  EXPECT_EQ(ev->class_weight[0] + ev->class_weight[1], 400);
  ASSERT_TRUE(ev->auc_standard_error.has_value());
  // The bootstrap and DeLong agree on the AUC's uncertainty to within sampling error.
  const auto* auc = ev->Find(Metric::kAuc);
  EXPECT_NEAR((auc->interval.upper - auc->interval.lower) / (2 * 1.96), *ev->auc_standard_error,
              0.25 * *ev->auc_standard_error);
  EXPECT_LE(ev->roc.fpr.size(), ev->options.max_curve_points);
  EXPECT_EQ(ev->reliability.weight.size(), 10u);
}

TEST(Evaluate, BootstrapIntervalsAreReproducibleUnderASeed) {
  const auto d = LoadBinary();
  const auto a = EvaluationToJson(*Evaluate(d.rows(), Options(200, 7), Threads(1)));
  const auto b = EvaluationToJson(*Evaluate(d.rows(), Options(200, 7), Threads(2)));
  const auto c = EvaluationToJson(*Evaluate(d.rows(), Options(200, 8), Threads(2)));
  EXPECT_EQ(a.dump(), b.dump());
  EXPECT_NE(a["metrics"]["auc"]["lower"], c["metrics"]["auc"]["lower"]);
  EXPECT_EQ(a["metrics"]["auc"]["value"], c["metrics"]["auc"]["value"]);
}

TEST(Evaluate, JsonCarriesCurvesWithNullForInfiniteThreshold) {
  const auto d = LoadBinary();
  const auto j = EvaluationToJson(*Evaluate(d.rows(), Options(20, 1), Threads(1)));
  EXPECT_EQ(j["task"], "binary");
  EXPECT_EQ(j["rows"], 400);
  EXPECT_TRUE(j["curves"]["roc"]["thresholds"][0].is_null());
  EXPECT_EQ(j["curves"]["roc"]["fpr"].size(), j["curves"]["roc"]["tpr"].size());
  EXPECT_EQ(j["curves"]["pr"]["precision"][0], 1.0);
  EXPECT_EQ(j["curves"]["reliability"]["observed"].size(), 10u);
  for (const char* name :
       {"auc", "pr_auc", "logloss", "brier", "accuracy", "precision", "recall", "f1", "ece"}) {
    EXPECT_TRUE(j["metrics"][name]["value"].is_number()) << name;
    EXPECT_TRUE(j["metrics"][name]["lower"].is_number()) << name;
  }
}

TEST(Evaluate, RegressionAndMulticlass) {
  const auto r = LoadEvalFixture("regression.json");
  const auto y = Doubles(r["targets"]);
  const auto p = Doubles(r["predictions"]);
  auto ev = Evaluate({Task::kRegression, 0, {}, y, p, {}}, Options(50, 1), Threads(1));
  ASSERT_TRUE(ev.ok());
  EXPECT_NEAR(ev->Find(Metric::kR2)->value, r["unweighted"]["r2"].get<double>(), 1e-12);
  EXPECT_EQ(ev->Find(Metric::kAuc), nullptr);
  const auto j = EvaluationToJson(*ev);
  EXPECT_FALSE(j.contains("curves"));

  const auto m = LoadEvalFixture("multiclass.json");
  const auto labels = Ints(m["labels"]);
  const auto probs = Doubles(m["probabilities"]);
  auto mev = Evaluate({Task::kMulticlass, m["num_classes"], labels, {}, probs, {}}, Options(50, 1),
                      Threads(1));
  ASSERT_TRUE(mev.ok());
  EXPECT_NEAR(mev->Find(Metric::kMacroF1)->value, m["unweighted"]["macro_f1"].get<double>(), 1e-12);
  EXPECT_EQ(mev->class_weight.size(), 4u);
  EXPECT_EQ(mev->class_weight[3], 0);
}

TEST(Evaluate, NoRowsIsAnError) {
  auto ev = Evaluate({Task::kBinary, 2, {}, {}, {}, {}}, Options(10, 1), Threads(1));
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace keel
