#include "explain/global_importance.h"

#include <gtest/gtest.h>

#include <vector>

namespace keel {
namespace {

Model TwoTreeModel() {
  Model m;
  m.features = {{"a", FeatureSpec::Kind::kNumeric, {}, {}},
                {"b", FeatureSpec::Kind::kNumeric, {}, {}},
                {"c", FeatureSpec::Kind::kNumeric, {}, {}}};
  Tree t;
  t.nodes.resize(5);
  t.nodes[0] = {.left = 1, .right = 2, .feature = 0, .cover = 4, .gain = 3.0};
  t.nodes[1] = {.left = 3, .right = 4, .feature = 1, .cover = 2, .gain = 0.5};
  t.nodes[2].cover = 2;
  t.nodes[3].cover = 1;
  t.nodes[4].cover = 1;
  m.forest.trees = {t, t};
  m.forest.trees[1].nodes[0].feature = 1;
  m.forest.trees[1].nodes[0].gain = 1.25;
  return m;
}

TEST(SplitImportance, SumsGainAndCountsSplitsPerFeature) {
  std::vector<double> gain;
  std::vector<uint64_t> splits;
  SplitImportance(TwoTreeModel(), &gain, &splits);
  EXPECT_EQ(gain, (std::vector<double>{3.0, 0.5 + 1.25 + 0.5, 0.0}));
  EXPECT_EQ(splits, (std::vector<uint64_t>{1, 3, 0}));
}

TEST(ComputeImportance, MeanAbsoluteShapSortsTheFeatures) {
  const Model m = TwoTreeModel();
  // Two rows of [a, b, c, bias].
  const std::vector<double> a = {0.5,  -2.0, 0.0, 1.0,  //
                                 -1.5, 1.0,  0.0, 1.0};
  const auto imp = ComputeImportance(m, a, 2, {1, 1, 0});
  ASSERT_EQ(imp.size(), 3u);
  EXPECT_EQ(imp[0].name, "b");
  EXPECT_DOUBLE_EQ(imp[0].mean_abs_shap, 1.5);
  EXPECT_EQ(imp[0].splits, 3u);
  EXPECT_EQ(imp[1].name, "a");
  EXPECT_DOUBLE_EQ(imp[1].mean_abs_shap, 1.0);
  EXPECT_DOUBLE_EQ(imp[1].gain, 3.0);
  EXPECT_EQ(imp[2].name, "c");
  EXPECT_FALSE(imp[2].used);
  const auto j = ImportanceToJson(m, imp);
  EXPECT_EQ(j[0]["feature"], "b");
  EXPECT_EQ(j[0]["mean_abs_shap"], 1.5);
  EXPECT_FALSE(j[0].contains("mean_abs_shap_by_class"));
}

TEST(ComputeImportance, MulticlassSumsTheClassesAndListsEach) {
  Model m = TwoTreeModel();
  m.num_outputs = 2;
  m.labels.classes = {"x", "y"};
  // One row: class x [a, b, c, bias], class y [...].
  const std::vector<double> a = {1.0, 0.0, 0.0, 0.0, -3.0, 0.5, 0.0, 0.0};
  const auto imp = ComputeImportance(m, a, 1, {1, 1, 1});
  EXPECT_EQ(imp[0].name, "a");
  EXPECT_DOUBLE_EQ(imp[0].mean_abs_shap, 4.0);
  EXPECT_EQ(imp[0].mean_abs_shap_by_output, (std::vector<double>{1.0, 3.0}));
  const auto j = ImportanceToJson(m, imp);
  EXPECT_EQ(j[0]["mean_abs_shap_by_class"]["y"], 3.0);
}

}  // namespace
}  // namespace keel
