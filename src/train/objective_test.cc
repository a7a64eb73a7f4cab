// The regression losses added for counts, costs and quantiles: gradients against the losses
// they differentiate, starting margins, label checks and the metrics that report them.
#include "train/objective.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "train/metrics.h"

namespace keel {
namespace {

// The loss of one row (label y, margin m) whose gradient each objective computes, written
// from the definitions: Poisson and gamma negative log-likelihoods up to terms free of m,
// Tweedie's, and the pinball loss.
double Loss(const ObjectiveConfig& c, double y, double m) {
  const double rho = c.tweedie_variance_power;
  switch (c.objective) {
    case Objective::kPoisson:
      return std::exp(m) - y * m;
    case Objective::kGamma:
      return y * std::exp(-m) + m;
    case Objective::kTweedie:
      return -y * std::exp((1 - rho) * m) / (1 - rho) + std::exp((2 - rho) * m) / (2 - rho);
    case Objective::kQuantile:
      return y >= m ? c.quantile_alpha * (y - m) : (1 - c.quantile_alpha) * (m - y);
    default:
      return 0;
  }
}

GradPair GradientAt(const ObjectiveConfig& c, double y, double m, float w = 1) {
  std::vector<double> label = {y}, margin = {m};
  std::vector<float> weight = {w};
  std::vector<GradPair> g(1);
  EXPECT_TRUE(ComputeGradients(c, label, weight, margin, g, 1).ok());
  return g[0];
}

double Derivative(const std::function<double(double)>& f, double x) {
  const double h = 1e-5;
  return (f(x + h) - f(x - h)) / (2 * h);
}

TEST(Objective, LogLinkGradientsAreTheLossDerivatives) {
  for (Objective o : {Objective::kPoisson, Objective::kGamma, Objective::kTweedie}) {
    for (double rho : {1.2, 1.5, 1.8}) {
      ObjectiveConfig c{o, 1};
      c.tweedie_variance_power = rho;
      for (double y : {0.5, 1.0, 4.0}) {
        for (double m : {-1.0, 0.0, 0.7, 2.0}) {
          const GradPair gp = GradientAt(c, y, m);
          const double g = Derivative([&](double x) { return Loss(c, y, x); }, m);
          const double h = Derivative(
              [&](double x) { return Derivative([&](double z) { return Loss(c, y, z); }, x); }, m);
          const double tol = 1e-4 * std::max(1.0, std::abs(g));
          EXPECT_NEAR(gp.g, g, tol) << ObjectiveName(o) << " y " << y << " m " << m;
          // Poisson's hessian is damped by e^0.7 (max_delta_step), as in LightGBM and XGBoost.
          const double want_h = o == Objective::kPoisson ? h * std::exp(0.7) : h;
          EXPECT_NEAR(gp.h, want_h, 1e-3 * std::max(1.0, want_h))
              << ObjectiveName(o) << " y " << y << " m " << m;
          // A weight scales both.
          const GradPair w = GradientAt(c, y, m, 3);
          EXPECT_NEAR(w.g, 3 * gp.g, 1e-5 * std::max(1.0, std::abs(double{w.g})));
          EXPECT_NEAR(w.h, 3 * gp.h, 1e-5 * std::max(1.0, double{w.h}));
        }
      }
    }
  }
}

TEST(Objective, QuantileGradientIsThePinballSlope) {
  ObjectiveConfig c{Objective::kQuantile, 1};
  c.quantile_alpha = 0.9;
  // Margin above the label: the loss rises with slope 1 - alpha; below: falls with slope alpha.
  EXPECT_FLOAT_EQ(GradientAt(c, 1.0, 2.0).g, 0.1f);
  EXPECT_FLOAT_EQ(GradientAt(c, 3.0, 2.0).g, -0.9f);
  EXPECT_FLOAT_EQ(GradientAt(c, 3.0, 2.0).h, 1.0f);
  EXPECT_FLOAT_EQ(GradientAt(c, 3.0, 2.0, 2).g, -1.8f);
  EXPECT_NEAR(GradientAt(c, 3.0, 2.0).g, Derivative([&](double x) { return Loss(c, 3.0, x); }, 2.0),
              1e-6);
  EXPECT_TRUE(RefitsLeaves(Objective::kQuantile));
  EXPECT_DOUBLE_EQ(RefitQuantile(c), 0.9);
  EXPECT_DOUBLE_EQ(RefitQuantile({Objective::kAbsoluteError, 1}), 0.5);
}

TEST(Objective, WeightedQuantileCountsWeightFromBelow) {
  std::vector<std::pair<double, double>> v;
  for (int i = 10; i >= 1; --i) v.emplace_back(i, 1.0);
  EXPECT_DOUBLE_EQ(WeightedQuantile(v, 0.85), 9);   // 9 of 10 reach 0.85
  EXPECT_DOUBLE_EQ(WeightedQuantile(v, 0.9), 9.5);  // exactly 0.9 at 9: midpoint with 10
  EXPECT_DOUBLE_EQ(WeightedQuantile(v, 0.95), 10);
  EXPECT_DOUBLE_EQ(WeightedQuantile(v, 0.5), WeightedMedian(v));
  // A heavy top value pulls the quantile up.
  v[0].second = 10;  // value 10 weighs 10 of 19
  EXPECT_DOUBLE_EQ(WeightedQuantile(v, 0.5), 10);
  EXPECT_TRUE(std::isnan(WeightedQuantile({}, 0.9)));
}

TEST(Objective, BaseMarginsStartWhereLightGbmStarts) {
  const std::vector<double> y = {0, 1, 2, 5};
  const std::vector<float> w = {1, 1, 2, 0.5};
  const double mean = (0 + 1 + 4 + 2.5) / 4.5;
  for (Objective o : {Objective::kPoisson, Objective::kTweedie}) {
    EXPECT_DOUBLE_EQ(BaseMargin({o, 1}, y, w)[0], std::log(mean)) << ObjectiveName(o);
  }
  const std::vector<double> pos = {0.5, 1, 2, 5};
  EXPECT_DOUBLE_EQ(BaseMargin({Objective::kGamma, 1}, pos, {})[0], std::log(8.5 / 4));
  ObjectiveConfig q{Objective::kQuantile, 1};
  q.quantile_alpha = 0.8;
  // Weights 1, 1, 2, 0.5 (total 4.5): 0.8 * 4.5 = 3.6 is first reached at y = 2.
  EXPECT_DOUBLE_EQ(BaseMargin(q, y, w)[0], 2);
}

TEST(Objective, CheckLabelsNamesTheFirstBadRow) {
  const std::vector<double> counts = {0, 3, -1, 2};
  auto bad = CheckLabels(Objective::kPoisson, counts);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->row, 2u);
  EXPECT_NE(bad->reason.find(">= 0"), std::string::npos) << bad->reason;
  EXPECT_TRUE(CheckLabels(Objective::kTweedie, counts).has_value());
  EXPECT_FALSE(CheckLabels(Objective::kSquaredError, counts).has_value());
  EXPECT_FALSE(CheckLabels(Objective::kQuantile, counts).has_value());

  const std::vector<double> costs = {2.5, 0, 1};
  bad = CheckLabels(Objective::kGamma, costs);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->row, 1u);
  EXPECT_NE(bad->reason.find("> 0"), std::string::npos) << bad->reason;
  EXPECT_FALSE(CheckLabels(Objective::kPoisson, costs).has_value());

  // All zeros: no finite log of the mean.
  bad = CheckLabels(Objective::kPoisson, std::vector<double>{0, 0, 0});
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->row, 3u);
}

// Reference values from scikit-learn 1.2 (mean_poisson_deviance, mean_gamma_deviance,
// mean_tweedie_deviance, mean_pinball_loss) on the same inputs.
TEST(Objective, DeviancesMatchScikitLearn) {
  const std::vector<double> y = {0, 1, 3, 7.5};
  const std::vector<double> mu = {0.5, 2, 2.5, 6};
  EXPECT_NEAR(MeanDeviance({Objective::kPoisson, 1}, mu, y), 0.5136970623392458, 1e-14);
  ObjectiveConfig t{Objective::kTweedie, 1};
  t.tweedie_variance_power = 1.5;
  EXPECT_NEAR(MeanDeviance(t, mu, y), 0.8769572820041421, 1e-14);
  t.tweedie_variance_power = 1.2;
  EXPECT_NEAR(MeanDeviance(t, mu, y), 0.577585681587957, 1e-14);
  const std::vector<double> pos = {0.5, 1, 3, 7.5};
  EXPECT_NEAR(MeanDeviance({Objective::kGamma, 1}, mu, pos), 0.11884103622589048, 1e-14);
  EXPECT_TRUE(std::isnan(MeanDeviance({Objective::kGamma, 1}, mu, y)));  // y = 0
  EXPECT_NEAR(PinballLoss(0.9, mu, y), 0.48750000000000004, 1e-15);
  EXPECT_DOUBLE_EQ(Coverage(mu, y), 0.5);  // 0 <= 0.5, 1 <= 2
}

TEST(Objective, QuantileSplitMetricsAddPinballLossAndCoverage) {
  ObjectiveConfig q{Objective::kQuantile, 1};
  q.quantile_alpha = 0.9;
  const std::vector<double> margins = {0.5, 2, 2.5, 6};
  const std::vector<double> y = {0, 1, 3, 7.5};
  const auto m = SplitMetrics(q, margins, y);
  ASSERT_EQ(m.size(), 5u);
  EXPECT_EQ(m[3].first, "pinball_loss");
  EXPECT_DOUBLE_EQ(m[3].second, PinballLoss(0.9, margins, y));
  EXPECT_EQ(m[4].first, "coverage");
  EXPECT_DOUBLE_EQ(m[4].second, 0.5);
  EXPECT_DOUBLE_EQ(StoppingLoss(q, margins, y), m[3].second);
  EXPECT_STREQ(StoppingLossName(Objective::kQuantile), "pinball_loss");
}

TEST(Objective, SeveralQuantilesEachFitTheirLevel) {
  auto levels = ParseQuantileLevels("0.9, 0.1,0.5");
  ASSERT_TRUE(levels.ok()) << levels.status().ToString();
  EXPECT_EQ(*levels, (std::vector<double>{0.1, 0.5, 0.9}));
  EXPECT_FALSE(ParseQuantileLevels("0.5").ok());
  EXPECT_FALSE(ParseQuantileLevels("0.1,0.1").ok());
  auto bad = ParseQuantileLevels("0.1,1.5");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'1.5' (item 2)"), std::string::npos);
  ObjectiveConfig c;
  c.objective = Objective::kQuantile;
  c.num_outputs = 2;
  c.quantile_levels = {0.1, 0.9};
  // Row 0: margins 0 and 0 below the label 1: slopes -alpha of each output's level.
  const std::vector<double> labels = {1, -1};
  const std::vector<double> margins = {0, 0, 0, 0};
  std::vector<GradPair> g(4);
  ASSERT_TRUE(ComputeGradients(c, labels, {}, margins, g, 1).ok());
  EXPECT_FLOAT_EQ(g[0].g, -0.1f);
  EXPECT_FLOAT_EQ(g[1].g, -0.9f);
  EXPECT_FLOAT_EQ(g[2].g, 0.9f);  // row 1: margin above the label: 1 - alpha
  EXPECT_FLOAT_EQ(g[3].g, 0.1f);
  EXPECT_DOUBLE_EQ(RefitQuantile(c, 1), 0.9);
  // Each output starts from its level's quantile of the labels.
  const std::vector<double> y = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const auto base = BaseMargin(c, y, {});
  ASSERT_EQ(base.size(), 2u);
  EXPECT_LT(base[0], 2.5);
  EXPECT_GT(base[1], 8.5);
  // The split metrics: the mean pinball loss, then each level's loss and coverage.
  const auto metrics = SplitMetrics(c, std::vector<double>{9, 1, 9, 1}, std::vector<double>{5, 5});
  ASSERT_EQ(metrics.size(), 5u);
  EXPECT_EQ(metrics[0].first, "pinball_loss");
  EXPECT_EQ(metrics[1].first, "pinball_loss_0.1");
  EXPECT_EQ(metrics[4].first, "coverage_0.9");
  EXPECT_DOUBLE_EQ(metrics[4].second, 1.0);  // sorted: 9 is the 0.9 output, above 5
}

}  // namespace
}  // namespace keel
