#include "data/column_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace keel {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(ColumnStats, NumericCountsDistinctValuesSortedOrNot) {
  // Sorted (one streaming pass) and shuffled (hash set) give the same counts; -0.0 is 0.0.
  for (const std::vector<double>& values :
       {std::vector<double>{-0.0, 0.0, 1.5, 1.5, kNaN, 3}, {3, 1.5, kNaN, 0.0, 1.5, -0.0}}) {
    const ColumnStats s = ComputeColumnStats(Column::Numeric("x", values), true);
    EXPECT_EQ(s.count, 5u);
    EXPECT_EQ(s.missing, 1u);
    EXPECT_DOUBLE_EQ(s.missing_rate, 1.0 / 6);
    EXPECT_EQ(s.distinct, 3u);
    EXPECT_EQ(*s.min, 0.0);
    EXPECT_EQ(*s.max, 3.0);
    EXPECT_DOUBLE_EQ(*s.mean, 6.0 / 5);
    EXPECT_TRUE(s.inferred);
  }
  // Many distinct values grow the counter's table past its first size.
  std::vector<double> many;
  for (int i = 0; i < 5000; ++i) many.push_back((i * 7919) % 5000);
  EXPECT_EQ(ComputeColumnStats(Column::Numeric("x", many), false).distinct, 5000u);
}

TEST(ColumnStats, EveryKind) {
  const ColumnStats b = ComputeColumnStats(Column::Boolean("b", {1, 1, kMissingBool, 0}), true);
  EXPECT_EQ(b.count, 3u);
  EXPECT_EQ(b.distinct, 2u);
  EXPECT_DOUBLE_EQ(*b.mean, 2.0 / 3);
  const ColumnStats t = ComputeColumnStats(
      Column::Timestamp("t", {3'000'000, kMissingTime, 1'000'000, 3'000'000}), true);
  EXPECT_EQ(t.distinct, 2u);
  EXPECT_EQ(*t.min, 1.0);
  EXPECT_EQ(*t.max, 3.0);
  const ColumnStats c = ComputeColumnStats(
      Column::Categorical("c", {0, 1, 1, kMissingCode, 1}, {"a", "b", "unused"}), true);
  EXPECT_EQ(c.count, 4u);
  EXPECT_EQ(c.distinct, 2u);
  ASSERT_EQ(c.top_values.size(), 2u);
  EXPECT_EQ(c.top_values[0], (std::pair<std::string, uint64_t>{"b", 3}));
  EXPECT_FALSE(c.min.has_value());
  const ColumnStats s =
      ComputeColumnStats(Column::String("s", {"x", "y", "", "x"}, {0, 0, 1, 0}), true);
  EXPECT_EQ(s.count, 3u);
  EXPECT_EQ(s.missing, 1u);
  EXPECT_EQ(s.distinct, 2u);
}

}  // namespace
}  // namespace keel
