#include "rank/tradeoff.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/random.h"

namespace keel::rank {
namespace {

const Context kOneThread{.num_threads = 1};

TEST(SimplexGrid, CountsAndSumsToOne) {
  const auto g = SimplexGrid(3, 10);
  EXPECT_EQ(g.size(), 66u);  // C(12, 2)
  std::set<std::vector<double>> distinct(g.begin(), g.end());
  EXPECT_EQ(distinct.size(), g.size());
  for (const auto& w : g) {
    ASSERT_EQ(w.size(), 3u);
    EXPECT_NEAR(w[0] + w[1] + w[2], 1.0, 1e-12);
    for (double x : w) EXPECT_GE(x, 0);
  }
  EXPECT_EQ(g.front(), (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(SimplexGrid(1, 5).size(), 1u);
  EXPECT_EQ(SimplexGrid(2, 4).size(), 5u);
  EXPECT_EQ(SimplexGrid(4, 3).size(), 20u);  // C(6, 3)
}

// Independent definition: i is efficient iff the set of points that weakly dominate it with
// one strict improvement is empty, checked by counting coordinates.
std::vector<bool> BruteForce(const std::vector<std::vector<double>>& pts) {
  std::vector<bool> out(pts.size());
  for (size_t i = 0; i < pts.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < pts.size(); ++j) {
      size_t ge = 0, gt = 0;
      for (size_t k = 0; k < pts[i].size(); ++k) {
        ge += pts[j][k] >= pts[i][k];
        gt += pts[j][k] > pts[i][k];
      }
      if (ge == pts[i].size() && gt > 0) dominated = true;
    }
    out[i] = !dominated;
  }
  return out;
}

TEST(Pareto, HandMadeCase) {
  //           a: efficient   b: dominated by a   c: efficient   d: equal to a
  const std::vector<std::vector<double>> pts = {{3, 3}, {2, 3}, {1, 5}, {3, 3}, {0, 0}};
  EXPECT_EQ(ParetoEfficient(pts), (std::vector<bool>{true, false, true, true, false}));
}

TEST(Pareto, EqualsNonDominatedSetOnRandomPoints) {
  Rng rng(7);
  for (int trial = 0; trial < 40; ++trial) {
    const size_t n = 5 + trial * 3;
    const size_t d = 2 + trial % 3;
    std::vector<std::vector<double>> pts(n, std::vector<double>(d));
    for (auto& p : pts) {
      // Coarse values so ties and duplicates occur.
      for (auto& x : p) x = std::floor(rng.Uniform() * 6);
    }
    ASSERT_EQ(ParetoEfficient(pts), BruteForce(pts)) << "trial " << trial;
  }
}

// A hand-made log: 2 requests x 2 candidates, 1 slot. Objectives a (value col u) and b (col v).
struct LogFixture {
  Model model;
  std::unique_ptr<Predictor> predictor;
  Table table;
  LogFixture() {
    model.task = Task::kRegression;
    model.objective = Objective::kSquaredError;
    model.kind = Model::Kind::kLinear;
    model.num_outputs = 1;
    model.base_margin = {0};
    model.features.push_back({"x", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
    model.linear.terms.push_back({0, LinearTerm::Kind::kNumeric, -1, 0.0, 1.0});
    model.linear.weights = {1.0};
    predictor = std::move(*Predictor::Create(model));
    EXPECT_TRUE(table.AddColumn(Column::Numeric("x", {0, 0, 0, 0})).ok());
    // request 1: candidate 0 is good for a, candidate 1 for b; request 2 likewise.
    EXPECT_TRUE(table.AddColumn(Column::Numeric("u", {3, 1, 2, 0})).ok());
    EXPECT_TRUE(table.AddColumn(Column::Numeric("v", {0, 2, 1, 4})).ok());
    EXPECT_TRUE(table.AddColumn(Column::Numeric("hit", {1, 0, 0, 1})).ok());
  }
};

TEST(Tradeoff, SweepTotalsParetoBestAndDefault) {
  LogFixture f;
  auto o = ParseObjectivesYaml(
      "objectives:\n  a: {expr: u, outcome: u * hit}\n  b: {expr: v, weight: 3}\n", "o.yaml");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  auto plan = RankingPlan::Create(*o, f.model, FieldsOf(f.table), {.outcomes = true});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto scored = (*plan)->Score(f.model, *f.predictor, f.table, kOneThread);
  ASSERT_TRUE(scored.ok());
  auto groups = ChunkRows(4, 2);
  ASSERT_TRUE(groups.ok());
  TradeoffOptions opt;
  opt.steps = 4;
  opt.top = 1;
  auto r = SweepTradeoff(**plan, *scored, *groups, opt, kOneThread);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Grid (1,0) (.75,.25) (.5,.5) (.25,.75) (0,1): the default (.25, .75) is on it.
  ASSERT_EQ(r->settings.size(), 5u);
  EXPECT_EQ(r->default_index, 3u);
  EXPECT_TRUE(r->settings[3].is_default);
  EXPECT_TRUE(r->has_logged);
  // Request 1: a-pick 0 (u3 v0), b-pick 1 (u1 v2); switch when w_b * 2 > w_a * 2, i.e. w_b > .5
  //   at .5/.5 the scores tie (1.5 vs 1.5): input order picks 0.
  // Request 2: a-pick 2 (u2 v1), b-pick 3 (u0 v4); 2 w_a + w_b vs 4 w_b: b when w_b > .4.
  // Per 1,000 requests (x500 per request):
  //   (1,0)   picks 0,2: a 5 b 1 -> 2500, 500
  //   (.75,.25) picks 0,2 -> 2500, 500
  //   (.5,.5) picks 0,3: a 3 b 4 -> 1500, 2000
  //   (.25,.75) picks 1,3: a 1 b 6 -> 500, 3000
  //   (0,1)   picks 1,3 -> 500, 3000
  const double want_a[] = {2500, 2500, 1500, 500, 500};
  const double want_b[] = {500, 500, 2000, 3000, 3000};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_DOUBLE_EQ(r->settings[i].expected[0], want_a[i]) << i;
    EXPECT_DOUBLE_EQ(r->settings[i].expected[1], want_b[i]) << i;
    EXPECT_DOUBLE_EQ(r->settings[i].shown_per_request, 1.0);
    EXPECT_TRUE(r->settings[i].efficient) << i;  // equal points do not dominate each other
    EXPECT_TRUE(std::isnan(r->settings[i].logged[1]));
  }
  // logged a = u * hit: picks 0 (3*1) and 2 (2*0) -> 3 per 2 requests -> 1500.
  EXPECT_DOUBLE_EQ(r->settings[0].logged[0], 1500);
  EXPECT_DOUBLE_EQ(r->settings[3].logged[0], 0);  // picks 1 (u 1, hit 0) and 3 (u 0, hit 1)
  EXPECT_EQ(r->best[0], 0u);
  EXPECT_EQ(r->best[1], 3u);

  // The JSON form: 1-based settings, null for a total that does not apply.
  const nlohmann::json j = TradeoffToJson(*r);
  EXPECT_EQ(j["default"], 4);
  EXPECT_EQ(j["best"]["b"], 4);
  EXPECT_EQ(j["pareto_count"], 5);
  EXPECT_EQ(j["settings"][0]["logged_per_1000"]["a"], 1500);
  EXPECT_TRUE(j["settings"][0]["logged_per_1000"]["b"].is_null());

  // The Context's thread count changes how the settings are shared out, not the result.
  auto threaded = SweepTradeoff(**plan, *scored, *groups, opt, Context{.num_threads = 3});
  ASSERT_TRUE(threaded.ok());
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(threaded->settings[i].expected, r->settings[i].expected) << i;
  }
}

TEST(Tradeoff, DefaultOffTheGridIsAdded) {
  LogFixture f;
  auto o = ParseObjectivesYaml(
      "objectives:\n  a: {expr: u, weight: 1}\n  b: {expr: v, weight: 2}\n", "o.yaml");
  ASSERT_TRUE(o.ok());
  auto plan = RankingPlan::Create(*o, f.model, FieldsOf(f.table));
  ASSERT_TRUE(plan.ok());
  auto scored = (*plan)->Score(f.model, *f.predictor, f.table, kOneThread);
  ASSERT_TRUE(scored.ok());
  TradeoffOptions opt;
  opt.steps = 2;
  auto r = SweepTradeoff(**plan, *scored, SingleRequest(4), opt, kOneThread);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->settings.size(), 4u);
  EXPECT_EQ(r->default_index, 3u);
  EXPECT_NEAR(r->settings[3].weights[1], 2.0 / 3, 1e-12);
  EXPECT_FALSE(r->has_logged);
}

TEST(Tradeoff, TooLargeGridIsAnError) {
  LogFixture f;
  auto o = ParseObjectivesYaml("objectives:\n  a: u\n  b: v\n  c: u + v\n  d: x\n", "o.yaml");
  ASSERT_TRUE(o.ok());
  auto plan = RankingPlan::Create(*o, f.model, FieldsOf(f.table));
  ASSERT_TRUE(plan.ok());
  auto scored = (*plan)->Score(f.model, *f.predictor, f.table, kOneThread);
  ASSERT_TRUE(scored.ok());
  TradeoffOptions opt;
  opt.steps = 100;
  opt.max_settings = 1000;
  auto r = SweepTradeoff(**plan, *scored, SingleRequest(4), opt, kOneThread);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("more than the limit"), std::string::npos);
}

}  // namespace
}  // namespace keel::rank
