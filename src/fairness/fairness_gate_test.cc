#include "fairness/fairness_gate.h"

#include <gtest/gtest.h>

namespace keel::fairness {
namespace {

// An audit with one attribute whose groups a (sel 0.5) and b (sel 0.15) are far apart.
AuditResult MakeAudit() {
  AuditResult r;
  AttributeAudit a;
  a.name = "sex";
  std::vector<GroupMetrics> g(2);
  g[0].group = "a";
  g[0].counts = {30, 20, 40, 10};
  g[1].group = "b";
  g[1].counts = {10, 5, 75, 10};
  a.disparities = ComputeDisparities(g);
  for (auto& d : a.disparities) {
    d.ci_low = d.value - 0.05;
    d.ci_high = d.value + 0.05;
  }
  a.groups = std::move(g);
  r.attributes.push_back(std::move(a));
  return r;
}

TEST(FairnessGate, PassesWithinLimits) {
  FairnessLimits limits;
  limits.limits[DisparityMetric::kDemographicParityDifference] = 0.4;
  limits.limits[DisparityMetric::kDisparateImpactRatio] = 0.2;
  const GateResult g = CheckFairnessGate(MakeAudit(), limits);
  EXPECT_TRUE(g.passed);
  EXPECT_TRUE(g.violations.empty());
}

TEST(FairnessGate, SaysWhichMetricWhichGroupsAndByHowMuch) {
  FairnessLimits limits;
  limits.limits[DisparityMetric::kDemographicParityDifference] = 0.1;
  limits.limits[DisparityMetric::kDisparateImpactRatio] = 0.8;
  const GateResult g = CheckFairnessGate(MakeAudit(), limits);
  EXPECT_FALSE(g.passed);
  ASSERT_EQ(g.violations.size(), 2u);
  const GateViolation& dp = g.violations[0];
  EXPECT_EQ(dp.attribute, "sex");
  EXPECT_EQ(dp.metric, DisparityMetric::kDemographicParityDifference);
  EXPECT_NEAR(dp.excess, 0.35 - 0.1, 1e-12);
  EXPECT_EQ(dp.high_group, "a");
  EXPECT_EQ(dp.low_group, "b");
  EXPECT_NE(dp.message.find("over by"), std::string::npos);
  const GateViolation& di = g.violations[1];
  EXPECT_EQ(di.metric, DisparityMetric::kDisparateImpactRatio);
  EXPECT_NEAR(di.excess, 0.8 - 0.3, 1e-12);
  EXPECT_NE(di.message.find("short by"), std::string::npos);
  const auto j = GateResultToJson(g);
  EXPECT_FALSE(j["passed"].get<bool>());
  EXPECT_EQ(j["violations"][0]["metric"], "demographic_parity_difference");
}

TEST(FairnessGate, ConfidenceBoundModeJudgesThePessimisticEnd) {
  FairnessLimits limits;
  limits.limits[DisparityMetric::kDemographicParityDifference] = 0.38;  // point 0.35 passes
  EXPECT_TRUE(CheckFairnessGate(MakeAudit(), limits).passed);
  limits.use_confidence_bound = true;  // upper end 0.40 fails
  const GateResult g = CheckFairnessGate(MakeAudit(), limits);
  ASSERT_FALSE(g.passed);
  EXPECT_NEAR(g.violations[0].value, 0.40, 1e-12);
}

TEST(FairnessGate, UndefinedMetricIsReportedNotJudged) {
  AuditResult r = MakeAudit();
  r.attributes[0].disparities[0].value = std::numeric_limits<double>::quiet_NaN();
  FairnessLimits limits;
  limits.limits[DisparityMetric::kDemographicParityDifference] = 0.1;
  const GateResult g = CheckFairnessGate(r, limits);
  EXPECT_TRUE(g.passed);
  ASSERT_EQ(g.not_judged.size(), 1u);
}

TEST(FairnessLimits, ParsedFromJsonWithClearErrors) {
  auto ok = FairnessLimitsFromJson(
      {{"equalized_odds_difference", 0.1}, {"demographic_parity_ratio", 0.8},
       {"use_confidence_bound", true}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->limits.size(), 2u);
  EXPECT_TRUE(ok->use_confidence_bound);
  auto unknown = FairnessLimitsFromJson({{"parity", 0.1}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'parity'"), std::string::npos);
  EXPECT_FALSE(FairnessLimitsFromJson({{"equalized_odds_difference", "0.1"}}).ok());
  EXPECT_FALSE(FairnessLimitsFromJson({{"equalized_odds_difference", 1.5}}).ok());
  EXPECT_FALSE(FairnessLimitsFromJson({{"use_confidence_bound", 1}}).ok());
  EXPECT_FALSE(FairnessLimitsFromJson(nlohmann::json::array()).ok());
}

}  // namespace
}  // namespace keel::fairness
