#include "eval/curves.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "eval/eval_test_fixtures.h"

namespace keel {
namespace {

using testing::Doubles;
using testing::ExpectAllNear;
using testing::Ints;
using testing::LoadEvalFixture;

constexpr double kTol = 1e-12;

TEST(RocCurve, HandCaseOnePointPerDistinctScore) {
  auto r = ComputeRocCurve(std::vector<int32_t>{1, 0, 1, 0}, std::vector<double>{0.9, 0.8, 0.4, 0.4});
  ASSERT_TRUE(r.ok());
  ExpectAllNear(r->fpr, {0, 0, 0.5, 1}, 0, "fpr");
  ExpectAllNear(r->tpr, {0, 0.5, 0.5, 1}, 0, "tpr");
  EXPECT_TRUE(std::isinf(r->thresholds[0]));
  ExpectAllNear({r->thresholds.begin() + 1, r->thresholds.end()}, {0.9, 0.8, 0.4}, 0, "thr");
}

TEST(PrCurve, HandCaseStartsAtRecallZeroPrecisionOne) {
  auto r = ComputePrCurve(std::vector<int32_t>{1, 0, 1, 0}, std::vector<double>{0.9, 0.8, 0.4, 0.4});
  ASSERT_TRUE(r.ok());
  ExpectAllNear(r->recall, {0, 0.5, 0.5, 1}, 0, "recall");
  ExpectAllNear(r->precision, {1, 1, 0.5, 0.5}, 0, "precision");
}

TEST(ReliabilityCurve, ListsEveryBinAndMarksEmptyOnes) {
  auto r = ComputeReliabilityCurve(std::vector<int32_t>{0, 1, 1, 1},
                                   std::vector<double>{0.1, 0.3, 0.35, 0.9}, {}, 4);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->weight.size(), 4u);
  ExpectAllNear(r->lower, {0, 0.25, 0.5, 0.75}, 0, "lower");
  ExpectAllNear(r->upper, {0.25, 0.5, 0.75, 1}, 0, "upper");
  ExpectAllNear(r->weight, {1, 2, 0, 1}, 0, "weight");
  EXPECT_DOUBLE_EQ(r->mean_predicted[1], 0.325);
  EXPECT_DOUBLE_EQ(r->observed[1], 1.0);
  EXPECT_TRUE(std::isnan(r->observed[2]));
  EXPECT_DOUBLE_EQ(r->ece, (0.1 + 2 * 0.675 + 0.1) / 4);
}

TEST(ThinnedIndices, KeepsEndpointsAndIncreases) {
  EXPECT_EQ(ThinnedIndices(3, 10), (std::vector<size_t>{0, 1, 2}));
  for (size_t n : {11u, 200u, 201u, 202u, 5000u, 123457u}) {
    const auto idx = ThinnedIndices(n, 201);
    ASSERT_EQ(idx.size(), std::min<size_t>(n, 201)) << n;
    EXPECT_EQ(idx.front(), 0u);
    EXPECT_EQ(idx.back(), n - 1);
    for (size_t j = 1; j < idx.size(); ++j) ASSERT_LT(idx[j - 1], idx[j]) << n;
  }
  EXPECT_EQ(ThinnedIndices(10, 0).size(), 2u);  // at least the two ends
}

class CurveFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(CurveFixture, MatchesScikitLearn) {
  const auto f = LoadEvalFixture(GetParam());
  const auto labels = Ints(f["labels"]);
  const auto scores = Doubles(f["scores"]);
  const auto weights = Doubles(f["weights"]);
  for (const char* variant : {"unweighted", "weighted"}) {
    SCOPED_TRACE(variant);
    const auto& e = f[variant];
    const std::span<const double> w = std::string(variant) == "weighted"
                                          ? std::span<const double>(weights)
                                          : std::span<const double>();
    auto roc = ComputeRocCurve(labels, scores, w);
    ASSERT_TRUE(roc.ok());
    ExpectAllNear(roc->fpr, Doubles(e["roc_fpr"]), kTol, "fpr");
    ExpectAllNear(roc->tpr, Doubles(e["roc_tpr"]), kTol, "tpr");
    ExpectAllNear({roc->thresholds.begin() + 1, roc->thresholds.end()},
                  Doubles(e["roc_thresholds"]), 0, "roc thresholds");

    // sklearn lists the PR points from the lowest threshold up; Keel from the highest down.
    auto pr = ComputePrCurve(labels, scores, w);
    ASSERT_TRUE(pr.ok());
    auto precision = Doubles(e["pr_precision"]);
    auto recall = Doubles(e["pr_recall"]);
    auto thresholds = Doubles(e["pr_thresholds"]);
    std::reverse(precision.begin(), precision.end());
    std::reverse(recall.begin(), recall.end());
    std::reverse(thresholds.begin(), thresholds.end());
    ExpectAllNear(pr->precision, precision, kTol, "precision");
    ExpectAllNear(pr->recall, recall, kTol, "recall");
    ExpectAllNear({pr->thresholds.begin() + 1, pr->thresholds.end()}, thresholds, 0, "pr thr");

    auto rel = ComputeReliabilityCurve(labels, scores, w, f["bins"]);
    ASSERT_TRUE(rel.ok());
    EXPECT_NEAR(rel->ece, e["ece"].get<double>(), kTol);
    if (e.contains("calibration_observed")) {
      // calibration_curve lists only the non-empty bins.
      std::vector<double> observed, predicted;
      for (size_t b = 0; b < rel->weight.size(); ++b) {
        if (rel->weight[b] > 0) {
          observed.push_back(rel->observed[b]);
          predicted.push_back(rel->mean_predicted[b]);
        }
      }
      ExpectAllNear(observed, Doubles(e["calibration_observed"]), kTol, "observed");
      ExpectAllNear(predicted, Doubles(e["calibration_mean_predicted"]), kTol, "predicted");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CurveFixture,
                         ::testing::Values("binary_tied.json", "binary_edges.json"));

}  // namespace
}  // namespace keel
