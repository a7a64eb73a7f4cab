#include "eval/delong.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eval/binary_metrics.h"
#include "eval/eval_test_fixtures.h"

namespace keel {
namespace {

using testing::Doubles;
using testing::Ints;
using testing::LoadEvalFixture;

// Worked by hand from the definition (positives p1..p3, negatives n1, n2; rows interleaved
// to show that row order does not matter):
//   A: positives 0.9 0.6 0.3, negatives 0.5 0.1
//      V10 = (1, 1, 1/2), V01 = (2/3, 1), AUC 5/6
//      S10 = var(V10) = 1/12, S01 = var(V01) = 1/18 -> Var = (1/12)/3 + (1/18)/2 = 1/18
//   B: positives 0.8 0.2 0.7, negatives 0.4 0.3
//      V10 = (1, 0, 1), V01 = (2/3, 2/3), AUC 2/3
//      S10 = 1/3, S01 = 0 -> Var = 1/9
//   Cov: S10(A, B) = -1/12, S01(A, B) = 0 -> Cov = -1/36
//   Var(B - A) = 1/18 + 1/9 + 2/36 = 2/9; z = (-1/6) / sqrt(2/9) = -1 / (2 sqrt 2);
//   p = erfc(|z| / sqrt 2) = erfc(1/4).
const std::vector<int32_t> kLabels = {1, 0, 1, 0, 1};
const std::vector<double> kA = {0.9, 0.5, 0.6, 0.1, 0.3};
const std::vector<double> kB = {0.8, 0.4, 0.2, 0.3, 0.7};

TEST(DeLong, HandWorkedVariancesCovarianceAndPValue) {
  auto t = DeLongTest(kLabels, kA, kB);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_NEAR(t->auc_a, 5.0 / 6, 1e-15);
  EXPECT_NEAR(t->auc_b, 2.0 / 3, 1e-15);
  EXPECT_NEAR(t->var_a, 1.0 / 18, 1e-15);
  EXPECT_NEAR(t->var_b, 1.0 / 9, 1e-15);
  EXPECT_NEAR(t->covariance, -1.0 / 36, 1e-15);
  EXPECT_NEAR(t->difference, -1.0 / 6, 1e-15);
  EXPECT_NEAR(t->se, std::sqrt(2.0 / 9), 1e-15);
  EXPECT_NEAR(t->z, -1 / (2 * std::sqrt(2.0)), 1e-14);
  EXPECT_NEAR(t->p_value, std::erfc(0.25), 1e-14);
  EXPECT_NEAR(t->lower, -1.0 / 6 - 1.959963984540054 * std::sqrt(2.0 / 9), 1e-12);
}

TEST(DeLong, AucEqualsMannWhitneyAuc) {
  const std::span<const double> one[1] = {kA};
  auto est = DeLongCovariance(kLabels, one);
  ASSERT_TRUE(est.ok());
  EXPECT_NEAR(est->auc[0], *RocAuc(kLabels, kA), 1e-15);
}

TEST(DeLong, IdenticalScoringsHaveNoDifferenceAndPValueOne) {
  auto t = DeLongTest(kLabels, kA, kA);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->difference, 0);
  EXPECT_EQ(t->se, 0);
  EXPECT_EQ(t->p_value, 1);
}

TEST(DeLong, MonotoneTransformDoesNotChangeAnything) {
  std::vector<double> logit(kA.size());
  for (size_t i = 0; i < kA.size(); ++i) logit[i] = std::log(kA[i] / (1 - kA[i]));
  auto t1 = DeLongTest(kLabels, kA, kB);
  auto t2 = DeLongTest(kLabels, logit, kB);
  ASSERT_TRUE(t1.ok() && t2.ok());
  EXPECT_DOUBLE_EQ(t1->p_value, t2->p_value);
}

TEST(DeLong, NeedsTwoRowsOfEachClass) {
  auto t = DeLongTest(std::vector<int32_t>{1, 0, 0}, std::vector<double>{1, 2, 3},
                      std::vector<double>{3, 2, 1});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kFailedPrecondition);
}

TEST(DeLong, RejectsBadInput) {
  EXPECT_FALSE(DeLongTest(kLabels, kA, std::vector<double>{1, 2}).ok());
  EXPECT_FALSE(DeLongTest(std::vector<int32_t>{1, 0, 1, 0, 3}, kA, kB).ok());
  EXPECT_FALSE(DeLongTest(kLabels, kA, std::vector<double>{0.1, NAN, 0.2, 0.3, 0.4}).ok());
  EXPECT_FALSE(DeLongTest(kLabels, kA, kB, 1.0).ok());
}

TEST(TwoSidedNormal, KnownQuantilesAndPValues) {
  EXPECT_NEAR(TwoSidedNormalQuantile(0.95), 1.959963984540054, 1e-14);
  EXPECT_NEAR(TwoSidedNormalQuantile(0.99), 2.5758293035489004, 1e-13);
  EXPECT_NEAR(TwoSidedNormalPValue(1.959963984540054), 0.05, 1e-15);
  EXPECT_NEAR(TwoSidedNormalPValue(-1.959963984540054), 0.05, 1e-15);
}

class DeLongFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(DeLongFixture, MatchesPairwiseReferenceImplementation) {
  const auto f = LoadEvalFixture(GetParam());
  const auto labels = Ints(f["labels"]);
  const auto a = Doubles(f["scores_a"]);
  const auto b = Doubles(f["scores_b"]);
  auto t = DeLongTest(labels, a, b);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_NEAR(t->auc_a, f["auc_a"].get<double>(), 1e-13);
  EXPECT_NEAR(t->auc_b, f["auc_b"].get<double>(), 1e-13);
  EXPECT_NEAR(t->auc_a, f["sklearn_auc_a"].get<double>(), 1e-13);
  EXPECT_NEAR(t->var_a, f["var_a"].get<double>(), 1e-15);
  EXPECT_NEAR(t->var_b, f["var_b"].get<double>(), 1e-15);
  EXPECT_NEAR(t->covariance, f["covariance"].get<double>(), 1e-15);
  EXPECT_NEAR(t->z, f["z"].get<double>(), 1e-10);
  EXPECT_NEAR(t->p_value, f["p_value"].get<double>(), 1e-12);
  EXPECT_NEAR(t->lower, f["lower"].get<double>(), 1e-12);
  EXPECT_NEAR(t->upper, f["upper"].get<double>(), 1e-12);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DeLongFixture,
                         ::testing::Values("delong_correlated.json", "delong_close.json"));

}  // namespace
}  // namespace keel
