#include "serve/traffic_split.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace keel::serve {
namespace {

TEST(TrafficSplitTest, ParsesShadowAndCanary) {
  auto shadow = TrafficSplit::Parse("shadow");
  ASSERT_TRUE(shadow.ok());
  EXPECT_EQ(shadow->mode(), TrafficMode::kShadow);
  EXPECT_FALSE(shadow->ToChallenger("anything"));
  auto canary = TrafficSplit::Parse("canary:12.5");
  ASSERT_TRUE(canary.ok());
  EXPECT_EQ(canary->mode(), TrafficMode::kCanary);
  EXPECT_EQ(canary->percent(), 12.5);
  EXPECT_EQ(canary->ToString(), "canary:12.5");
  for (const char* bad : {"", "canary", "canary:", "canary:0", "canary:101", "canary:-3",
                          "canary:10%", "shadows", "canary:nan"}) {
    auto r = TrafficSplit::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("shadow or canary:PERCENT"), std::string::npos);
    }
  }
}

// The same key always goes to the same variant, in another TrafficSplit object too (as in
// another process), and the share of 10,000 keys is within the binomial 99.9% interval.
TEST(TrafficSplitTest, CanaryIsStableAndWithinTheBinomialInterval) {
  for (double percent : {1.0, 10.0, 50.0, 90.0}) {
    const std::string text = "canary:" + std::to_string(percent);
    const TrafficSplit a = *TrafficSplit::Parse(text);
    const TrafficSplit b = *TrafficSplit::Parse(text);
    constexpr int kN = 10000;
    int to_challenger = 0;
    for (int i = 0; i < kN; ++i) {
      const std::string key = "customer-" + std::to_string(i);
      const bool routed = a.ToChallenger(key);
      ASSERT_EQ(routed, a.ToChallenger(key)) << key;
      ASSERT_EQ(routed, b.ToChallenger(key)) << key;
      to_challenger += routed;
    }
    const double p = percent / 100;
    const double sd = std::sqrt(kN * p * (1 - p));
    EXPECT_NEAR(to_challenger, kN * p, 3.29 * sd) << text;
  }
  const TrafficSplit all = *TrafficSplit::Parse("canary:100");
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(all.ToChallenger(std::to_string(i)));
}

}  // namespace
}  // namespace keel::serve
