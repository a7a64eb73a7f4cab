#include "report/html_report.h"

#include <gtest/gtest.h>

#include <cmath>

#include "report/svg_chart.h"

namespace keel::report {
namespace {

TEST(HtmlReport, SectionsTablesAndEscaping) {
  HtmlReport r("Model report", "churn");
  r.BeginSection("metrics", "Metrics");
  r.AddTable({"metric", "value"}, {{"AUC", "0.84"}, {"<script>", "1"}}, {false, true});
  r.AddNotice(Tone::kGood, "ship the candidate");
  r.BeginSection("charts", "Charts");
  LineChartSpec spec;
  spec.series.push_back({"a", {0, 1}, {0, 1}});
  r.AddCharts({LineChart(spec)});
  const std::string html = r.Render();
  EXPECT_EQ(r.num_sections(), 2u);
  EXPECT_NE(html.find("<section id=\"metrics\">"), std::string::npos);
  EXPECT_NE(html.find("href=\"#charts\""), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("class=\"num\">0.84"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
}

TEST(HtmlReport, NoNetworkReferences) {
  HtmlReport r("t");
  r.AddParagraph("x");
  const std::string html = r.Render();
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("url(http"), std::string::npos);
}

TEST(FixedNumber, DecimalsOrNotAvailable) {
  EXPECT_EQ(FixedNumber(0.84126), "0.8413");
  EXPECT_EQ(FixedNumber(2, 1), "2.0");
  EXPECT_EQ(FixedNumber(NAN), "n/a");
  EXPECT_EQ(FixedNumber(-INFINITY, 3), "n/a");
}

}  // namespace
}  // namespace keel::report
