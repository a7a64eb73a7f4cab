#include "eval/metric_computer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/random.h"
#include "eval/eval_test_fixtures.h"
#include "eval/multiclass_metrics.h"
#include "eval/regression_metrics.h"

namespace keel {
namespace {

using testing::Doubles;
using testing::Ints;
using testing::LoadEvalFixture;

std::vector<double> ComputeAll(const MetricComputer& c, std::span<const double> w = {}) {
  std::vector<double> out(c.metrics().size());
  MetricComputer::Scratch scratch;
  c.Compute(w, out, &scratch);
  return out;
}

// The public span functions, one metric at a time: the reference for the computer.
std::vector<double> OneByOne(const ScoredRows& r, const MetricOptions& o,
                             std::span<const double> w) {
  std::vector<double> out;
  for (Metric m : MetricsFor(r.task)) {
    switch (m) {
      case Metric::kAuc:
        out.push_back(*RocAuc(r.labels, r.predictions, w));
        break;
      case Metric::kPrAuc:
        out.push_back(*AveragePrecision(r.labels, r.predictions, w));
        break;
      case Metric::kLogLoss:
        out.push_back(r.task == Task::kBinary
                          ? *BinaryLogLoss(r.labels, r.predictions, w)
                          : *MulticlassLogLoss(r.labels, r.predictions, r.num_classes, w));
        break;
      case Metric::kBrier:
        out.push_back(*BrierScore(r.labels, r.predictions, w));
        break;
      case Metric::kAccuracy:
        out.push_back(r.task == Task::kBinary
                          ? MetricsAtThreshold(r.labels, r.predictions, o.threshold, w)->accuracy
                          : *Accuracy(r.labels, PredictedClasses(r.predictions, r.num_classes),
                                      r.num_classes, w));
        break;
      case Metric::kPrecision:
        out.push_back(MetricsAtThreshold(r.labels, r.predictions, o.threshold, w)->precision);
        break;
      case Metric::kRecall:
        out.push_back(MetricsAtThreshold(r.labels, r.predictions, o.threshold, w)->recall);
        break;
      case Metric::kF1:
        out.push_back(MetricsAtThreshold(r.labels, r.predictions, o.threshold, w)->f1);
        break;
      case Metric::kEce:
        out.push_back(*ExpectedCalibrationError(r.labels, r.predictions, w, o.calibration_bins));
        break;
      case Metric::kMacroF1:
        out.push_back(
            *MacroF1(r.labels, PredictedClasses(r.predictions, r.num_classes), r.num_classes, w));
        break;
      case Metric::kRmse:
        out.push_back(*Rmse(r.targets, r.predictions, w));
        break;
      case Metric::kMae:
        out.push_back(*Mae(r.targets, r.predictions, w));
        break;
      case Metric::kR2:
        out.push_back(*R2(r.targets, r.predictions, w));
        break;
      default:  // the objective losses are not in MetricsFor (ObjectiveLossesMatchScikitLearn)
        ADD_FAILURE() << MetricName(m);
        break;
    }
  }
  return out;
}

void ExpectComputerMatchesFunctions(const ScoredRows& rows, const MetricOptions& o) {
  auto c = MetricComputer::Create(rows, {}, o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  testing::ExpectAllNear(ComputeAll(*c), OneByOne(rows, o, rows.weights), 1e-12, "base weights");
  // Other weights passed to Compute replace the base ones.
  Rng rng(11);
  std::vector<double> w(rows.rows());
  for (auto& x : w) x = static_cast<double>(rng.Below(3));
  testing::ExpectAllNear(ComputeAll(*c, w), OneByOne(rows, o, w), 1e-12, "resample weights");
}

TEST(MetricComputer, BinaryMatchesTheSpanFunctions) {
  const auto f = LoadEvalFixture("binary_tied.json");
  const auto labels = Ints(f["labels"]);
  const auto scores = Doubles(f["scores"]);
  const auto weights = Doubles(f["weights"]);
  ScoredRows rows{Task::kBinary, 2, labels, {}, scores, {}};
  ExpectComputerMatchesFunctions(rows, {});
  rows.weights = weights;
  ExpectComputerMatchesFunctions(rows, {0.3, 7});
}

TEST(MetricComputer, MulticlassMatchesTheSpanFunctions) {
  const auto f = LoadEvalFixture("multiclass.json");
  const auto labels = Ints(f["labels"]);
  const auto probs = Doubles(f["probabilities"]);
  const auto weights = Doubles(f["weights"]);
  ScoredRows rows{Task::kMulticlass, f["num_classes"], labels, {}, probs, weights};
  ExpectComputerMatchesFunctions(rows, {});
}

TEST(MetricComputer, RegressionMatchesTheSpanFunctions) {
  const auto f = LoadEvalFixture("regression.json");
  const auto y = Doubles(f["targets"]);
  const auto p = Doubles(f["predictions"]);
  ScoredRows rows{Task::kRegression, 0, {}, y, p, {}};
  ExpectComputerMatchesFunctions(rows, {});
}

TEST(MetricComputer, SelectedMetricsInTheGivenOrder) {
  const std::vector<int32_t> labels = {1, 0, 1, 0};
  const std::vector<double> scores = {0.9, 0.8, 0.4, 0.4};
  const Metric wanted[] = {Metric::kBrier, Metric::kAuc};
  auto c = MetricComputer::Create({Task::kBinary, 2, labels, {}, scores, {}}, wanted);
  ASSERT_TRUE(c.ok());
  const auto v = ComputeAll(*c);
  EXPECT_DOUBLE_EQ(v[1], 0.625);
  EXPECT_DOUBLE_EQ(v[0], *BrierScore(labels, scores));
}

TEST(MetricComputer, RejectsMetricsOfAnotherTaskAndBadOptions) {
  const std::vector<int32_t> labels = {1, 0};
  const std::vector<double> scores = {0.9, 0.8};
  const ScoredRows rows{Task::kBinary, 2, labels, {}, scores, {}};
  const Metric rmse[] = {Metric::kRmse};
  auto c = MetricComputer::Create(rows, rmse);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("rmse"), std::string::npos);
  EXPECT_FALSE(MetricComputer::Create(rows, {}, {NAN, 10}).ok());
  EXPECT_FALSE(MetricComputer::Create(rows, {}, {0.5, 0}).ok());
  const std::vector<double> not_probability = {0.9, 1.8};
  EXPECT_FALSE(
      MetricComputer::Create({Task::kBinary, 2, labels, {}, not_probability, {}}, {}).ok());
}

}  // namespace
}  // namespace keel

namespace keel {
namespace {

// tests/fixtures/eval/make_objective_losses.py: scikit-learn's mean_pinball_loss,
// mean_poisson_deviance, mean_gamma_deviance and mean_tweedie_deviance (and numpy's coverage),
// unweighted and weighted, against the computer's objective losses.
TEST(MetricComputer, ObjectiveLossesMatchScikitLearn) {
  const auto cases = testing::LoadEvalFixture("objective_losses.json");
  ASSERT_EQ(cases.size(), 8u);
  for (const auto& f : cases) {
    const std::string objective = f["objective"];
    SCOPED_TRACE(objective + " " + f["param"].dump());
    const auto y = testing::Doubles(f["targets"]);
    const auto p = testing::Doubles(f["predictions"]);
    const auto weights = testing::Doubles(f["weights"]);
    MetricOptions o;
    std::vector<Metric> metrics = {Metric::kRmse};
    if (objective == "quantile") {
      o.quantile_alpha = f["param"];
      metrics.insert(metrics.end(), {Metric::kPinballLoss, Metric::kCoverage});
    } else if (objective == "poisson") {
      metrics.push_back(Metric::kPoissonDeviance);
    } else if (objective == "gamma") {
      metrics.push_back(Metric::kGammaDeviance);
    } else {
      o.tweedie_variance_power = f["param"];
      metrics.push_back(Metric::kTweedieDeviance);
    }
    for (const char* variant : {"unweighted", "weighted"}) {
      SCOPED_TRACE(variant);
      ScoredRows r;
      r.task = Task::kRegression;
      r.targets = y;
      r.predictions = p;
      if (std::string(variant) == "weighted") r.weights = weights;
      auto c = MetricComputer::Create(r, metrics, o);
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      const auto out = ComputeAll(*c);
      for (size_t j = 1; j < metrics.size(); ++j) {
        const double expected = f[variant][std::string(MetricName(metrics[j]))];
        EXPECT_NEAR(out[j], expected, 1e-12 * std::max(1.0, std::abs(expected)))
            << MetricName(metrics[j]);
      }
    }
  }
}

TEST(MetricComputer, ObjectiveLossesApplyToRegressionOnly) {
  const std::vector<double> y = {1, 2}, p = {1, 2};
  ScoredRows r;
  r.task = Task::kRegression;
  r.targets = y;
  r.predictions = p;
  MetricOptions o;
  o.quantile_alpha = 1.5;
  const Metric pinball[] = {Metric::kPinballLoss};
  auto bad = MetricComputer::Create(r, pinball, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("quantile level 1.5"), std::string::npos);
  // Gamma deviance of a zero target is undefined: NaN, not a crash.
  const std::vector<double> zero = {0, 2};
  r.targets = zero;
  const Metric gamma[] = {Metric::kGammaDeviance};
  auto c = MetricComputer::Create(r, gamma);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(std::isnan(ComputeAll(*c)[0]));
  const std::vector<int32_t> labels = {0, 1};
  const std::vector<double> probs = {0.2, 0.8};
  ScoredRows b;
  b.labels = labels;
  b.predictions = probs;
  auto binary = MetricComputer::Create(b, pinball);
  ASSERT_FALSE(binary.ok());
  EXPECT_NE(binary.status().message().find("does not apply"), std::string::npos);
}

TEST(MetricsForModel, AddsTheObjectivesLoss) {
  Model m;
  m.task = Task::kRegression;
  m.objective = Objective::kQuantile;
  EXPECT_EQ(MetricsForModel(m), (std::vector<Metric>{Metric::kRmse, Metric::kMae, Metric::kR2,
                                                     Metric::kPinballLoss, Metric::kCoverage}));
  m.objective = Objective::kTweedie;
  EXPECT_EQ(MetricsForModel(m).back(), Metric::kTweedieDeviance);
  m.objective = Objective::kSquaredError;
  EXPECT_EQ(MetricsForModel(m), MetricsFor(Task::kRegression));
}

}  // namespace
}  // namespace keel
