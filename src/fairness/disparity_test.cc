#include "fairness/disparity.h"

#include <gtest/gtest.h>

#include <cmath>

namespace keel::fairness {
namespace {

const Disparity& Get(const DisparitySet& s, DisparityMetric m) {
  return s[static_cast<size_t>(m)];
}

// Three groups with hand-picked confusion tables:
//   a: TP 30 FN 10 FP 20 TN 40  -> sel 0.5,  TPR 0.75, FPR 1/3, precision 0.6
//   b: TP 10 FN 10 FP  5 TN 75  -> sel 0.15, TPR 0.5,  FPR 1/16, precision 2/3
//   c: TP  8 FN  2 FP  2 TN  8  -> sel 0.5,  TPR 0.8,  FPR 0.2, precision 0.8
TEST(Disparity, HandComputedThreeGroups) {
  const std::vector<ConfusionCounts> counts = {{30, 20, 40, 10}, {10, 5, 75, 10}, {8, 2, 8, 2}};
  const std::vector<std::string> labels = {"a", "b", "c"};
  const std::vector<uint8_t> judged = {1, 1, 1};
  const DisparitySet d = ComputeDisparities(counts, labels, judged);
  EXPECT_DOUBLE_EQ(Get(d, DisparityMetric::kDemographicParityDifference).value, 0.35);
  EXPECT_DOUBLE_EQ(Get(d, DisparityMetric::kDemographicParityRatio).value, 0.15 / 0.5);
  // TPR spread 0.8 - 0.5 = 0.3; FPR spread 1/3 - 1/16 = 13/48 < 0.3.
  EXPECT_DOUBLE_EQ(Get(d, DisparityMetric::kEqualizedOddsDifference).value, 0.8 - 0.5);
  EXPECT_EQ(Get(d, DisparityMetric::kEqualizedOddsDifference).rate, "tpr");
  EXPECT_EQ(Get(d, DisparityMetric::kEqualizedOddsDifference).high_group, "c");
  EXPECT_EQ(Get(d, DisparityMetric::kEqualizedOddsDifference).low_group, "b");
  EXPECT_DOUBLE_EQ(Get(d, DisparityMetric::kEqualOpportunityDifference).value, 0.8 - 0.5);
  EXPECT_DOUBLE_EQ(Get(d, DisparityMetric::kPredictiveParityDifference).value, 0.8 - 0.6);
  EXPECT_DOUBLE_EQ(Get(d, DisparityMetric::kDisparateImpactRatio).value, 0.3);
  EXPECT_EQ(Get(d, DisparityMetric::kDemographicParityDifference).low_group, "b");
}

TEST(Disparity, EqualizedOddsTakesFprWhenLarger) {
  // TPRs equal (0.5), FPRs 0.1 and 0.4.
  const std::vector<ConfusionCounts> counts = {{5, 1, 9, 5}, {5, 4, 6, 5}};
  const std::vector<std::string> labels = {"p", "q"};
  const std::vector<uint8_t> judged = {1, 1};
  const DisparitySet d = ComputeDisparities(counts, labels, judged);
  const auto& eo = Get(d, DisparityMetric::kEqualizedOddsDifference);
  EXPECT_DOUBLE_EQ(eo.value, 0.4 - 0.1);
  EXPECT_EQ(eo.rate, "fpr");
  EXPECT_DOUBLE_EQ(Get(d, DisparityMetric::kEqualOpportunityDifference).value, 0.0);
}

TEST(Disparity, UnjudgedGroupsAreLeftOut) {
  const std::vector<ConfusionCounts> counts = {{30, 20, 40, 10}, {10, 5, 75, 10}, {2, 0, 0, 0}};
  const std::vector<std::string> labels = {"a", "b", "tiny"};
  const DisparitySet with = ComputeDisparities(counts, labels, std::vector<uint8_t>{1, 1, 1});
  const DisparitySet without = ComputeDisparities(counts, labels, std::vector<uint8_t>{1, 1, 0});
  EXPECT_DOUBLE_EQ(Get(with, DisparityMetric::kDemographicParityDifference).value, 1.0 - 0.15);
  EXPECT_DOUBLE_EQ(Get(without, DisparityMetric::kDemographicParityDifference).value, 0.35);
}

TEST(Disparity, UndefinedRateExcludesThatGroupFromThatMetricOnly) {
  // Group n has no positives: TPR undefined, FPR and selection defined.
  const std::vector<ConfusionCounts> counts = {{5, 5, 5, 5}, {6, 2, 8, 4}, {0, 3, 7, 0}};
  const std::vector<std::string> labels = {"a", "b", "n"};
  const DisparitySet d = ComputeDisparities(counts, labels, std::vector<uint8_t>{1, 1, 1});
  const auto& eop = Get(d, DisparityMetric::kEqualOpportunityDifference);
  EXPECT_DOUBLE_EQ(eop.value, 0.6 - 0.5);
  ASSERT_EQ(eop.undefined_groups.size(), 1u);
  EXPECT_EQ(eop.undefined_groups[0], "n");
  EXPECT_DOUBLE_EQ(Get(d, DisparityMetric::kDemographicParityDifference).value, 0.5 - 0.3);
}

TEST(Disparity, FewerThanTwoGroupsIsUndefined) {
  const std::vector<ConfusionCounts> counts = {{5, 5, 5, 5}};
  const std::vector<std::string> labels = {"a"};
  const DisparitySet d = ComputeDisparities(counts, labels, std::vector<uint8_t>{1});
  for (const auto& x : d) EXPECT_TRUE(std::isnan(x.value)) << DisparityName(x.metric);
}

TEST(Disparity, RatioIsOneWhenNobodyIsSelected) {
  const std::vector<ConfusionCounts> counts = {{0, 0, 5, 5}, {0, 0, 8, 2}};
  const std::vector<std::string> labels = {"a", "b"};
  const DisparitySet d = ComputeDisparities(counts, labels, std::vector<uint8_t>{1, 1});
  EXPECT_DOUBLE_EQ(Get(d, DisparityMetric::kDemographicParityRatio).value, 1.0);
  EXPECT_DOUBLE_EQ(Get(d, DisparityMetric::kDemographicParityDifference).value, 0.0);
}

TEST(Disparity, DisparateImpactAgainstANamedReferenceGroup) {
  // Selection rates: a 0.5, b 0.15, c 0.5; reference b: ratios a 0.5/0.15, c 0.5/0.15.
  const std::vector<ConfusionCounts> counts = {{30, 20, 40, 10}, {10, 5, 75, 10}, {8, 2, 8, 2}};
  const std::vector<std::string> labels = {"a", "b", "c"};
  DisparityOptions opt;
  opt.reference_group = 0;  // a: ratios b 0.3, c 1.0
  const DisparitySet d = ComputeDisparities(counts, labels, std::vector<uint8_t>{1, 1, 1}, opt);
  const auto& di = Get(d, DisparityMetric::kDisparateImpactRatio);
  EXPECT_DOUBLE_EQ(di.value, 0.15 / 0.5);
  EXPECT_EQ(di.high_group, "a");
  EXPECT_EQ(di.low_group, "b");
  opt.reference_group = 1;  // b, the least selected: every ratio is above 1
  const DisparitySet d2 = ComputeDisparities(counts, labels, std::vector<uint8_t>{1, 1, 1}, opt);
  EXPECT_DOUBLE_EQ(Get(d2, DisparityMetric::kDisparateImpactRatio).value, 0.5 / 0.15);
}

TEST(Disparity, NamesRoundTrip) {
  for (DisparityMetric m : kAllDisparityMetrics) {
    DisparityMetric back;
    ASSERT_TRUE(ParseDisparityMetric(DisparityName(m), &back));
    EXPECT_EQ(back, m);
  }
  DisparityMetric m;
  EXPECT_FALSE(ParseDisparityMetric("parity", &m));
}

std::vector<GroupMetrics> TwoGroupMetrics() {
  std::vector<GroupMetrics> g(2);
  g[0].group = "a";
  g[0].counts = {60, 40, 80, 20};  // sel 0.5
  g[1].group = "b";
  g[1].counts = {30, 20, 120, 30};  // sel 0.25
  return g;
}

TEST(DisparityBootstrap, ReproducibleUnderASeedAndIndependentOfThreads) {
  const auto groups = TwoGroupMetrics();
  DisparitySet a = ComputeDisparities(groups), b = a;
  BootstrapOptions opt;
  opt.resamples = 300;
  opt.seed = 11;
  ASSERT_TRUE(AddBootstrapIntervals(groups, {}, opt, Context{}.WithThreads(1), &a).ok());
  ASSERT_TRUE(AddBootstrapIntervals(groups, {}, opt, Context{}.WithThreads(2), &b).ok());
  for (size_t m = 0; m < kNumDisparityMetrics; ++m) {
    EXPECT_EQ(a[m].ci_low, b[m].ci_low);
    EXPECT_EQ(a[m].ci_high, b[m].ci_high);
  }
}

TEST(DisparityBootstrap, IntervalCoversTheEstimateWithTheExpectedWidth) {
  const auto groups = TwoGroupMetrics();
  DisparitySet d = ComputeDisparities(groups);
  BootstrapOptions opt;
  opt.resamples = 2000;
  ASSERT_TRUE(AddBootstrapIntervals(groups, {}, opt, Context{}, &d).ok());
  const auto& dp = Get(d, DisparityMetric::kDemographicParityDifference);
  EXPECT_DOUBLE_EQ(dp.value, 0.25);
  EXPECT_LT(dp.ci_low, 0.25);
  EXPECT_GT(dp.ci_high, 0.25);
  // Normal approximation: se = sqrt(.5*.5/200 + .25*.75/200) = 0.0468; 95% half-width 0.0917.
  const double half = (dp.ci_high - dp.ci_low) / 2;
  EXPECT_NEAR(half, 1.96 * std::sqrt(0.25 / 200 + 0.1875 / 200), 0.012);
}

TEST(DisparityBootstrap, RejectsBadOptions) {
  const auto groups = TwoGroupMetrics();
  DisparitySet d = ComputeDisparities(groups);
  BootstrapOptions opt;
  opt.resamples = 0;
  EXPECT_FALSE(AddBootstrapIntervals(groups, {}, opt, Context{}, &d).ok());
  opt.resamples = 10;
  opt.confidence = 1.0;
  EXPECT_FALSE(AddBootstrapIntervals(groups, {}, opt, Context{}, &d).ok());
}

}  // namespace
}  // namespace keel::fairness
