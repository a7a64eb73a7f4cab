#include "drift/sequence_set.h"

#include <gtest/gtest.h>

#include <set>

#include "core/random.h"

namespace keel::drift {
namespace {

TEST(SequenceSet, RangesMergeWhenTheyOverlapOrTouch) {
  SequenceSet s;
  EXPECT_EQ(s.InsertRange(5, 9), 5u);
  EXPECT_EQ(s.InsertRange(12, 14), 3u);
  EXPECT_EQ(s.Insert(10), 1u);  // touches 5..9
  EXPECT_EQ(s.ranges().size(), 2u);
  EXPECT_EQ(s.InsertRange(3, 13), 3u);  // 3, 4 and 11 are new
  ASSERT_EQ(s.ranges().size(), 1u);
  EXPECT_EQ(s.min(), 3u);
  EXPECT_EQ(s.max(), 14u);
  EXPECT_EQ(s.size(), 12u);
  EXPECT_EQ(s.FirstMissing(1), 1u);
  EXPECT_EQ(s.FirstMissing(3), 15u);
}

TEST(SequenceSet, AgreesWithAPlainSetOnRandomRanges) {
  Rng rng(11);
  SequenceSet s;
  std::set<uint64_t> plain;
  for (int round = 0; round < 2000; ++round) {
    const uint64_t lo = 1 + static_cast<uint64_t>(rng.Uniform() * 500);
    const uint64_t hi = lo + static_cast<uint64_t>(rng.Uniform() * 6);
    uint64_t fresh = 0;
    for (uint64_t x = lo; x <= hi; ++x) fresh += plain.insert(x).second ? 1 : 0;
    ASSERT_EQ(s.InsertRange(lo, hi), fresh) << lo << ".." << hi;
    SequenceSet probe;
    probe.InsertRange(lo + 1, hi + 3);
    bool all = true, any = false;
    for (uint64_t x = lo + 1; x <= hi + 3; ++x) {
      all &= plain.count(x) != 0;
      any |= plain.count(x) != 0;
    }
    ASSERT_EQ(s.ContainsAll(probe), all);
    ASSERT_EQ(s.Intersects(probe), any);
    uint64_t missing = 1;
    while (plain.count(missing) != 0) ++missing;
    ASSERT_EQ(s.FirstMissing(1), missing);
  }
  EXPECT_EQ(s.size(), plain.size());
  for (uint64_t x = 0; x < 520; ++x) EXPECT_EQ(s.Contains(x), plain.count(x) != 0) << x;
  // Disjoint and not touching.
  const std::pair<const uint64_t, uint64_t>* last = nullptr;
  for (const auto& r : s.ranges()) {
    EXPECT_LE(r.first, r.second);
    if (last != nullptr) EXPECT_GT(r.first, last->second + 1);
    last = &r;
  }
}

TEST(SequenceSet, JsonRoundTripAndBadInput) {
  SequenceSet s;
  s.InsertRange(1, 3);
  s.Insert(7);
  EXPECT_EQ(s.ToJson().dump(), "[[1,3],[7,7]]");
  auto back = SequenceSet::FromJson(s.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, s);
  EXPECT_FALSE(SequenceSet::FromJson(nlohmann::json::parse("[[3,1]]")).ok());
  EXPECT_FALSE(SequenceSet::FromJson(nlohmann::json::parse("[[1]]")).ok());
  EXPECT_FALSE(SequenceSet::FromJson(nlohmann::json::parse("{}")).ok());
  EXPECT_FALSE(SequenceSet::FromJson(nlohmann::json::parse("[[-1,2]]")).ok());
}

}  // namespace
}  // namespace keel::drift
