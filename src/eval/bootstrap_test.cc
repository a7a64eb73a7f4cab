#include "eval/bootstrap.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <memory>
#include <numeric>
#include <vector>

#include "core/context.h"
#include "core/random.h"
#include "eval/binary_metrics.h"

namespace keel {
namespace {

// The weighted mean of `values`: a statistic whose bootstrap standard error is known.
ResampleFn MeanOf(const std::vector<double>& values) {
  return [&values](size_t, std::span<const double> w, std::span<double> out) {
    double sw = 0, s = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      sw += w[i];
      s += w[i] * values[i];
    }
    out[0] = s / sw;
  };
}

Context Threads(int n) {
  return Context().WithThreads(n);
}

std::vector<double> Normals(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> v(n);
  for (auto& x : v) {
    // Box-Muller.
    const double u1 = 1.0 - rng.Uniform(), u2 = rng.Uniform();
    x = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  }
  return v;
}

TEST(RunBootstrap, SameSeedSameReplicatesWhateverTheThreadCount) {
  const auto values = Normals(500, 1);
  BootstrapOptions o;
  o.resamples = 64;
  o.seed = 9;
  auto one = RunBootstrap(values.size(), {}, 1, MeanOf(values), o, Threads(1));
  auto two = RunBootstrap(values.size(), {}, 1, MeanOf(values), o, Threads(2));
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_EQ(one->values, two->values);
  o.seed = 10;
  auto other = RunBootstrap(values.size(), {}, 1, MeanOf(values), o, Threads(2));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(one->values, other->values);
}

TEST(RunBootstrap, WeightsAreMultiplicitiesOfNDraws) {
  const size_t n = 37;
  const std::vector<double> base(n, 2.5);
  BootstrapOptions o;
  o.resamples = 20;
  auto rep = RunBootstrap(
      n, base, 2,
      [&](size_t, std::span<const double> w, std::span<double> out) {
        double sum = 0, non_integer = 0;
        for (double x : w) {
          sum += x;
          non_integer += std::abs(x / 2.5 - std::round(x / 2.5));
        }
        out[0] = sum;
        out[1] = non_integer;
      },
      o, Threads(2));
  ASSERT_TRUE(rep.ok());
  for (size_t b = 0; b < rep->resamples; ++b) {
    EXPECT_DOUBLE_EQ(rep->values[b * 2], 2.5 * n);
    EXPECT_EQ(rep->values[b * 2 + 1], 0);
  }
}

TEST(RunBootstrap, ReplicateEqualsMetricOnMaterialisedResample) {
  // Rebuild resample b's rows from the documented generator (Rng(seed).Fork(b), n draws of
  // Below(n)) and evaluate the AUC on the copied rows: the weighted form must agree.
  Rng rng(5);
  const size_t n = 300;
  std::vector<int32_t> labels(n);
  std::vector<double> scores(n);
  for (size_t i = 0; i < n; ++i) {
    labels[i] = rng.Uniform() < 0.35;
    scores[i] = std::round((rng.Uniform() + 0.3 * labels[i]) * 30) / 30;
  }
  BootstrapOptions o;
  o.resamples = 5;
  o.seed = 77;
  auto rep = RunBootstrap(
      n, {}, 1,
      [&](size_t, std::span<const double> w, std::span<double> out) {
        out[0] = *RocAuc(labels, scores, w);
      },
      o, Threads(1));
  ASSERT_TRUE(rep.ok());
  for (size_t b = 0; b < rep->resamples; ++b) {
    Rng draw = Rng(o.seed).Fork(b);
    std::vector<int32_t> l;
    std::vector<double> s;
    for (size_t j = 0; j < n; ++j) {
      const size_t i = draw.Below(n);
      l.push_back(labels[i]);
      s.push_back(scores[i]);
    }
    EXPECT_NEAR(rep->values[b], *RocAuc(l, s), 1e-12) << "resample " << b;
  }
}

TEST(RunBootstrap, IntervalOfMeanMatchesNormalTheory) {
  // For the mean of n standard normals the 95% interval is about +-1.96 / sqrt(n).
  const size_t n = 2000;
  const auto values = Normals(n, 2);
  BootstrapOptions o;
  o.resamples = 1000;
  auto rep = RunBootstrap(n, {}, 1, MeanOf(values), o, Threads(2));
  ASSERT_TRUE(rep.ok());
  const Interval ci = PercentileInterval(rep->Of(0), 0.95);
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double var = 0;
  for (double x : values) var += (x - mean) * (x - mean);
  const double se = std::sqrt(var / (n - 1) / n);
  EXPECT_EQ(ci.used, 1000u);
  EXPECT_NEAR(ci.upper - ci.lower, 2 * 1.96 * se, 0.15 * 2 * 1.96 * se);
  EXPECT_NEAR((ci.upper + ci.lower) / 2, mean, 0.3 * se);
}

TEST(RunBootstrap, ZeroResamplesAndBadOptions) {
  BootstrapOptions o;
  o.resamples = 0;
  auto rep = RunBootstrap(
      10, {}, 1, [](size_t, std::span<const double>, std::span<double>) {}, o, Threads(1));
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->resamples, 0u);
  o.resamples = -1;
  EXPECT_FALSE(CheckBootstrapOptions(o).ok());
  o.resamples = 10;
  o.confidence = 1.0;
  EXPECT_FALSE(CheckBootstrapOptions(o).ok());
  o.confidence = 0.9;
  EXPECT_FALSE(RunBootstrap(
                   10, std::vector<double>(3, 1.0), 1,
                   [](size_t, std::span<const double>, std::span<double>) {}, o, Threads(1))
                   .ok());
}

TEST(RunBootstrap, StopsWhenTheContextIsCancelled) {
  // The statistic raises the flag during resample 3: the workers stop before their next
  // resample and no replicates come back.
  Context ctx = Threads(2);
  ctx.cancel = std::make_shared<CancelFlag>();
  std::atomic<int> calls{0};
  BootstrapOptions o;
  o.resamples = 1000;
  auto rep = RunBootstrap(
      50, {}, 1,
      [&](size_t, std::span<const double>, std::span<double> out) {
        if (++calls == 3) ctx.cancel->Cancel();
        out[0] = 0;
      },
      o, ctx);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.status().code(), StatusCode::kCancelled) << rep.status().ToString();
  EXPECT_LT(calls.load(), 100);
}

TEST(PercentileInterval, LinearInterpolationLikeNumpyAndSkipsNaN) {
  const std::vector<double> v = {5, 1, NAN, 3, 2, 4};
  const Interval half = PercentileInterval(v, 0.5);  // quantiles 0.25 and 0.75 of 1..5
  EXPECT_DOUBLE_EQ(half.lower, 2);
  EXPECT_DOUBLE_EQ(half.upper, 4);
  EXPECT_EQ(half.used, 5u);
  const Interval ninety = PercentileInterval(v, 0.9);  // positions 0.2 and 3.8
  EXPECT_DOUBLE_EQ(ninety.lower, 1.2);
  EXPECT_DOUBLE_EQ(ninety.upper, 4.8);
  EXPECT_TRUE(std::isnan(PercentileInterval(std::vector<double>{NAN}, 0.9).lower));
}

TEST(BootstrapPValue, TwoSidedWithPlusOneCorrection) {
  EXPECT_DOUBLE_EQ(BootstrapPValue(std::vector<double>(99, 0.5)), 2.0 / 100);
  std::vector<double> half(100);
  for (int i = 0; i < 100; ++i) half[i] = i < 50 ? -1 : 1;
  EXPECT_DOUBLE_EQ(BootstrapPValue(half), 1.0);
  std::vector<double> some(199, 1.0);
  for (int i = 0; i < 4; ++i) some[i] = -1;  // 4 of 199 below zero
  EXPECT_DOUBLE_EQ(BootstrapPValue(some), 2.0 * 5 / 200);
  EXPECT_TRUE(std::isnan(BootstrapPValue(std::vector<double>{NAN})));
}

}  // namespace
}  // namespace keel
