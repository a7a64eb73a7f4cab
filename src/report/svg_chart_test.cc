#include "report/svg_chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <regex>

namespace keel::report {
namespace {

size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// Tags that open must close: a cheap well-formedness check for our own output.
void ExpectBalanced(const std::string& svg) {
  EXPECT_EQ(Count(svg, "<svg"), 1u);
  EXPECT_EQ(Count(svg, "</svg>"), 1u);
  EXPECT_EQ(Count(svg, "<text"), Count(svg, "</text>"));
  EXPECT_EQ(Count(svg, "<g "), Count(svg, "</g>"));
}

TEST(NiceTicks, StepsOfOneTwoFive) {
  auto t = NiceTicks(0, 1);
  ASSERT_GE(t.size(), 3u);
  EXPECT_DOUBLE_EQ(t.front(), 0);
  EXPECT_DOUBLE_EQ(t.back(), 1);
  auto u = NiceTicks(3, 97, 5);
  EXPECT_LE(u.front(), 3);
  EXPECT_GE(u.back(), 97);
  EXPECT_DOUBLE_EQ(u[1] - u[0], 20);
}

TEST(NiceTicks, DegenerateRangeStillGivesTwoTicks) {
  auto t = NiceTicks(5, 5);
  EXPECT_GE(t.size(), 2u);
  auto n = NiceTicks(NAN, 1);
  EXPECT_EQ(n.size(), 2u);
}

TEST(LineChart, DrawsOneLinePerSeriesAndLegend) {
  LineChartSpec spec;
  spec.title = "ROC <test>";
  spec.x.label = "false positive rate";
  spec.y.label = "true positive rate";
  spec.diagonal = true;
  spec.series.push_back({"baseline", {0, 0.5, 1}, {0, 0.7, 1}});
  spec.series.push_back({"candidate", {0, 0.3, 1}, {0, 0.8, 1}});
  const std::string svg = LineChart(spec);
  ExpectBalanced(svg);
  EXPECT_EQ(Count(svg, "<polyline"), 2u);
  EXPECT_NE(svg.find("ROC &lt;test&gt;"), std::string::npos);  // escaped title
  EXPECT_NE(svg.find("candidate"), std::string::npos);
  EXPECT_NE(svg.find("false positive rate"), std::string::npos);
}

TEST(LineChart, SkipsNonFinitePointsAndSurvivesEmptyData) {
  LineChartSpec spec;
  spec.series.push_back({"s", {0, NAN, 1}, {0, 1, INFINITY}, "", false, true});
  const std::string svg = LineChart(spec);
  ExpectBalanced(svg);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
  EXPECT_EQ(Count(svg, "<circle"), 1u);
  ExpectBalanced(LineChart(LineChartSpec{}));
}

TEST(BarChart, BarsWhiskersAndReferenceLines) {
  BarChartSpec spec;
  spec.title = "selection rate";
  spec.bars = {{"female", 0.3, 0.25, 0.35}, {"male", -0.1}, {"unknown", NAN}};
  spec.references = {{0.2, "gate"}};
  const std::string svg = BarChart(spec);
  ExpectBalanced(svg);
  EXPECT_EQ(Count(svg, "<rect x="), 2u + 0u);  // two finite bars (the background has no x)
  EXPECT_NE(svg.find("gate"), std::string::npos);
  EXPECT_NE(svg.find("unknown"), std::string::npos);
}

TEST(Histogram, OneRectPerSeriesAndBin) {
  HistogramSpec spec;
  spec.bin_labels = {"a", "b", "c"};
  spec.series.push_back({"reference", {}, {0.2, 0.5, 0.3}});
  spec.series.push_back({"current", {}, {0.1, 0.1, 0.8}});
  const std::string svg = Histogram(spec);
  ExpectBalanced(svg);
  EXPECT_EQ(Count(svg, "fill-opacity=\"0.85\""), 6u);
}

TEST(Beeswarm, ThinsLargeRowsAndGreysMissingColours) {
  BeeswarmSpec spec;
  BeeswarmRow row{"tenure", {}, {}};
  for (int i = 0; i < 2000; ++i) {
    row.values.push_back(i * 0.001);
    row.colors.push_back(i % 2 == 0 ? NAN : 0.5);
  }
  spec.rows.push_back(row);
  spec.max_points_per_row = 500;
  const std::string svg = Beeswarm(spec);
  ExpectBalanced(svg);
  EXPECT_EQ(Count(svg, "<circle"), 500u);
  EXPECT_NE(svg.find("#aaaaaa"), std::string::npos);
}

TEST(Escape, AllSpecialCharacters) {
  EXPECT_EQ(Escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
}

}  // namespace
}  // namespace keel::report
