#include "drift/frequent_items.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/random.h"

namespace keel::drift {
namespace {

TEST(FrequentItems, ExactWhileDistinctItemsFitTheCapacity) {
  FrequentItems f(10);
  for (int i = 0; i < 100; ++i) f.Add("item" + std::to_string(i % 7), 1);
  EXPECT_EQ(f.max_error(), 0u);
  auto items = f.Items();
  ASSERT_EQ(items.size(), 7u);
  EXPECT_EQ(items[0].second, 15u);  // items 0 and 1 occur 15 times
  EXPECT_EQ(f.total(), 100u);
}

TEST(FrequentItems, CountsStayWithinTheMisraGriesBound) {
  Rng rng(3);
  FrequentItems f(50);
  std::map<std::string, uint64_t> truth;
  for (int i = 0; i < 200000; ++i) {
    // Zipf-like: item j with probability ~ 1/(j+1).
    const auto j = static_cast<int>(std::exp(rng.Uniform() * std::log(5000.0))) - 1;
    const std::string key = "k" + std::to_string(j);
    f.Add(key);
    ++truth[key];
  }
  uint64_t stored = 0;
  for (const auto& [k, c] : f.Items()) {
    stored += c;
    EXPECT_LE(c, truth[k]);
    EXPECT_LE(truth[k], c + f.max_error()) << k;
  }
  EXPECT_LE(f.max_error(), (f.total() - stored) / 51 + 1);
  // Every item more frequent than the error bound is stored.
  for (const auto& [k, c] : truth) {
    if (c > f.max_error()) {
      bool found = false;
      for (const auto& [k2, c2] : f.Items()) found |= k2 == k;
      EXPECT_TRUE(found) << k << " occurs " << c;
    }
  }
}

TEST(FrequentItems, MergeOfHalvesEqualsWholeWhenExact) {
  FrequentItems a(100), b(100), whole(100);
  for (int i = 0; i < 1000; ++i) {
    const std::string k = "c" + std::to_string((i * 7) % 40);
    (i % 2 ? a : b).Add(k);
    whole.Add(k);
  }
  a.Merge(b);
  EXPECT_EQ(a.Items(), whole.Items());
  EXPECT_EQ(a.total(), whole.total());
}

TEST(FrequentItems, JsonRoundTripAndCorruptInput) {
  FrequentItems f(5);
  f.Add("big", 50);
  for (int i = 0; i < 100; ++i) f.Add("x" + std::to_string(i % 9));
  auto back = FrequentItems::FromJson(f.ToJson(), "t");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Items(), f.Items());
  EXPECT_EQ(back->total(), f.total());
  auto j = f.ToJson();
  j["items"].push_back(nlohmann::json::array({"x0", -3}));
  EXPECT_FALSE(FrequentItems::FromJson(j, "t").ok());
  auto j2 = f.ToJson();
  j2["total"] = 10;  // less than the stored counts (big alone keeps more than 10)
  EXPECT_FALSE(FrequentItems::FromJson(j2, "t").ok());
}

}  // namespace
}  // namespace keel::drift
