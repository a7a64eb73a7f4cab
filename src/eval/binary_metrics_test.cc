#include "eval/binary_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/random.h"
#include "eval/eval_test_fixtures.h"

namespace keel {
namespace {

using testing::Doubles;
using testing::Ints;
using testing::LoadEvalFixture;

constexpr double kTol = 1e-12;

// Four rows worked by hand: pairs (pos 0.9, neg 0.8) win, (0.9, 0.4) win, (0.4, 0.8) lose,
// (0.4, 0.4) tie -> (1 + 1 + 0 + 0.5) / 4.
const std::vector<int32_t> kLabels = {1, 0, 1, 0};
const std::vector<double> kScores = {0.9, 0.8, 0.4, 0.4};

TEST(RocAuc, HandCaseCountsTiesAsHalf) { EXPECT_DOUBLE_EQ(*RocAuc(kLabels, kScores), 0.625); }

TEST(RocAuc, PerfectAndReversedRankings) {
  EXPECT_DOUBLE_EQ(*RocAuc(std::vector<int32_t>{0, 0, 1, 1}, std::vector<double>{1, 2, 3, 4}), 1);
  EXPECT_DOUBLE_EQ(*RocAuc(std::vector<int32_t>{1, 1, 0, 0}, std::vector<double>{1, 2, 3, 4}), 0);
  // All scores equal: every pair ties.
  EXPECT_DOUBLE_EQ(*RocAuc(std::vector<int32_t>{1, 0, 1}, std::vector<double>{5, 5, 5}), 0.5);
}

TEST(RocAuc, OneClassIsNaNNotError) {
  auto auc = RocAuc(std::vector<int32_t>{1, 1}, std::vector<double>{0.2, 0.3});
  ASSERT_TRUE(auc.ok());
  EXPECT_TRUE(std::isnan(*auc));
}

TEST(RocAuc, IntegerWeightsEqualRepeatedRows) {
  Rng rng(3);
  std::vector<int32_t> labels, repeated_labels;
  std::vector<double> scores, weights, repeated_scores;
  for (int i = 0; i < 200; ++i) {
    labels.push_back(rng.Uniform() < 0.4);
    scores.push_back(std::round(rng.Uniform() * 20) / 20);  // many ties
    weights.push_back(static_cast<double>(rng.Below(4)));
    for (int r = 0; r < weights.back(); ++r) {
      repeated_labels.push_back(labels.back());
      repeated_scores.push_back(scores.back());
    }
  }
  EXPECT_NEAR(*RocAuc(labels, scores, weights), *RocAuc(repeated_labels, repeated_scores), kTol);
  EXPECT_NEAR(*AveragePrecision(labels, scores, weights),
              *AveragePrecision(repeated_labels, repeated_scores), kTol);
  EXPECT_NEAR(*BinaryLogLoss(labels, scores, weights),
              *BinaryLogLoss(repeated_labels, repeated_scores), kTol);
  EXPECT_NEAR(*ExpectedCalibrationError(labels, scores, weights),
              *ExpectedCalibrationError(repeated_labels, repeated_scores), kTol);
}

TEST(AveragePrecision, HandCaseSumsRecallStepsTimesPrecision) {
  // Thresholds 0.9: P = 1, R = 0.5; 0.8: P = 0.5, R = 0.5 (no step); 0.4: P = 0.5, R = 1.
  EXPECT_DOUBLE_EQ(*AveragePrecision(kLabels, kScores), 0.5 * 1 + 0.5 * 0.5);
}

TEST(BinaryLogLoss, HandCaseAndClipping) {
  EXPECT_DOUBLE_EQ(*BinaryLogLoss(std::vector<int32_t>{1, 0}, std::vector<double>{0.8, 0.3}),
                   -(std::log(0.8) + std::log(0.7)) / 2);
  // A confident mistake is finite: -log(machine epsilon).
  const double worst = *BinaryLogLoss(std::vector<int32_t>{1}, std::vector<double>{0.0});
  EXPECT_DOUBLE_EQ(worst, -std::log(kLogLossEpsilon));
  EXPECT_NEAR(*BinaryLogLoss(std::vector<int32_t>{0}, std::vector<double>{1.0}), worst, 1e-9);
}

TEST(BrierScore, HandCase) {
  EXPECT_DOUBLE_EQ(*BrierScore(std::vector<int32_t>{1, 0}, std::vector<double>{0.8, 0.3}),
                   (0.04 + 0.09) / 2);
}

TEST(MetricsAtThreshold, HandCaseConfusionAndRates) {
  auto m = MetricsAtThreshold(kLabels, kScores, 0.5);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->tp, 1);
  EXPECT_EQ(m->fp, 1);
  EXPECT_EQ(m->tn, 1);
  EXPECT_EQ(m->fn, 1);
  EXPECT_DOUBLE_EQ(m->accuracy, 0.5);
  EXPECT_DOUBLE_EQ(m->f1, 0.5);
  // The threshold is inclusive: at 0.8 the row scoring 0.8 is predicted positive.
  EXPECT_EQ(MetricsAtThreshold(kLabels, kScores, 0.8)->fp, 1);
  // Nothing predicted positive: precision and F1 are 0, not NaN.
  auto none = MetricsAtThreshold(kLabels, kScores, 0.95);
  EXPECT_EQ(none->precision, 0);
  EXPECT_EQ(none->f1, 0);
  EXPECT_DOUBLE_EQ(none->accuracy, 0.5);
}

TEST(CalibrationBin, RightClosedBinsLikeScikitLearn) {
  EXPECT_EQ(CalibrationBin(0.0, 10), 0);
  EXPECT_EQ(CalibrationBin(0.1, 10), 0);  // edges belong to the bin below
  EXPECT_EQ(CalibrationBin(0.3, 10), 2);                   // below linspace's 0.30000000000000004
  EXPECT_EQ(CalibrationBin(0.30000000000000004, 10), 2);  // on the edge
  EXPECT_EQ(CalibrationBin(std::nextafter(0.30000000000000004, 1.0), 10), 3);
  EXPECT_EQ(CalibrationBin(0.95, 10), 9);
  EXPECT_EQ(CalibrationBin(1.0, 10), 9);
  EXPECT_EQ(CalibrationBin(0.5, 1), 0);
}

TEST(ExpectedCalibrationError, HandCase) {
  // Bins 0, 1 and 9 hold one row each: (|0 - 0.05| + |1 - 0.15| + |1 - 0.95|) / 3.
  EXPECT_DOUBLE_EQ(*ExpectedCalibrationError(std::vector<int32_t>{0, 1, 1},
                                             std::vector<double>{0.05, 0.15, 0.95}),
                   (0.05 + 0.85 + 0.05) / 3);
}

TEST(BinaryMetrics, RejectBadInputNamingRowAndValue) {
  const std::vector<double> s = {0.1, 0.2};
  auto bad_label = RocAuc(std::vector<int32_t>{0, 2}, s);
  ASSERT_FALSE(bad_label.ok());
  EXPECT_NE(bad_label.status().message().find("row 1"), std::string::npos);
  EXPECT_NE(bad_label.status().message().find("label 2"), std::string::npos);
  EXPECT_FALSE(RocAuc(std::vector<int32_t>{0, 1}, std::vector<double>{0.1, NAN}).ok());
  EXPECT_FALSE(RocAuc(std::vector<int32_t>{0}, s).ok());
  auto out_of_range = BrierScore(std::vector<int32_t>{0, 1}, std::vector<double>{0.1, 1.5});
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_NE(out_of_range.status().message().find("1.5"), std::string::npos);
  // Rank metrics take any finite score.
  EXPECT_TRUE(RocAuc(std::vector<int32_t>{0, 1}, std::vector<double>{-3, 7}).ok());
  EXPECT_FALSE(RocAuc(std::vector<int32_t>{0, 1}, s, std::vector<double>{1, -1}).ok());
  EXPECT_FALSE(RocAuc(std::vector<int32_t>{0, 1}, s, std::vector<double>{1}).ok());
  EXPECT_FALSE(ExpectedCalibrationError(std::vector<int32_t>{0, 1}, s, {}, 0).ok());
  EXPECT_FALSE(MetricsAtThreshold(std::vector<int32_t>{0, 1}, s, NAN).ok());
}

TEST(BinaryMetrics, AllZeroWeightsGiveNaN) {
  const std::vector<double> zero = {0, 0};
  EXPECT_TRUE(std::isnan(*BrierScore(std::vector<int32_t>{0, 1}, std::vector<double>{.1, .2}, zero)));
  EXPECT_TRUE(std::isnan(*RocAuc(std::vector<int32_t>{0, 1}, std::vector<double>{.1, .2}, zero)));
}

class BinaryFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(BinaryFixture, MatchesScikitLearn) {
  const auto f = LoadEvalFixture(GetParam());
  const auto labels = Ints(f["labels"]);
  const auto scores = Doubles(f["scores"]);
  const auto weights = Doubles(f["weights"]);
  const double threshold = f["threshold"];
  const int bins = f["bins"];
  for (const char* variant : {"unweighted", "weighted"}) {
    SCOPED_TRACE(variant);
    const auto& e = f[variant];
    const std::span<const double> w =
        std::string(variant) == "weighted" ? std::span<const double>(weights) : std::span<const double>();
    EXPECT_NEAR(*RocAuc(labels, scores, w), e["auc"].get<double>(), kTol);
    EXPECT_NEAR(*AveragePrecision(labels, scores, w), e["average_precision"].get<double>(), kTol);
    EXPECT_NEAR(*BinaryLogLoss(labels, scores, w), e["logloss"].get<double>(), kTol);
    EXPECT_NEAR(*BrierScore(labels, scores, w), e["brier"].get<double>(), kTol);
    auto t = MetricsAtThreshold(labels, scores, threshold, w);
    ASSERT_TRUE(t.ok());
    EXPECT_NEAR(t->accuracy, e["accuracy"].get<double>(), kTol);
    EXPECT_NEAR(t->precision, e["precision"].get<double>(), kTol);
    EXPECT_NEAR(t->recall, e["recall"].get<double>(), kTol);
    EXPECT_NEAR(t->f1, e["f1"].get<double>(), kTol);
    EXPECT_NEAR(*ExpectedCalibrationError(labels, scores, w, bins), e["ece"].get<double>(), kTol);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BinaryFixture,
                         ::testing::Values("binary_tied.json", "binary_edges.json"));

}  // namespace
}  // namespace keel
