#include "core/random.h"

#include <gtest/gtest.h>

#include <vector>

namespace keel {
namespace {

TEST(Rng, SameSeedSameSequence) {
  Rng a(7), b(7), c(8);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.Next(), b.Next());
  EXPECT_NE(Rng(7).Next(), c.Next());
}

TEST(Rng, UniformInUnitIntervalWithSaneMean) {
  Rng r(1);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = r.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.01);
}

TEST(Rng, ShuffleIsPermutation) {
  std::vector<int> v(50);
  for (int i = 0; i < 50; ++i) v[i] = i;
  Rng r(3);
  r.Shuffle(v.data(), v.size());
  std::vector<int> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(sorted[i], i);
}

}  // namespace
}  // namespace keel
