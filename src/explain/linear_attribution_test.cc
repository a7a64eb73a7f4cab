#include "explain/linear_attribution.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/random.h"
#include "predict/reference_evaluator.h"

namespace keel {
namespace {

// age: numeric (center 40, scale 10) with a missing indicator; plan: one-hot basic/gold plus
// "other" and a missing indicator. Indicator centers are the training shares.
Model LinearModelFixture(int outputs) {
  Model m;
  m.kind = Model::Kind::kLinear;
  m.num_outputs = outputs;
  m.task = outputs > 1 ? Task::kMulticlass : Task::kBinary;
  m.objective = outputs > 1 ? Objective::kMultiSoftmax : Objective::kBinaryLogistic;
  m.base_margin.assign(static_cast<size_t>(outputs), 0.25);
  m.features = {
      {"age", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric},
      {"plan", FeatureSpec::Kind::kCategorical, {"basic", "gold", "pro"}, ColumnKind::kCategorical},
      {"unused", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric}};
  using K = LinearTerm::Kind;
  m.linear.terms = {{0, K::kNumeric, -1, 40, 10},        {0, K::kMissingIndicator, -1, 0.1, 1},
                    {1, K::kCategory, 0, 0.5, 1},        {1, K::kCategory, 1, 0.3, 1},
                    {1, K::kOtherCategory, -1, 0.15, 1}, {1, K::kMissingIndicator, -1, 0.05, 1},
                    {2, K::kNumeric, -1, 0, 1}};
  Rng rng(7);
  for (size_t t = 0; t < m.linear.terms.size(); ++t) {
    for (int k = 0; k < outputs; ++k) {
      m.linear.weights.push_back(t == 6 ? 0.0 : rng.Uniform() * 2 - 1);
    }
  }
  return m;
}

std::vector<double> Explain(const Explainer& e, const float* row) {
  std::vector<double> out(e.row_width());
  ExplainScratch s = e.NewScratch();
  e.ExplainRows(row, 1, static_cast<size_t>(e.num_features()), out.data(), &s);
  return out;
}

TEST(LinearAttribution, HandComputedAgainstTheTrainingMean) {
  const Model m = LinearModelFixture(1);
  auto e = CreateLinearAttribution(m);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  const auto& w = m.linear.weights;
  // Bias: the score of the mean row (numeric at center; indicators at their shares).
  const double bias = 0.25 + w[1] * 0.1 + w[2] * 0.5 + w[3] * 0.3 + w[4] * 0.15 + w[5] * 0.05;
  EXPECT_NEAR((*e)->expected_value()[0], bias, 1e-15);

  const float row[] = {55.0f, 1.0f, 3.0f};  // age 55, plan gold
  const auto a = Explain(**e, row);
  EXPECT_NEAR(a[0], w[0] * 1.5 + w[1] * (0 - 0.1), 1e-15);
  EXPECT_NEAR(a[1], w[2] * (0 - 0.5) + w[3] * (1 - 0.3) + w[4] * (0 - 0.15) + w[5] * (0 - 0.05),
              1e-15);
  EXPECT_EQ(a[2], 0.0);  // zero weight
  EXPECT_NEAR(a[3], bias, 1e-15);

  const float missing[] = {NAN, 2.0f, 0.0f};  // age missing (reads as center), plan pro = other
  const auto b = Explain(**e, missing);
  EXPECT_NEAR(b[0], w[1] * (1 - 0.1), 1e-15);
  EXPECT_NEAR(b[1], w[2] * -0.5 + w[3] * -0.3 + w[4] * (1 - 0.15) + w[5] * -0.05, 1e-15);
}

TEST(LinearAttribution, SumsToTheRawMarginForEveryOutput) {
  for (int outputs : {1, 3}) {
    const Model m = LinearModelFixture(outputs);
    auto e = CreateLinearAttribution(m);
    ASSERT_TRUE(e.ok());
    Rng rng(11);
    static constexpr float kAges[] = {NAN, 0, 18.5f, 40, 99};
    static constexpr float kPlans[] = {NAN, 0, 1, 2, 5, -1, 1.5f};
    for (int i = 0; i < 200; ++i) {
      const float row[] = {kAges[rng.Below(5)], kPlans[rng.Below(7)],
                           static_cast<float>(rng.Uniform())};
      const auto a = Explain(**e, row);
      std::vector<double> margins(static_cast<size_t>(outputs));
      ReferenceRawMargins(m, row, margins.data());
      for (int k = 0; k < outputs; ++k) {
        double sum = 0;
        for (int f = 0; f <= 3; ++f) sum += a[static_cast<size_t>(k * 4 + f)];
        ASSERT_NEAR(sum, margins[static_cast<size_t>(k)], 1e-12) << "row " << i;
      }
    }
  }
}

TEST(LinearAttribution, UsedFeaturesHaveNonZeroWeights) {
  auto e = CreateLinearAttribution(LinearModelFixture(2));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->used_features(), (std::vector<uint8_t>{1, 1, 0}));
}

TEST(LinearAttribution, RejectsForestsAndMismatchedWeights) {
  Model forest;
  EXPECT_EQ(CreateLinearAttribution(forest).status().code(), StatusCode::kInvalidArgument);
  Model m = LinearModelFixture(1);
  m.linear.weights.pop_back();
  EXPECT_EQ(CreateLinearAttribution(m).status().code(), StatusCode::kInvalidArgument);
  m = LinearModelFixture(1);
  m.linear.terms[0].feature = 9;
  EXPECT_EQ(CreateLinearAttribution(m).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace keel
