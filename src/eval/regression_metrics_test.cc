#include "eval/regression_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eval/eval_test_fixtures.h"

namespace keel {
namespace {

using testing::Doubles;
using testing::LoadEvalFixture;

TEST(RegressionMetrics, HandCase) {
  // Residuals 1, -1, 2 around targets with mean 2: SS_res 6, SS_tot 2.
  const std::vector<double> y = {1, 2, 3};
  const std::vector<double> p = {0, 3, 1};
  EXPECT_DOUBLE_EQ(*Rmse(y, p), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(*Mae(y, p), 4.0 / 3);
  EXPECT_DOUBLE_EQ(*R2(y, p), 1 - 6.0 / 2);
}

TEST(R2, ConstantTargetsGiveOneOrZeroNeverInfinity) {
  const std::vector<double> y = {4, 4, 4};
  EXPECT_EQ(*R2(y, y), 1.0);
  EXPECT_EQ(*R2(y, std::vector<double>{4, 4, 5}), 0.0);
}

TEST(RegressionMetrics, RejectBadInput) {
  auto r = Rmse(std::vector<double>{1, 2}, std::vector<double>{1, INFINITY});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("row 1"), std::string::npos);
  EXPECT_FALSE(Mae(std::vector<double>{1}, std::vector<double>{1, 2}).ok());
  EXPECT_FALSE(R2(std::vector<double>{1, 2}, std::vector<double>{1, 2}, std::vector<double>{1, -2}).ok());
}

TEST(RegressionFixture, MatchesScikitLearn) {
  const auto f = LoadEvalFixture("regression.json");
  const auto y = Doubles(f["targets"]);
  const auto p = Doubles(f["predictions"]);
  const auto weights = Doubles(f["weights"]);
  for (const char* variant : {"unweighted", "weighted"}) {
    SCOPED_TRACE(variant);
    const auto& e = f[variant];
    const std::span<const double> w = std::string(variant) == "weighted"
                                          ? std::span<const double>(weights)
                                          : std::span<const double>();
    EXPECT_NEAR(*Rmse(y, p, w), e["rmse"].get<double>(), 1e-12);
    EXPECT_NEAR(*Mae(y, p, w), e["mae"].get<double>(), 1e-12);
    EXPECT_NEAR(*R2(y, p, w), e["r2"].get<double>(), 1e-12);
  }
}

}  // namespace
}  // namespace keel
