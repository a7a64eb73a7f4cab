#include "serve/route_table.h"

#include <gtest/gtest.h>

namespace keel::serve {
namespace {

TEST(PathPattern, LiteralPathsMatchExactly) {
  const PathPattern p("/metrics");
  PathParams params;
  EXPECT_TRUE(p.Match("/metrics", &params));
  EXPECT_FALSE(p.Match("/metrics/", &params));
  EXPECT_FALSE(p.Match("/metric", &params));
  EXPECT_FALSE(p.Match("/Metrics", &params));
  EXPECT_FALSE(p.Match("", &params));
}

TEST(PathPattern, PlaceholdersTakeOneSegmentPossiblyEmpty) {
  const PathPattern p("/v1/models/{name}/predict");
  PathParams params;
  ASSERT_TRUE(p.Match("/v1/models/churn-2.x/predict", &params));
  EXPECT_EQ(params.Get("name"), "churn-2.x");
  EXPECT_EQ(params.Get("version"), "");
  ASSERT_TRUE(p.Match("/v1/models//predict", &params));
  EXPECT_EQ(params.Get("name"), "");
  EXPECT_FALSE(p.Match("/v1/models/a/b/predict", &params));
  EXPECT_FALSE(p.Match("/v1/models/a/predict/", &params));
  EXPECT_FALSE(p.Match("/v1/models/a", &params));
}

TEST(PathPattern, OptionalPartsMayBeLeftOut) {
  const PathPattern p("/v2/models/{name}[/versions/{version}][/]");
  EXPECT_EQ(p.text(), "/v2/models/{name}[/versions/{version}][/]");
  PathParams params;
  ASSERT_TRUE(p.Match("/v2/models/m", &params));
  EXPECT_EQ(params.Get("name"), "m");
  EXPECT_EQ(params.Get("version"), "");
  ASSERT_TRUE(p.Match("/v2/models/m/", &params));
  EXPECT_EQ(params.Get("name"), "m");
  ASSERT_TRUE(p.Match("/v2/models/m/versions/7", &params));
  EXPECT_EQ(params.Get("name"), "m");
  EXPECT_EQ(params.Get("version"), "7");
  ASSERT_TRUE(p.Match("/v2/models/m/versions/7/", &params));
  EXPECT_EQ(params.Get("version"), "7");
  EXPECT_FALSE(p.Match("/v2/models/m/ready", &params));
  EXPECT_FALSE(p.Match("/v2/models/m//", &params));
  EXPECT_FALSE(p.Match("/v2/models", &params));

  const PathPattern ready("/v2/models/{name}[/versions/{version}]/ready");
  ASSERT_TRUE(ready.Match("/v2/models/versions/ready", &params));
  EXPECT_EQ(params.Get("name"), "versions");
  EXPECT_EQ(params.Get("version"), "");
  ASSERT_TRUE(ready.Match("/v2/models/m/versions/ready/ready", &params));
  EXPECT_EQ(params.Get("version"), "ready");
}

TEST(PathPatternDeathTest, AMalformedPatternIsABugCaughtAtStartup) {
  EXPECT_DEATH(PathPattern("/v1/{name"), "without");
  EXPECT_DEATH(PathPattern("/v1[/x"), "without");
  EXPECT_DEATH(PathPattern("/v1/{a}{b}"), "end its path segment");
  EXPECT_DEATH(PathPattern("/v1/[a[b]]"), "nested");
}

}  // namespace
}  // namespace keel::serve
