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
        out.push_back(
            r.task == Task::kBinary
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
        out.push_back(
            *ExpectedCalibrationError(r.labels, r.predictions, w, o.calibration_bins));
        break;
      case Metric::kMacroF1:
        out.push_back(*MacroF1(r.labels, PredictedClasses(r.predictions, r.num_classes),
                               r.num_classes, w));
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
  EXPECT_FALSE(MetricComputer::Create({Task::kBinary, 2, labels, {}, not_probability, {}}, {}).ok());
}

}  // namespace
}  // namespace keel
