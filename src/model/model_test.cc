#include "model/model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string_view>

#include "model/link_function.h"

namespace keel {
namespace {

Model Stump() {
  Model m;
  m.features.push_back({"x", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  Tree t;
  TreeNode root;
  root.left = 1;
  root.right = 2;
  root.feature = 0;
  root.threshold = 0.5;
  TreeNode l, r;
  l.value = -1;
  r.value = 1;
  t.nodes = {root, l, r};
  m.forest.trees.push_back(t);
  return m;
}

TEST(ValidateModel, AcceptsWellFormedStump) {
  EXPECT_TRUE(ValidateModel(Stump()).ok());
}

TEST(ValidateModel, RejectsChildOutOfRange) {
  Model m = Stump();
  m.forest.trees[0].nodes[0].right = 7;
  EXPECT_EQ(ValidateModel(m).code(), StatusCode::kCorrupt);
}

TEST(ValidateModel, RejectsCycle) {
  Model m = Stump();
  m.forest.trees[0].nodes[0].left = 0;
  EXPECT_EQ(ValidateModel(m).code(), StatusCode::kCorrupt);
}

TEST(ValidateModel, RejectsBadFeatureAndOutputs) {
  Model m = Stump();
  m.forest.trees[0].nodes[0].feature = 3;
  EXPECT_FALSE(ValidateModel(m).ok());
  Model m2 = Stump();
  m2.forest.trees[0].class_index = 1;
  EXPECT_FALSE(ValidateModel(m2).ok());
}

TEST(ValidateModel, RejectsUnsortedCategories) {
  Model m = Stump();
  m.features[0].kind = FeatureSpec::Kind::kCategorical;
  auto& root = m.forest.trees[0].nodes[0];
  root.is_categorical = true;
  root.categories = {3, 1};
  EXPECT_FALSE(ValidateModel(m).ok());
  root.categories = {1, 3};
  EXPECT_TRUE(ValidateModel(m).ok());
}

constexpr Objective kEveryObjective[] = {
    Objective::kBinaryLogistic, Objective::kMultiSoftmax, Objective::kSquaredError,
    Objective::kAbsoluteError,  Objective::kHuber,        Objective::kRegLogistic,
    Objective::kPoisson,        Objective::kGamma,        Objective::kTweedie};

TEST(Objectives, NamesRoundTripAndAreDistinct) {
  std::set<std::string_view> names;
  for (Objective o : kEveryObjective) {
    const std::string_view name = ObjectiveName(o);
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(names.insert(name).second) << name;
    Objective back = Objective::kBinaryLogistic;
    ASSERT_TRUE(ParseObjective(name, &back)) << name;
    EXPECT_EQ(back, o) << name;
  }
  Objective o;
  EXPECT_FALSE(ParseObjective("reg:poisson", &o));
  EXPECT_FALSE(ParseObjective("", &o));
}

TEST(Objectives, LinkRegressionsAreRegressions) {
  for (Objective o :
       {Objective::kRegLogistic, Objective::kPoisson, Objective::kGamma, Objective::kTweedie}) {
    EXPECT_EQ(TaskOf(o), Task::kRegression) << ObjectiveName(o);
  }
  EXPECT_EQ(ObjectiveName(Objective::kRegLogistic), "reg:logistic");
  EXPECT_EQ(ObjectiveName(Objective::kPoisson), "count:poisson");
  EXPECT_EQ(ObjectiveName(Objective::kGamma), "reg:gamma");
  EXPECT_EQ(ObjectiveName(Objective::kTweedie), "reg:tweedie");
}

double Link(Objective o, double margin) {
  double p = std::numeric_limits<double>::quiet_NaN();
  MarginsToPredictions(o, 1, &margin, &p);
  return p;
}

TEST(LinkFunction, IdentityRegressions) {
  for (Objective o : {Objective::kSquaredError, Objective::kAbsoluteError, Objective::kHuber}) {
    EXPECT_EQ(Link(o, -2.5), -2.5);
    EXPECT_EQ(Link(o, 1e300), 1e300);
  }
}

TEST(LinkFunction, RegLogisticIsTheSigmoid) {
  EXPECT_EQ(Link(Objective::kRegLogistic, 0.0), 0.5);
  EXPECT_NEAR(Link(Objective::kRegLogistic, std::log(3.0)), 0.75, 1e-15);
  EXPECT_NEAR(Link(Objective::kRegLogistic, -std::log(3.0)), 0.25, 1e-15);
  EXPECT_EQ(Link(Objective::kRegLogistic, 800.0), 1.0);
  EXPECT_GT(Link(Objective::kRegLogistic, -800.0), -1e-300);  // no NaN, no overflow
  EXPECT_EQ(Link(Objective::kRegLogistic, -30.0), Sigmoid(-30.0));
}

TEST(LinkFunction, LogLinkRegressionsExponentiate) {
  for (Objective o : {Objective::kPoisson, Objective::kGamma, Objective::kTweedie}) {
    EXPECT_EQ(Link(o, 0.0), 1.0) << ObjectiveName(o);
    EXPECT_NEAR(Link(o, std::log(2.5)), 2.5, 1e-15) << ObjectiveName(o);
    EXPECT_NEAR(Link(o, -3.0), std::exp(-3.0), 1e-18) << ObjectiveName(o);
    EXPECT_EQ(Link(o, 1000.0), std::numeric_limits<double>::infinity()) << ObjectiveName(o);
  }
  // In place, as the predictor calls it.
  double m = std::log(4.0);
  MarginsToPredictions(Objective::kPoisson, 1, &m, &m);
  EXPECT_NEAR(m, 4.0, 1e-14);
}

}  // namespace
}  // namespace keel
