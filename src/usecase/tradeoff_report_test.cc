#include "usecase/tradeoff_report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace keel::usecase {
namespace {

// A sweep of two objectives over three settings, written out by hand: the report reads plain
// data, not the rank stage's machinery.
rank::TradeoffResult Sweep() {
  rank::TradeoffResult r;
  r.objectives = {"clicks", "revenue"};
  r.requests = 40;
  r.candidates = 400;
  r.eligible = 380;
  r.top = 3;
  r.has_logged = true;
  r.settings = {
      {{1, 0}, {300, 100}, {280, 90}, 3, true, false},
      {{0.5, 0.5}, {250, 250}, {240, NAN}, 3, true, true},
      {{0, 1}, {100, 120}, {90, 110}, 3, false, false},  // dominated by setting 2
  };
  r.best = {0, 1};
  r.default_index = 1;
  return r;
}

TEST(TradeoffReport, TableNotesBestAndDefaultAndKeepsTheEfficientOnes) {
  const rank::TradeoffResult r = Sweep();
  const TextTable all = TradeoffTable(r, /*efficient_only=*/false);
  EXPECT_EQ(all.header, (std::vector<std::string>{"setting", "w_clicks", "w_revenue", "clicks /1k",
                                                  "revenue /1k", "logged clicks /1k",
                                                  "logged revenue /1k", "pareto", "note"}));
  ASSERT_EQ(all.rows.size(), 3u);
  EXPECT_EQ(all.rows[0].back(), "best clicks");
  EXPECT_EQ(all.rows[1].back(), "best revenue; default");
  EXPECT_EQ(all.rows[1][6], "-");  // a logged total that does not apply
  EXPECT_EQ(all.rows[2][7], "no");
  const TextTable efficient = TradeoffTable(r, /*efficient_only=*/true);
  ASSERT_EQ(efficient.rows.size(), 2u);
  EXPECT_EQ(efficient.rows[1][0], "2");

  const std::string text = RenderTextTable(efficient);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "setting  w_clicks  w_revenue  clicks /1k  revenue /1k  logged clicks /1k  "
            "logged revenue /1k  pareto  note");
  EXPECT_EQ(DescribeWeights(r.objectives, r.settings[1].weights), "clicks 0.5, revenue 0.5");
}

TEST(TradeoffReport, SectionsNameTheBestAndDefaultSettingsAndDrawTheFrontier) {
  const rank::TradeoffResult r = Sweep();
  auto objectives = rank::ParseObjectivesYaml(
      "objectives:\n  clicks: {expr: p, outcome: clicked}\n  revenue: {expr: p * bid}\n", "o.yaml");
  ASSERT_TRUE(objectives.ok()) << objectives.status().ToString();
  report::HtmlReport html("t");
  AddTradeoffSections(r, *objectives, &html);
  EXPECT_EQ(html.num_sections(), 4u);  // summary, frontiers, efficient settings, all settings
  const std::string page = html.Render();
  EXPECT_NE(page.find("Best for clicks: setting 1 (clicks 1, revenue 0) gives 300 clicks"),
            std::string::npos);
  EXPECT_NE(page.find("setting 2 (clicks 0.5, revenue 0.5) gives clicks 250, revenue 250 per "
                      "1,000 requests; it is Pareto-efficient"),
            std::string::npos);
  EXPECT_NE(page.find("clicks vs revenue"), std::string::npos);
  EXPECT_NE(page.find("<svg"), std::string::npos);
}

}  // namespace
}  // namespace keel::usecase
