#include "model/conformal.h"

#include <gtest/gtest.h>

#include <cmath>

namespace keel {
namespace {

Conformal Scores(int n) {
  Conformal c;
  for (int i = 1; i <= n; ++i) c.scores.push_back(i);  // 1, 2, ..., n
  c.rows = static_cast<uint64_t>(n);
  return c;
}

TEST(Conformal, QuantileIsTheCeilNPlusOneLevelthSmallestScore) {
  // n = 9: rank ceil(10 * level).
  const Conformal c = Scores(9);
  EXPECT_EQ(*ConformalQuantile(c, 0.9), 9);   // rank 9
  EXPECT_EQ(*ConformalQuantile(c, 0.8), 8);   // rank 8
  EXPECT_EQ(*ConformalQuantile(c, 0.5), 5);   // rank 5
  EXPECT_EQ(*ConformalQuantile(c, 0.55), 6);  // rank ceil(5.5) = 6
  // Rank 10 > n: too few scores for the level, so the interval is unbounded.
  EXPECT_TRUE(std::isinf(*ConformalQuantile(c, 0.95)));
  // n = 99: rank ceil(100 * level).
  const Conformal d = Scores(99);
  EXPECT_EQ(*ConformalQuantile(d, 0.9), 90);
  EXPECT_EQ(*ConformalQuantile(d, 0.95), 95);
}

TEST(Conformal, LevelsOutsideZeroOneAndModelsWithoutScoresAreErrors) {
  EXPECT_EQ(ConformalQuantile(Scores(5), 1.0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ConformalQuantile(Scores(5), 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ConformalQuantile(Conformal{}, 0.9).status().code(), StatusCode::kFailedPrecondition);
}

TEST(Conformal, SetsHoldTheClassesWhoseScoreIsWithinQ) {
  Model model;
  model.task = Task::kMulticlass;
  model.num_outputs = 3;
  model.labels.classes = {"a", "b", "c"};
  const double p[3] = {0.5, 0.3, 0.2};
  EXPECT_EQ(PredictionSet(model, p, 0.5), "a");
  EXPECT_EQ(PredictionSet(model, p, 0.7), "a|b");
  EXPECT_EQ(PredictionSet(model, p, 0.85), "a|b|c");
  EXPECT_EQ(PredictionSet(model, p, 0.4), "");  // possibly empty
  model.task = Task::kBinary;
  model.num_outputs = 1;
  model.labels.classes = {"No", "Yes"};
  const double yes = 0.8;  // the predictor's output: P(Yes)
  EXPECT_EQ(PredictionSet(model, &yes, 0.3), "Yes");
  EXPECT_EQ(PredictionSet(model, &yes, 0.8), "No|Yes");
  EXPECT_DOUBLE_EQ(ConformalScore(model, 0, &yes), 1 - (1 - 0.8));
  model.task = Task::kRegression;
  const double v = 10;
  EXPECT_EQ(ConformalScore(model, 7.5, &v), 2.5);
}

TEST(Conformal, SectionsRoundTripAndBadOnesAreCorrupt) {
  Model model;
  const Conformal c = Scores(4);
  model.sections["conformal"] = ConformalToJson(c, Task::kRegression);
  auto back = ConformalOf(model);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->scores, c.scores);
  EXPECT_EQ(back->rows, 4u);
  model.sections["conformal"]["scores"] = {3.0, 1.0};
  EXPECT_EQ(ConformalOf(model).status().code(), StatusCode::kCorrupt);
  model.sections["conformal"]["scores"] = {-1.0};
  EXPECT_EQ(ConformalOf(model).status().code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace keel
