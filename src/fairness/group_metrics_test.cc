#include "fairness/group_metrics.h"

#include <gtest/gtest.h>

#include <cmath>


namespace keel::fairness {
namespace {

GroupAssignment TwoGroups(std::vector<int32_t> codes) {
  GroupAssignment g;
  g.name = "g";
  g.codes = std::move(codes);
  g.labels = {"x", "y"};
  return g;
}

// Group x: labels 1 1 0 0 0, decisions 1 0 1 0 0 -> TP 1, FN 1, FP 1, TN 2.
// Group y: labels 1 1 1 0,   decisions 1 1 0 0   -> TP 2, FN 1, FP 0, TN 1.
TEST(GroupMetrics, HandComputedRates) {
  const std::vector<double> scores = {0.9, 0.4, 0.6, 0.3, 0.2, 0.8, 0.7, 0.45, 0.1};
  const std::vector<uint8_t> labels = {1, 1, 0, 0, 0, 1, 1, 1, 0};
  const std::vector<uint8_t> decisions = ThresholdDecisions(scores, 0.5);
  const auto groups = TwoGroups({0, 0, 0, 0, 0, 1, 1, 1, 1});
  const auto m = ComputeGroupMetrics({scores, labels, decisions}, groups, 5);
  ASSERT_EQ(m.size(), 2u);
  const auto& x = m[0];
  EXPECT_EQ(x.counts.tp, 1u);
  EXPECT_EQ(x.counts.fn, 1u);
  EXPECT_EQ(x.counts.fp, 1u);
  EXPECT_EQ(x.counts.tn, 2u);
  EXPECT_DOUBLE_EQ(x.rates.base_rate, 2.0 / 5);
  EXPECT_DOUBLE_EQ(x.rates.selection_rate, 2.0 / 5);
  EXPECT_DOUBLE_EQ(x.rates.tpr, 0.5);
  EXPECT_DOUBLE_EQ(x.rates.fpr, 1.0 / 3);
  EXPECT_DOUBLE_EQ(x.rates.fnr, 0.5);
  EXPECT_DOUBLE_EQ(x.rates.precision, 0.5);
  EXPECT_DOUBLE_EQ(x.rates.accuracy, 3.0 / 5);
  EXPECT_DOUBLE_EQ(x.share, 5.0 / 9);
  // AUC of x: positives {0.9, 0.4}, negatives {0.6, 0.3, 0.2}: pairs won 3 + 2 = 5 of 6.
  EXPECT_DOUBLE_EQ(x.auc, 5.0 / 6);
  EXPECT_FALSE(x.too_small);
  const auto& y = m[1];
  EXPECT_DOUBLE_EQ(y.rates.tpr, 2.0 / 3);
  EXPECT_DOUBLE_EQ(y.rates.fpr, 0.0);
  EXPECT_DOUBLE_EQ(y.rates.precision, 1.0);
  EXPECT_DOUBLE_EQ(y.auc, 1.0);
  EXPECT_TRUE(y.too_small);  // 4 rows < 5
  // Log loss of y by hand.
  const double ll = -(std::log(0.8) + std::log(0.7) + std::log(0.45) + std::log(0.9)) / 4;
  EXPECT_NEAR(y.logloss, ll, 1e-15);
}

TEST(GroupMetrics, UndefinedRatesAreNaNNotZero) {
  // One group with only negatives and no predicted positives.
  const std::vector<double> scores = {0.1, 0.2};
  const std::vector<uint8_t> labels = {0, 0};
  const std::vector<uint8_t> decisions = {0, 0};
  GroupAssignment g;
  g.codes = {0, 0};
  g.labels = {"only"};
  const auto m = ComputeGroupMetrics({scores, labels, decisions}, g, 1);
  EXPECT_TRUE(std::isnan(m[0].rates.tpr));
  EXPECT_TRUE(std::isnan(m[0].rates.fnr));
  EXPECT_TRUE(std::isnan(m[0].rates.precision));
  EXPECT_TRUE(std::isnan(m[0].auc));
  EXPECT_DOUBLE_EQ(m[0].rates.fpr, 0.0);
}

TEST(GroupMetrics, EmptyGroupIsReportedAsTooSmall) {
  const std::vector<double> scores = {0.7};
  const std::vector<uint8_t> labels = {1};
  const std::vector<uint8_t> decisions = {1};
  GroupAssignment g;
  g.codes = {0};
  g.labels = {"seen", "never"};
  const auto m = ComputeGroupMetrics({scores, labels, decisions}, g, 0);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[1].counts.count(), 0u);
  EXPECT_TRUE(m[1].too_small);
  EXPECT_FALSE(m[0].too_small);
}

}  // namespace
}  // namespace keel::fairness
