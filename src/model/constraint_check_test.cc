// CheckConstraints on hand-built trees: what it must accept and what it must refuse.
#include "model/constraint_check.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

TreeNode Split(int32_t feature, double threshold, int32_t left, int32_t right) {
  TreeNode n;
  n.feature = feature;
  n.threshold = threshold;
  n.left = left;
  n.right = right;
  n.cover = 1;
  return n;
}

TreeNode CatSplit(int32_t feature, std::vector<int32_t> codes, int32_t left, int32_t right) {
  TreeNode n = Split(feature, 0, left, right);
  n.is_categorical = true;
  n.categories = std::move(codes);
  return n;
}

TreeNode Leaf(double v) {
  TreeNode n;
  n.value = v;
  n.cover = 1;
  return n;
}

Model TwoFeatureModel(std::vector<TreeNode> nodes, bool second_categorical = false) {
  Model m;
  m.kind = Model::Kind::kForest;
  m.features.resize(2);
  m.features[0].name = "x";
  m.features[1].name = "z";
  if (second_categorical) m.features[1].kind = FeatureSpec::Kind::kCategorical;
  Tree t;
  t.nodes = std::move(nodes);
  m.forest.trees.push_back(std::move(t));
  return m;
}

ModelConstraints Increasing() {
  ModelConstraints c;
  c.monotone = {1, 0};
  return c;
}

TEST(ConstraintCheck, OrderedLeavesAcrossAnotherFeatureHold) {
  // z < 0.5 ? (x < 1 ? 0 : 2) : (x < 2 ? 1 : 3): monotone in x for every z.
  const Model m = TwoFeatureModel({Split(1, 0.5, 1, 2), Split(0, 1, 3, 4), Split(0, 2, 5, 6),
                                   Leaf(0), Leaf(2), Leaf(1), Leaf(3)});
  const ConstraintCheck c = CheckConstraints(m, Increasing());
  EXPECT_TRUE(c.holds());
  EXPECT_TRUE(c.violations.empty());
}

TEST(ConstraintCheck, ADropAlongXIsFoundAndNamed) {
  // x < 1 ? (x < 0.5 ? 0 : 3) : 2: from x = 0.7 (3) to x = 1.5 (2) the output falls.
  const Model m =
      TwoFeatureModel({Split(0, 1, 1, 2), Split(0, 0.5, 3, 4), Leaf(2), Leaf(0), Leaf(3)});
  const ConstraintCheck c = CheckConstraints(m, Increasing());
  EXPECT_FALSE(c.monotone_holds);
  ASSERT_EQ(c.violations.size(), 1u);
  EXPECT_NE(c.violations[0].find("tree 0"), std::string::npos) << c.violations[0];
  EXPECT_NE(c.violations[0].find("break x +1"), std::string::npos) << c.violations[0];
  // It rises from x = 0 (0) to x = 0.7 (3) too, so decreasing fails as well.
  ModelConstraints dec;
  dec.monotone = {-1, 0};
  EXPECT_FALSE(CheckConstraints(m, dec).monotone_holds);
}

TEST(ConstraintCheck, LeavesThatNoTwoRowsShareAreNotCompared) {
  // Leaves under different z categories may be in any order: z in {1} ? (x < 1 ? 5 : 6)
  // : (x < 1 ? 0 : 1). Leaf 5 (x low, z = 1) is above leaf 1 (x high, z != 1), but no two
  // rows differing only in x reach them.
  Model m = TwoFeatureModel({CatSplit(1, {1}, 1, 2), Split(0, 1, 3, 4), Split(0, 1, 5, 6), Leaf(5),
                             Leaf(6), Leaf(0), Leaf(1)},
                            /*second_categorical=*/true);
  EXPECT_TRUE(CheckConstraints(m, Increasing()).holds());
  // Within z = 1 the order must hold: put the high-x leaf below the low-x one.
  m.forest.trees[0].nodes[4].value = 4;
  EXPECT_FALSE(CheckConstraints(m, Increasing()).holds());
}

TEST(ConstraintCheck, ConditionsBelowTheConstrainedSplitSeparateLeaves) {
  // x < 1 ? (z in {1} ? 5 : 0) : (z in {1} ? 6 : 1): leaf 5 (x low, z = 1) is above leaf 1
  // (x high, z != 1), but the z conditions under the x split keep such rows apart.
  Model m = TwoFeatureModel({Split(0, 1, 1, 2), CatSplit(1, {1}, 3, 4), CatSplit(1, {1}, 5, 6),
                             Leaf(5), Leaf(0), Leaf(6), Leaf(1)},
                            /*second_categorical=*/true);
  EXPECT_TRUE(CheckConstraints(m, Increasing()).holds());
  m.forest.trees[0].nodes[5].value = 4;  // within z = 1: 5 then 4
  EXPECT_FALSE(CheckConstraints(m, Increasing()).holds());
  // Numeric z: x < 1 ? (z < 0.5 ? 5 : 0) : (z < 0.7 ? 6 : 1). Leaf 5 (z < 0.5) is above leaf 1
  // (z >= 0.7), which no row with the same z reaches.
  Model n = TwoFeatureModel({Split(0, 1, 1, 2), Split(1, 0.5, 3, 4), Split(1, 0.7, 5, 6), Leaf(5),
                             Leaf(0), Leaf(6), Leaf(1)});
  EXPECT_TRUE(CheckConstraints(n, Increasing()).holds());
  n.forest.trees[0].nodes[5].value = 4;  // z < 0.5 reaches both 5 (x low) and 4 (x high)
  EXPECT_FALSE(CheckConstraints(n, Increasing()).holds());
}

TEST(ConstraintCheck, MissingValuesOfTheConstrainedFeatureAreNotOnItsScale) {
  // x < 1 (missing left) ? (x < 1 (missing right) ? 0 : 9) : 1: leaf 9 is reached only by
  // missing x, so it is not compared with the others.
  TreeNode root = Split(0, 1, 1, 2);
  root.default_left = true;
  TreeNode again = Split(0, 1, 3, 4);
  again.default_left = false;
  Model m = TwoFeatureModel({root, again, Leaf(1), Leaf(0), Leaf(9)});
  EXPECT_TRUE(CheckConstraints(m, Increasing()).holds());
  // Reached by non-missing values too (x >= 0.5), the same 9 breaks the order.
  m.forest.trees[0].nodes[1].threshold = 0.5;
  EXPECT_FALSE(CheckConstraints(m, Increasing()).holds());
}

TEST(ConstraintCheck, LessEqualThresholdsTouchingAtAPoint) {
  // x <= 1 ? 1 : 0 falls from x = 1 to x = 1.5.
  TreeNode root = Split(0, 1, 1, 2);
  root.less_equal = true;
  const Model m = TwoFeatureModel({root, Leaf(1), Leaf(0)});
  EXPECT_FALSE(CheckConstraints(m, Increasing()).holds());
}

TEST(ConstraintCheck, ZeroAsMissingOnAConstrainedFeatureCannotBeVerified) {
  TreeNode root = Split(0, 1, 1, 2);
  root.missing_rule = MissingRule::kZeroOrNaN;
  const Model m = TwoFeatureModel({root, Leaf(0), Leaf(1)});
  const ConstraintCheck c = CheckConstraints(m, Increasing());
  EXPECT_FALSE(c.holds());
  ASSERT_FALSE(c.violations.empty());
  EXPECT_NE(c.violations[0].find("sends 0 the missing way"), std::string::npos);
}

TEST(ConstraintCheck, InteractionGroupsPerPath) {
  // x then z on one path: allowed when {x, z} is a group, not when they are apart.
  const Model m =
      TwoFeatureModel({Split(0, 1, 1, 2), Split(1, 1, 3, 4), Leaf(0), Leaf(1), Leaf(2)});
  ModelConstraints together;
  together.interactions = {{0, 1}};
  EXPECT_TRUE(CheckConstraints(m, together).holds());
  ModelConstraints apart;
  apart.interactions = {{0}};  // z is ungrouped: a group of its own
  const ConstraintCheck c = CheckConstraints(m, apart);
  EXPECT_FALSE(c.interactions_hold);
  EXPECT_TRUE(c.monotone_holds);
  const nlohmann::json s = ConstraintsSection(m, apart, c);
  EXPECT_EQ(s["interactions"], nlohmann::json::parse(R"([["x"]])"));
  EXPECT_EQ(s["interactions_verified"], false);
  EXPECT_EQ(s["verified"], false);
  EXPECT_FALSE(s.contains("monotone"));
}

TEST(ConstraintCheck, SectionNamesTheDirections) {
  const Model m = TwoFeatureModel({Split(0, 1, 1, 2), Leaf(0), Leaf(1)});
  ModelConstraints c = Increasing();
  c.source = "xgboost";
  const nlohmann::json s = ConstraintsSection(m, c, CheckConstraints(m, c));
  EXPECT_EQ(s["monotone"], nlohmann::json::parse(R"({"x": 1})"));
  EXPECT_EQ(s["source"], "xgboost");
  EXPECT_EQ(s["verified"], true);
}

}  // namespace
}  // namespace keel
