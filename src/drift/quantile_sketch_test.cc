#include "drift/quantile_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/random.h"

namespace keel::drift {
namespace {

// Worst |estimated rank - true rank| / n over the 99 percentiles' values.
double MaxRankError(const QuantileSketch& s, std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const double n = static_cast<double>(values.size());
  double worst = 0;
  for (int q = 1; q < 100; ++q) {
    const double x = values[static_cast<size_t>(q * values.size() / 100)];
    const double true_rank =
        static_cast<double>(std::upper_bound(values.begin(), values.end(), x) - values.begin()) / n;
    worst = std::max(worst, std::fabs(s.Rank(x) - true_rank));
  }
  return worst;
}

std::vector<double> Data(int shape, size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) {
    const double u = rng.Uniform();
    switch (shape) {
      case 0: v[i] = u; break;                                       // uniform
      case 1: v[i] = -std::log(1 - u); break;                        // exponential
      case 2: v[i] = std::pow(1 - u, -1.5); break;                   // heavy tail (Pareto)
      case 3: v[i] = static_cast<double>(i); break;                  // sorted input
      default: v[i] = static_cast<double>(static_cast<int>(u * 50)); // many ties
    }
  }
  return v;
}

TEST(QuantileSketch, ExactBeforeTheFirstCompaction) {
  QuantileSketch s(200);
  for (int i = 0; i < 50; ++i) s.Add(i);
  EXPECT_TRUE(s.is_exact());
  EXPECT_DOUBLE_EQ(s.Rank(24), 25.0 / 50.0);
  EXPECT_EQ(s.Quantile(0.5), 24);
}

TEST(QuantileSketch, RankErrorStaysWithinTheDocumentedBound) {
  for (uint32_t k : {100u, 200u, 400u}) {
    double worst = 0;
    for (int shape = 0; shape < 5; ++shape) {
      for (uint64_t seed = 1; seed <= 4; ++seed) {
        auto values = Data(shape, 200000, seed * 31 + shape);
        QuantileSketch s(k);
        for (double v : values) s.Add(v);
        EXPECT_EQ(s.count(), values.size());
        worst = std::max(worst, MaxRankError(s, values));
      }
    }
    EXPECT_LE(worst, QuantileSketch::RankErrorBound(k)) << "k=" << k;
  }
}

TEST(QuantileSketch, MemoryStaysBoundedWhileCountGrows) {
  QuantileSketch s(200);
  for (int i = 0; i < 1000000; ++i) s.Add(i * 0.5);
  EXPECT_LT(s.num_retained(), 3u * 200 + 64 * 8);
  EXPECT_EQ(s.min(), 0);
  EXPECT_EQ(s.max(), 499999.5);
}

TEST(QuantileSketch, MergedHalvesStayWithinTheBoundOfTheWhole) {
  auto values = Data(1, 300000, 9);
  QuantileSketch a(200), b(200), whole(200);
  for (size_t i = 0; i < values.size(); ++i) {
    (i < values.size() / 2 ? a : b).Add(values[i]);
    whole.Add(values[i]);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), whole.count());
  EXPECT_EQ(a.min(), whole.min());
  EXPECT_EQ(a.max(), whole.max());
  EXPECT_LE(MaxRankError(a, values), QuantileSketch::RankErrorBound(200));
  // The two sketches of the same data agree within twice the bound.
  for (double q : {0.1, 0.25, 0.5, 0.75, 0.9}) {
    const double x = whole.Quantile(q);
    EXPECT_NEAR(a.Rank(x), whole.Rank(x), 2 * QuantileSketch::RankErrorBound(200));
  }
}

TEST(QuantileSketch, IgnoresNonFiniteValues) {
  QuantileSketch s;
  s.Add(std::nan(""));
  s.Add(INFINITY);
  s.Add(1.0);
  EXPECT_EQ(s.count(), 1u);
}

TEST(QuantileSketch, JsonRoundTripKeepsEveryItem) {
  QuantileSketch s(50);
  for (int i = 0; i < 10000; ++i) s.Add(std::sin(i) * 100);
  auto back = QuantileSketch::FromJson(s.ToJson(), "test");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->count(), s.count());
  EXPECT_EQ(back->num_retained(), s.num_retained());
  for (double x : {-50.0, 0.0, 33.0}) EXPECT_DOUBLE_EQ(back->Rank(x), s.Rank(x));
}

TEST(QuantileSketch, RejectsCorruptJson) {
  QuantileSketch s(50);
  for (int i = 0; i < 1000; ++i) s.Add(i);
  auto j = s.ToJson();
  j["n"] = 999;  // weights no longer add up
  EXPECT_FALSE(QuantileSketch::FromJson(j, "t").ok());
  EXPECT_FALSE(QuantileSketch::FromJson(nlohmann::json::array(), "t").ok());
  auto j2 = s.ToJson();
  j2["levels"][0].push_back("x");
  EXPECT_FALSE(QuantileSketch::FromJson(j2, "t").ok());
  auto j3 = s.ToJson();
  j3["k"] = 0;
  EXPECT_FALSE(QuantileSketch::FromJson(j3, "t").ok());
}

}  // namespace
}  // namespace keel::drift
