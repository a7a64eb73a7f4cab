#include "model/conformal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>
#include <vector>

#include "model/link_function.h"
#include "model/quantile_outputs.h"

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

// A model of two quantiles (lo, hi), as `keel train --quantiles 0.1,0.9` makes.
Model TwoQuantiles() {
  Model m;
  m.task = Task::kRegression;
  m.objective = Objective::kQuantile;
  m.num_outputs = 2;
  m.base_margin = {0, 0};
  SetQuantileLevels({0.1, 0.9}, &m);
  return m;
}

TEST(Conformal, SeveralQuantilesGetCqrScoresAndIntervals) {
  const Model m = TwoQuantiles();
  ASSERT_TRUE(HasQuantileOutputs(m));
  EXPECT_EQ(*QuantileLevels(m), (std::vector<double>{0.1, 0.9}));
  const double out[2] = {10, 20};
  // max(lo - y, y - hi): negative inside [lo, hi], the distance outside it.
  EXPECT_EQ(ConformalScore(m, 15, out), -5);
  EXPECT_EQ(ConformalScore(m, 8, out), 2);
  EXPECT_EQ(ConformalScore(m, 23, out), 3);
  EXPECT_EQ(RegressionInterval(m, out, 2), std::make_pair(8.0, 22.0));
  EXPECT_EQ(RegressionInterval(m, out, -3), std::make_pair(13.0, 17.0));
  // A q that would turn the interval inside out gives the midpoint, never lower > upper.
  EXPECT_EQ(RegressionInterval(m, out, -7), std::make_pair(15.0, 15.0));
  EXPECT_STREQ(ConformalScoreName(m), "cqr");
  // The stored scores may be negative for such a model, and only for it.
  Model with = m;
  with.sections["conformal"] = {{"scores", {-2.5, -1.0, 0.5}}, {"rows", 3}};
  auto c = ConformalOf(with);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*ConformalQuantile(*c, 0.5), -1.0);
  Model one;
  one.task = Task::kRegression;
  one.objective = Objective::kSquaredError;
  one.sections = with.sections;
  EXPECT_FALSE(ConformalOf(one).ok());
  EXPECT_EQ(RegressionInterval(one, out, 2), std::make_pair(8.0, 12.0));
}

TEST(Conformal, SeveralQuantilesAreSortedPerRowByTheLink) {
  const double margins[3] = {5, -1, 2};
  double p[3];
  MarginsToPredictions(Objective::kQuantile, 3, margins, p);
  EXPECT_EQ(std::vector<double>(p, p + 3), (std::vector<double>{-1, 2, 5}));
  Model m = TwoQuantiles();
  EXPECT_TRUE(ValidateModel(m).ok());
  m.sections["quantiles"] = {{"levels", {0.9, 0.1}}};  // not ascending
  EXPECT_EQ(ValidateModel(m).code(), StatusCode::kCorrupt);
  m.sections.erase("quantiles");
  EXPECT_EQ(ValidateModel(m).code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace keel
