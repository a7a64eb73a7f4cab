#include "data/distinct_count.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <random>
#include <unordered_set>
#include <vector>

namespace keel {
namespace {

// Without a bound on the keys (partitions sized by a counting pass) and with one (partitions
// of a fixed room, and the counting pass only when one overflows): both must be exact.
uint64_t Count(const std::vector<uint64_t>& keys) {
  const auto each = [&](auto&& add) {
    for (uint64_t k : keys) {
      if (!add(k)) return;
    }
  };
  const uint64_t unbounded = CountDistinctKeys(each);
  EXPECT_EQ(CountDistinctKeys(each, keys.size()), unbounded) << keys.size() << " keys";
  return unbounded;
}

uint64_t Reference(const std::vector<uint64_t>& keys) {
  return std::unordered_set<uint64_t>(keys.begin(), keys.end()).size();
}

// Keys drawn from `distinct` values, each repeated: below, at and above the small set's limit,
// where the count switches to partitions.
TEST(DistinctCount, EqualsASetAtEverySize) {
  std::mt19937_64 rng(7);
  for (size_t distinct :
       {size_t{0}, size_t{1}, size_t{2}, size_t{1000}, distinct_internal::kSmallSetLimit,
        distinct_internal::kSmallSetLimit + 1, size_t{100000}, size_t{1000000}}) {
    std::vector<uint64_t> values(distinct);
    for (uint64_t& v : values) v = rng();
    std::vector<uint64_t> keys;
    for (int round = 0; round < 2; ++round) keys.insert(keys.end(), values.begin(), values.end());
    std::shuffle(keys.begin(), keys.end(), rng);
    EXPECT_EQ(Count(keys), Reference(keys)) << distinct;
  }
}

// The key 0 (whose mix is the empty-slot mark) counts once, on either path; keys that differ
// only in their top bits (doubles of small integers) are told apart.
TEST(DistinctCount, ZeroAndKeysThatDifferInTopBits) {
  for (size_t n : {size_t{10}, size_t{200000}}) {
    std::vector<uint64_t> keys = {0, 0};
    for (size_t i = 0; i < n; ++i) keys.push_back(uint64_t{i} << 40);  // i = 0 is 0 again
    EXPECT_EQ(Count(keys), n) << n;
    keys.erase(keys.begin(), keys.begin() + 3);  // no 0 left
    EXPECT_EQ(Count(keys), n - 1) << n;
  }
}

// Doubles as ComputeColumnStats passes them: a million distinct values and a column of few.
TEST(DistinctCount, DoublesBits) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<uint64_t> many, few;
  for (int i = 0; i < 1000000; ++i) {
    many.push_back(std::bit_cast<uint64_t>(u(rng)));
    few.push_back(std::bit_cast<uint64_t>(static_cast<double>(i % 37)));
  }
  EXPECT_EQ(Count(many), Reference(many));
  EXPECT_EQ(Count(few), 37u);
}

// A key repeated half the time fills its partition far past a fixed room: the bounded count
// must notice and size the partitions instead (Count compares it with the unbounded one).
TEST(DistinctCount, ASkewedColumnOverflowsTheFixedRoom) {
  std::mt19937_64 rng(11);
  std::vector<uint64_t> keys;
  for (int i = 0; i < 100000; ++i) {
    keys.push_back(rng());
    keys.push_back(12345);
  }
  std::shuffle(keys.begin(), keys.end(), rng);
  EXPECT_EQ(Count(keys), Reference(keys));
}

// Many distinct keys with a bound: the first call stops once the small set overflows, so the
// keys are visited once in full (the partitions) plus a prefix, not twice or three times.
TEST(DistinctCount, ManyKeysAreVisitedOnceAndAPrefix) {
  std::mt19937_64 rng(13);
  std::vector<uint64_t> keys(500000);
  for (uint64_t& k : keys) k = rng();
  size_t visits = 0;
  const uint64_t n = CountDistinctKeys(
      [&](auto&& add) {
        for (uint64_t k : keys) {
          ++visits;
          if (!add(k)) return;
        }
      },
      keys.size());
  EXPECT_EQ(n, Reference(keys));
  EXPECT_LE(visits, keys.size() + distinct_internal::kSmallSetLimit + 1);
}

}  // namespace
}  // namespace keel
