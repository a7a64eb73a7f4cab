#include "eval/multiclass_metrics.h"

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

constexpr double kTol = 1e-12;

TEST(PredictedClasses, ArgMaxWithLowestIndexOnTies) {
  const std::vector<double> p = {0.2, 0.5, 0.3, 0.4, 0.4, 0.2};
  EXPECT_EQ(PredictedClasses(p, 3), (std::vector<int32_t>{1, 0}));
}

TEST(MacroF1, HandCaseLeavesOutClassesThatNeverOccur) {
  // Class 0: tp 1, fp 1, fn 0 -> 2/3. Class 1: tp 1, fp 0, fn 1 -> 2/3. Class 2 never occurs
  // as label or prediction and is left out of the mean.
  const std::vector<int32_t> labels = {0, 1, 1};
  const std::vector<int32_t> predicted = {0, 1, 0};
  EXPECT_DOUBLE_EQ(*MacroF1(labels, predicted, 3), 2.0 / 3);
  EXPECT_DOUBLE_EQ(*Accuracy(labels, predicted, 3), 2.0 / 3);
}

TEST(MulticlassLogLoss, HandCaseRenormalisesRows) {
  // Row sums 1 and 0.5: the second row's true-class probability is 0.25 / 0.5.
  const std::vector<double> p = {0.7, 0.2, 0.1, 0.25, 0.25, 0.0};
  EXPECT_NEAR(*MulticlassLogLoss(std::vector<int32_t>{0, 1}, p, 3),
              -(std::log(0.7) + std::log(0.25 / (0.5 + kLogLossEpsilon))) / 2, 1e-14);
}

TEST(MulticlassMetrics, RejectBadInput) {
  const std::vector<double> p = {0.5, 0.5, 0.5, 0.5};
  EXPECT_FALSE(MulticlassLogLoss(std::vector<int32_t>{0, 2}, p, 2).ok());
  EXPECT_FALSE(MulticlassLogLoss(std::vector<int32_t>{0}, p, 2).ok());
  EXPECT_FALSE(MulticlassLogLoss(std::vector<int32_t>{0, 1}, p, 1).ok());
  auto nan = MulticlassLogLoss(std::vector<int32_t>{0, 1}, std::vector<double>{0.5, 0.5, NAN, 1}, 2);
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.status().message().find("row 1"), std::string::npos);
  EXPECT_FALSE(Accuracy(std::vector<int32_t>{0, 1}, std::vector<int32_t>{0, -1}, 2).ok());
  EXPECT_FALSE(MacroF1(std::vector<int32_t>{0, 1}, std::vector<int32_t>{0, 1}, 2,
                       std::vector<double>{1, NAN}).ok());
}

TEST(MulticlassFixture, MatchesScikitLearn) {
  const auto f = LoadEvalFixture("multiclass.json");
  const int32_t k = f["num_classes"];
  const auto labels = Ints(f["labels"]);
  const auto probs = Doubles(f["probabilities"]);
  const auto weights = Doubles(f["weights"]);
  const auto predicted = PredictedClasses(probs, k);
  for (const char* variant : {"unweighted", "weighted"}) {
    SCOPED_TRACE(variant);
    const auto& e = f[variant];
    const std::span<const double> w = std::string(variant) == "weighted"
                                          ? std::span<const double>(weights)
                                          : std::span<const double>();
    EXPECT_NEAR(*MulticlassLogLoss(labels, probs, k, w), e["logloss"].get<double>(), kTol);
    EXPECT_NEAR(*Accuracy(labels, predicted, k, w), e["accuracy"].get<double>(), kTol);
    EXPECT_NEAR(*MacroF1(labels, predicted, k, w), e["macro_f1"].get<double>(), kTol);
  }
}

}  // namespace
}  // namespace keel
