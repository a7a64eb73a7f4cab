#include "explain/partial_dependence.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "model/link_function.h"

namespace keel {
namespace {

// margin = 0.1 + (a < 1 ? 2 : -1) + (b == "y" or missing ? 0.5 : -0.5)
Model AdditiveModel() {
  Model m;
  m.base_margin = {0.1};
  m.labels.classes = {"no", "yes"};
  m.features = {{"a", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric},
                {"b", FeatureSpec::Kind::kCategorical, {"x", "y", "z"}, ColumnKind::kCategorical}};
  Tree t0;
  t0.nodes.resize(3);
  t0.nodes[0] = {
      .left = 1, .right = 2, .feature = 0, .threshold = 1.0, .default_left = false, .cover = 4};
  t0.nodes[1].value = 2;
  t0.nodes[1].cover = 2;
  t0.nodes[2].value = -1;
  t0.nodes[2].cover = 2;
  Tree t1 = t0;
  t1.nodes[0] = {.left = 1,
                 .right = 2,
                 .feature = 1,
                 .default_left = true,
                 .is_categorical = true,
                 .categories_left = true,
                 .categories = {1},
                 .cover = 4};
  t1.nodes[1].value = 0.5;
  t1.nodes[2].value = -0.5;
  m.forest.trees = {t0, t1};
  return m;
}

FeatureMatrix Rows() {
  FeatureMatrix x;
  x.rows = 4;
  x.cols = 2;
  x.values = {0, 0, 2, 1, 3, 2, NAN, NAN};
  return x;
}

TEST(PartialDependence, NumericGridAveragesOverTheOtherFeatures) {
  const Model m = AdditiveModel();
  auto p = Predictor::Create(m);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto pd = ComputePartialDependence(m, **p, Rows(), 0);
  ASSERT_TRUE(pd.ok()) << pd.status().ToString();
  EXPECT_FALSE(pd->categorical);
  ASSERT_EQ(pd->grid.size(), 4u);  // 0, 2, 3 and missing
  EXPECT_EQ(pd->grid[0], 0.0f);
  EXPECT_EQ(pd->grid[2], 3.0f);
  EXPECT_TRUE(std::isnan(pd->grid[3]));
  EXPECT_EQ(pd->labels[3], "missing");
  // b's tree gives -0.5, +0.5, -0.5, +0.5 over the rows: mean 0.
  const double want_margin[] = {2.1, -0.9, -0.9, -0.9};
  const double tree_a[] = {2, -1, -1, -1};
  for (size_t g = 0; g < 4; ++g) {
    EXPECT_NEAR(pd->mean_margin[g], want_margin[g], 1e-12);
    double p_mean = 0;
    for (double tb : {-0.5, 0.5, -0.5, 0.5}) p_mean += Sigmoid(0.1 + tree_a[g] + tb) / 4;
    EXPECT_NEAR(pd->mean_prediction[g], p_mean, 1e-12);
  }
}

TEST(PartialDependence, CategoricalGridIsTheDictionary) {
  const Model m = AdditiveModel();
  auto p = Predictor::Create(m);
  ASSERT_TRUE(p.ok());
  PartialDependenceOptions o;
  o.include_missing = false;
  auto pd = ComputePartialDependence(m, **p, Rows(), 1, o);
  ASSERT_TRUE(pd.ok());
  EXPECT_TRUE(pd->categorical);
  EXPECT_EQ(pd->labels, (std::vector<std::string>{"x", "y", "z"}));
  // a's tree gives 2, -1, -1, -1: mean -0.25.
  EXPECT_NEAR(pd->mean_margin[0], 0.1 - 0.25 - 0.5, 1e-12);
  EXPECT_NEAR(pd->mean_margin[1], 0.1 - 0.25 + 0.5, 1e-12);
}

TEST(PartialDependence, SamplesRowsAndRejectsBadArguments) {
  const Model m = AdditiveModel();
  auto p = Predictor::Create(m);
  ASSERT_TRUE(p.ok());
  PartialDependenceOptions o;
  o.max_rows = 2;
  auto pd = ComputePartialDependence(m, **p, Rows(), 0, o);
  ASSERT_TRUE(pd.ok());
  EXPECT_EQ(pd->rows, 2u);
  EXPECT_EQ(ComputePartialDependence(m, **p, Rows(), 2).status().code(),
            StatusCode::kInvalidArgument);
  FeatureMatrix empty;
  empty.cols = 2;
  EXPECT_EQ(ComputePartialDependence(m, **p, empty, 0).status().code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace keel
