#include "model/model.h"

#include <gtest/gtest.h>

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

TEST(ValidateModel, AcceptsWellFormedStump) { EXPECT_TRUE(ValidateModel(Stump()).ok()); }

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

}  // namespace
}  // namespace keel
