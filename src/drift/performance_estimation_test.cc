#include "drift/performance_estimation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/random.h"
#include "drift/stats_cases_fixture.h"

namespace keel::drift {
namespace {

TEST(RealizedBinaryPerformance, MatchesScikitLearn) {
  for (const auto& c : StatsCases("performance")) {
    std::vector<double> p = c["p"].get<std::vector<double>>();
    std::vector<int8_t> y;
    for (int v : c["y"].get<std::vector<int>>()) y.push_back(static_cast<int8_t>(v));
    const BinaryPerformance m = RealizedBinaryPerformance(p, y, c["threshold"].get<double>());
    const auto& ref = c["realized"];
    const std::string name = c["name"];
    EXPECT_NEAR(m.roc_auc, ref["roc_auc"].get<double>(), 1e-12) << name;
    EXPECT_NEAR(m.accuracy, ref["accuracy"].get<double>(), 1e-12) << name;
    EXPECT_NEAR(m.precision, ref["precision"].get<double>(), 1e-12) << name;
    EXPECT_NEAR(m.recall, ref["recall"].get<double>(), 1e-12) << name;
    EXPECT_NEAR(m.f1, ref["f1"].get<double>(), 1e-12) << name;
  }
}

TEST(EstimateBinaryPerformance, MatchesTheNannyMlFormulas) {
  for (const auto& c : StatsCases("performance")) {
    std::vector<double> p = c["p"].get<std::vector<double>>();
    const BinaryPerformance m = EstimateBinaryPerformance(p, c["threshold"].get<double>());
    const auto& ref = c["estimated"];
    const std::string name = c["name"];
    for (const char* k : {"roc_auc", "accuracy", "precision", "recall", "f1"}) {
      const double v = std::string(k) == "roc_auc"     ? m.roc_auc
                       : std::string(k) == "accuracy"  ? m.accuracy
                       : std::string(k) == "precision" ? m.precision
                       : std::string(k) == "recall"    ? m.recall
                                                       : m.f1;
      EXPECT_NEAR(v, ref[k].get<double>(), 1e-12) << name << " " << k;
    }
  }
}

TEST(EstimateBinaryPerformance, IsUnbiasedWhenProbabilitiesAreCalibrated) {
  // Labels drawn from the probabilities themselves: the realized metrics must land near the
  // estimates (CBPE's premise), here on 200k rows.
  Rng rng(31);
  std::vector<double> p(200000);
  std::vector<int8_t> y(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    p[i] = std::pow(rng.Uniform(), 2.5);
    y[i] = rng.Uniform() < p[i] ? 1 : 0;
  }
  const BinaryPerformance est = EstimateBinaryPerformance(p, 0.5);
  const BinaryPerformance real = RealizedBinaryPerformance(p, y, 0.5);
  EXPECT_NEAR(est.roc_auc, real.roc_auc, 0.005);
  EXPECT_NEAR(est.accuracy, real.accuracy, 0.005);
  EXPECT_NEAR(est.precision, real.precision, 0.01);
  EXPECT_NEAR(est.recall, real.recall, 0.01);
  EXPECT_NEAR(est.positive_rate, real.positive_rate, 0.005);
  EXPECT_LT(ExpectedCalibrationError(p, y), 0.01);
}

TEST(RealizedBinaryPerformance, AucIsNaNWithOneClassAndSkipsBadRows) {
  std::vector<double> p = {0.2, 0.4, NAN};
  std::vector<int8_t> y = {1, 1, 0};
  const BinaryPerformance m = RealizedBinaryPerformance(p, y, 0.5);
  EXPECT_TRUE(std::isnan(m.roc_auc));
  EXPECT_EQ(m.rows, 2u);
  EXPECT_DOUBLE_EQ(m.recall, 0.0);
  EXPECT_TRUE(std::isnan(EstimateBinaryPerformance({}, 0.5).roc_auc));
}

TEST(MulticlassAccuracy, EstimatedIsTheMeanTopProbability) {
  std::vector<double> probs = {0.7, 0.2, 0.1, 0.1, 0.3, 0.6};
  EXPECT_NEAR(EstimateMulticlassAccuracy(probs, 3), 0.65, 1e-12);
  std::vector<int32_t> labels = {0, 1};
  EXPECT_NEAR(RealizedMulticlassAccuracy(probs, 3, labels), 0.5, 1e-12);
}

}  // namespace
}  // namespace keel::drift
