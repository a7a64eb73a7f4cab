#include "drift/probability_bins.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/random.h"

namespace keel::drift {
namespace {

std::vector<double> Scores(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> p(n);
  for (double& x : p) x = std::pow(rng.Uniform(), 1.7);  // skewed, spread over [0, 1)
  return p;
}

TEST(ProbabilityBins, ThreeProcessesMergedEqualOneThatSawEveryRow) {
  const std::vector<double> p = Scores(30000, 3);
  ProbabilityBins one, parts[3];
  for (size_t i = 0; i < p.size(); ++i) {
    one.Add(p[i]);
    parts[(i * 7919) % 3].Add(p[i]);
  }
  ProbabilityBins merged;
  merged.Merge(parts[2]);
  merged.Merge(parts[0]);
  merged.Merge(parts[1]);
  EXPECT_EQ(merged, one);
  const BinaryPerformance a = merged.Estimate(0.5), b = one.Estimate(0.5);
  EXPECT_EQ(a.roc_auc, b.roc_auc);  // bit for bit: the sums are integers
  EXPECT_EQ(a.accuracy, b.accuracy);
  EXPECT_EQ(a.f1, b.f1);
}

TEST(ProbabilityBins, EstimateIsCbpeOfTheRawProbabilities) {
  std::vector<double> p = Scores(20000, 5);
  p.push_back(std::nan(""));  // ignored
  p.push_back(1.0);           // the top bin
  ProbabilityBins bins;
  for (double x : p) bins.Add(x);
  EXPECT_EQ(bins.rows(), 20001u);
  for (double t : {0.5, 0.3, 0.125}) {
    const BinaryPerformance raw = EstimateBinaryPerformance(p, t);
    const BinaryPerformance est = bins.Estimate(t);
    EXPECT_EQ(est.rows, raw.rows);
    // Threshold metrics exactly (up to the fixed point's 2^-32 per value) on the bin grid.
    EXPECT_NEAR(est.accuracy, raw.accuracy, 1e-9) << t;
    EXPECT_NEAR(est.precision, raw.precision, 1e-9) << t;
    EXPECT_NEAR(est.recall, raw.recall, 1e-9) << t;
    EXPECT_NEAR(est.f1, raw.f1, 1e-9) << t;
    EXPECT_NEAR(est.positive_rate, raw.positive_rate, 1e-9) << t;
    // The ROC AUC of probabilities rounded into 1000 bins.
    EXPECT_NEAR(est.roc_auc, raw.roc_auc, 1e-3) << t;
  }
  EXPECT_TRUE(std::isnan(ProbabilityBins().Estimate(0.5).roc_auc));
}

TEST(ProbabilityBins, JsonRoundTripAndCorruptInput) {
  ProbabilityBins bins;
  for (double x : Scores(500, 9)) bins.Add(x);
  auto back = ProbabilityBins::FromJson(nlohmann::json::parse(bins.ToJson().dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, bins);
  EXPECT_FALSE(
      ProbabilityBins::FromJson(nlohmann::json::parse(R"({"rows": 2, "bins": [[1, 1, 5]]})")).ok());
  EXPECT_FALSE(
      ProbabilityBins::FromJson(nlohmann::json::parse(R"({"rows": 1, "bins": [[1000, 1, 5]]})"))
          .ok());
  EXPECT_FALSE(ProbabilityBins::FromJson(nlohmann::json::parse(R"({"bins": []})")).ok());
}

}  // namespace
}  // namespace keel::drift
