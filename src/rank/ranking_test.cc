#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "rank/group_ranker.h"
#include "rank/ranking_plan.h"
#include "rank/request_groups.h"

namespace keel::rank {
namespace {

const Context kOneThread{.num_threads = 1};

// P(click) = sigmoid(x): a linear model on one feature, so candidates get chosen probabilities.
Model ClickModel() {
  Model m;
  m.task = Task::kBinary;
  m.objective = Objective::kBinaryLogistic;
  m.kind = Model::Kind::kLinear;
  m.num_outputs = 1;
  m.base_margin = {0};
  m.features.push_back({"x", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  m.linear.terms.push_back({0, LinearTerm::Kind::kNumeric, -1, 0.0, 1.0});
  m.linear.weights = {1.0};
  m.target = "clicked";
  m.labels.classes = {"0", "1"};
  return m;
}

double Logit(double p) {
  return std::log(p / (1 - p));
}

struct Candidates {
  std::vector<double> p;
  std::vector<double> bid;
  std::vector<double> reserve;
  std::vector<int32_t> advertiser;  // codes into {"A", "B", "C"}
  std::vector<std::string> request;
};

Table MakeTable(const Candidates& c) {
  Table t;
  std::vector<double> x;
  for (double p : c.p) x.push_back(Logit(p));
  EXPECT_TRUE(t.AddColumn(Column::Numeric("x", x)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("bid", c.bid)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("reserve", c.reserve)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("advertiser", c.advertiser, {"A", "B", "C"})).ok());
  if (!c.request.empty()) EXPECT_TRUE(t.AddColumn(Column::String("request", c.request)).ok());
  return t;
}

Objectives Parse(const std::string& yaml) {
  auto o = ParseObjectivesYaml(yaml, "o.yaml");
  EXPECT_TRUE(o.ok()) << o.status().ToString();
  return o.ok() ? std::move(*o) : Objectives{};
}

struct Fixture {
  Model model = ClickModel();
  std::unique_ptr<Predictor> predictor = std::move(*Predictor::Create(model));
};

std::vector<uint32_t> RankRows(const std::string& yaml, const Table& table, size_t top,
                               std::vector<double>* scores = nullptr,
                               std::vector<double> weights = {}) {
  Fixture f;
  const Objectives o = Parse(yaml);
  auto fields = FieldsOf(table);
  auto plan = RankingPlan::Create(o, f.model, fields);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  if (!plan.ok()) return {};
  auto scored = (*plan)->Score(f.model, *f.predictor, table, kOneThread);
  EXPECT_TRUE(scored.ok()) << scored.status().ToString();
  GroupRanker ranker;
  const RequestGroups g = SingleRequest(table.num_rows());
  ranker.Load(*scored, g.rows[0]);
  std::vector<RankedItem> items;
  if (weights.empty()) weights = o.Weights();
  ranker.Select(weights, top, &items);
  std::vector<uint32_t> rows;
  for (const auto& it : items) {
    rows.push_back(it.row);
    if (scores != nullptr) scores->push_back(it.score);
  }
  return rows;
}

const Candidates kFour = {{0.1, 0.5, 0.2, 0.4}, {10, 1, 3, 2}, {2, 2, 2, 2}, {0, 0, 1, 0}, {}};

TEST(Ranking, SingleObjectiveOrdersByIt) {
  const Table t = MakeTable(kFour);
  EXPECT_EQ(RankRows("objectives:\n  clicks: p\n", t, 0), (std::vector<uint32_t>{1, 3, 2, 0}));
  // revenue p * bid = 1, 0.5, 0.6, 0.8
  EXPECT_EQ(RankRows("objectives:\n  revenue: p * bid\n", t, 2), (std::vector<uint32_t>{0, 3}));
}

TEST(Ranking, WeightedSumOfRawValues) {
  const Table t = MakeTable(kFour);
  // score = 1 * p + 0.1 * p * bid: 0.2, 0.55, 0.26, 0.48
  std::vector<double> scores;
  EXPECT_EQ(RankRows("objectives:\n  clicks: p\n  revenue: {expr: p * bid, weight: 0.1}\n", t, 0,
                     &scores),
            (std::vector<uint32_t>{1, 3, 2, 0}));
  ASSERT_EQ(scores.size(), 4u);
  EXPECT_NEAR(scores[0], 0.55, 1e-6);
  EXPECT_NEAR(scores[1], 0.48, 1e-6);
  EXPECT_NEAR(scores[2], 0.26, 1e-6);
  EXPECT_NEAR(scores[3], 0.2, 1e-6);
}

TEST(Ranking, MaxNormalisationPutsObjectivesOnOneScale) {
  const Table t = MakeTable(kFour);
  // p / 0.5 = 0.2, 1, 0.4, 0.8; p * bid / 1 = 1, 0.5, 0.6, 0.8; equal weights:
  // 1.2, 1.5, 1.0, 1.6
  std::vector<double> scores;
  EXPECT_EQ(RankRows("objectives:\n  clicks: {expr: p, normalize: max}\n"
                     "  revenue: {expr: p * bid, normalize: max}\n",
                     t, 0, &scores),
            (std::vector<uint32_t>{3, 1, 0, 2}));
  EXPECT_NEAR(scores[0], 1.6, 1e-6);
  EXPECT_NEAR(scores[3], 1.0, 1e-6);
}

TEST(Ranking, MinMaxAndZScoreNormalisation) {
  const Table t = MakeTable(kFour);
  std::vector<double> scores;
  // minmax of p: (p - 0.1) / 0.4 = 0, 1, 0.25, 0.75
  RankRows("objectives:\n  clicks: {expr: p, normalize: minmax}\n", t, 0, &scores);
  EXPECT_NEAR(scores[0], 1, 1e-6);
  EXPECT_NEAR(scores[1], 0.75, 1e-6);
  EXPECT_NEAR(scores[3], 0, 1e-6);
  // zscore of bid: mean 4, population sd sqrt(((36 + 9 + 1 + 4) / 4)) = sqrt(12.5)
  scores.clear();
  RankRows("objectives:\n  fee: {expr: bid, normalize: zscore}\n", t, 1, &scores);
  EXPECT_NEAR(scores[0], 6 / std::sqrt(12.5), 1e-12);
}

TEST(Ranking, ConditionConstraintRemovesCandidates) {
  const Table t = MakeTable(kFour);
  // bid >= reserve (2) drops row 1 (bid 1).
  EXPECT_EQ(RankRows("objectives:\n  clicks: p\n  constraints: [bid >= reserve]\n", t, 0),
            (std::vector<uint32_t>{3, 2, 0}));
  // Normalisation is over eligible candidates only: max p is then 0.4.
  std::vector<double> scores;
  RankRows("objectives:\n  clicks: {expr: p, normalize: max}\n  constraints: [bid >= reserve]\n", t,
           1, &scores);
  EXPECT_NEAR(scores[0], 1.0, 1e-6);
}

TEST(Ranking, MissingFieldFailsTheConstraint) {
  Candidates c = kFour;
  c.bid[3] = std::nan("");
  const Table t = MakeTable(c);
  EXPECT_EQ(RankRows("objectives:\n  clicks: p\n  constraints: [bid >= reserve]\n", t, 0),
            (std::vector<uint32_t>{2, 0}));
  // Without constraints the NaN-scored candidate goes last.
  EXPECT_EQ(RankRows("objectives:\n  revenue: p * bid\n", t, 0),
            (std::vector<uint32_t>{0, 2, 1, 3}));
}

TEST(Ranking, MaxPerGroupCapsTheTopK) {
  const Table t = MakeTable(kFour);
  // By revenue: 0(A), 3(A), 2(B), 1(A). One per advertiser: 0, 2.
  EXPECT_EQ(RankRows("objectives:\n  revenue: p * bid\n  constraints: [{max_per: advertiser, "
                     "count: 1}]\n",
                     t, 3),
            (std::vector<uint32_t>{0, 2}));
  // Two per advertiser, top 3: 0, 3, 2.
  EXPECT_EQ(RankRows("objectives:\n  revenue: p * bid\n  constraints: [{max_per: advertiser, "
                     "count: 2}]\n",
                     t, 3),
            (std::vector<uint32_t>{0, 3, 2}));
}

TEST(Ranking, ZeroWeightObjectiveDoesNotAffectOrder) {
  Candidates c = kFour;
  c.bid[0] = std::nan("");
  const Table t = MakeTable(c);
  EXPECT_EQ(RankRows("objectives:\n  clicks: p\n  revenue: p * bid\n", t, 0, nullptr, {1.0, 0.0}),
            (std::vector<uint32_t>{1, 3, 2, 0}));
}

TEST(Ranking, TiesKeepInputOrder) {
  Candidates c = kFour;
  c.p = {0.3, 0.3, 0.3, 0.3};
  const Table t = MakeTable(c);
  EXPECT_EQ(RankRows("objectives:\n  clicks: p\n", t, 0), (std::vector<uint32_t>{0, 1, 2, 3}));
}

// Brute force: the ranking equals sorting all candidates by the hand-computed score.
TEST(Ranking, MatchesBruteForceOnManyCandidates) {
  Candidates c;
  for (int i = 0; i < 300; ++i) {
    c.p.push_back(0.01 + 0.98 * ((i * 37) % 101) / 100.0);
    c.bid.push_back(0.5 + (i * 13) % 17);
    c.reserve.push_back(1.0);
    c.advertiser.push_back(i % 3);
  }
  const Table t = MakeTable(c);
  std::vector<double> scores;
  const auto rows = RankRows(
      "objectives:\n  clicks: {expr: p, weight: 2}\n  profit: {expr: p * bid - 0.5, weight: "
      "0.25}\n",
      t, 50, &scores);
  ASSERT_EQ(rows.size(), 50u);
  Fixture f;
  std::vector<double> want(300);
  for (size_t i = 0; i < 300; ++i) {
    // The model's own probability (prediction is not what this test pins).
    const float x = static_cast<float>(Logit(c.p[i]));
    double p = 0;
    f.predictor->PredictRow(&x, &p);
    want[i] = 2 * p + 0.25 * (p * c.bid[i] - 0.5);
  }
  std::vector<uint32_t> order(300);
  for (uint32_t i = 0; i < 300; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return want[a] > want[b]; });
  for (size_t k = 0; k < 50; ++k) {
    EXPECT_NEAR(scores[k], want[order[k]], 1e-9) << k;
    EXPECT_NEAR(want[rows[k]], want[order[k]], 1e-12) << k;  // equal scores may swap
  }
}

TEST(RankingPlan, UnknownNameNamesFileLineObjectiveAndWhatExists) {
  Fixture f;
  const Table t = MakeTable(kFour);
  const Objectives o = Parse("objectives:\n  clicks: p\n  profit: p * bid - cost\n");
  auto plan = RankingPlan::Create(o, f.model, FieldsOf(t));
  ASSERT_FALSE(plan.ok());
  const std::string m = plan.status().message();
  EXPECT_EQ(plan.status().code(), StatusCode::kNotFound);
  EXPECT_NE(m.find("o.yaml:3"), std::string::npos) << m;
  EXPECT_NE(m.find("objective \"profit\""), std::string::npos) << m;
  EXPECT_NE(m.find("unknown name 'cost' at column 11"), std::string::npos) << m;
  EXPECT_NE(m.find("model outputs: p, prob_0, prob_1"), std::string::npos) << m;
  EXPECT_NE(m.find("bid"), std::string::npos) << m;
}

TEST(RankingPlan, CategoricalFieldInArithmeticIsAnError) {
  Fixture f;
  const Table t = MakeTable(kFour);
  auto plan =
      RankingPlan::Create(Parse("objectives:\n  a: p * advertiser\n"), f.model, FieldsOf(t));
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("field 'advertiser' is categorical"), std::string::npos)
      << plan.status().message();
}

TEST(RankingPlan, UnknownConstraintNamesAreErrors) {
  Fixture f;
  const Table t = MakeTable(kFour);
  auto a = RankingPlan::Create(Parse("objectives:\n  a: p\n  constraints:\n    - bid >= floor\n"),
                               f.model, FieldsOf(t));
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("o.yaml:4: constraint \"bid >= floor\": unknown name "
                                      "'floor'"),
            std::string::npos)
      << a.status().message();
  auto b = RankingPlan::Create(
      Parse("objectives:\n  a: p\n  constraints:\n    - {max_per: brand, count: 1}\n"), f.model,
      FieldsOf(t));
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("unknown field 'brand'"), std::string::npos);
}

TEST(RankingPlan, OutcomesBindOnlyWhenAsked) {
  Fixture f;
  const Table t = MakeTable(kFour);
  const Objectives o = Parse("objectives:\n  a: {expr: p, outcome: clicked}\n");
  EXPECT_TRUE(RankingPlan::Create(o, f.model, FieldsOf(t)).ok());
  auto plan = RankingPlan::Create(o, f.model, FieldsOf(t), {.outcomes = true});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("outcome: unknown name 'clicked'"), std::string::npos)
      << plan.status().message();
}

TEST(RankingPlan, MulticlassAndRegressionOutputNames) {
  Model m = ClickModel();
  EXPECT_EQ(ModelOutputNames(m), (std::vector<std::string>{"p", "prob_0", "prob_1"}));
  m.task = Task::kRegression;
  m.objective = Objective::kSquaredError;
  m.labels = {};
  EXPECT_EQ(ModelOutputNames(m), (std::vector<std::string>{"prediction"}));
}

TEST(RequestGroups, GroupsByColumnInFirstAppearanceOrder) {
  Candidates c = kFour;
  c.request = {"r2", "r1", "r2", "r1"};
  const Table t = MakeTable(c);
  auto g = GroupRows(t, "request");
  ASSERT_TRUE(g.ok());
  ASSERT_EQ(g->rows.size(), 2u);
  EXPECT_EQ(g->ids[0], "r2");
  EXPECT_EQ(g->rows[0], (std::vector<uint32_t>{0, 2}));
  EXPECT_EQ(g->rows[1], (std::vector<uint32_t>{1, 3}));
  EXPECT_FALSE(GroupRows(t, "nope").ok());
  auto chunks = ChunkRows(5, 2);
  ASSERT_TRUE(chunks.ok());
  EXPECT_EQ(chunks->rows.size(), 3u);
  EXPECT_EQ(chunks->rows[2], (std::vector<uint32_t>{4}));
  EXPECT_FALSE(ChunkRows(5, 0).ok());
}

TEST(RankingText, CategoricalFieldComparedWithLiteral) {
  // Advertisers A, A, B, C; only advertiser A or C may be shown.
  const Table t = MakeTable(kFour);
  const std::string yaml =
      "objectives:\n  clicks: p\n  constraints:\n"
      "    - advertiser == \"A\" or advertiser == 'C'\n";
  // p = 0.1, 0.5, 0.2, 0.4 -> eligible rows 0, 1, 3 -> by p: 1, 3, 0.
  EXPECT_EQ(RankRows(yaml, t, 0), (std::vector<uint32_t>{1, 3, 0}));
  // A literal that is not in the dictionary is no match, not an error.
  EXPECT_EQ(RankRows("objectives:\n  clicks: p\n  constraints:\n    - advertiser != 'Z'\n", t, 0),
            (std::vector<uint32_t>{1, 3, 2, 0}));
  EXPECT_EQ(RankRows("objectives:\n  clicks: p\n  constraints:\n    - advertiser == 'Z'\n", t, 0),
            (std::vector<uint32_t>{}));
  // In an objective: a boost for advertiser B (row 2): p + 1 = 1.2 ranks first.
  EXPECT_EQ(RankRows("objectives:\n  boosted: if(advertiser == 'B', p + 1, p)\n", t, 0),
            (std::vector<uint32_t>{2, 1, 3, 0}));
}

TEST(RankingText, ScoreTranslatesAnotherTablesDictionary) {
  // The plan is made for one table and scores another whose dictionary is in another order,
  // with a missing value: codes are translated through the texts, once per table.
  Fixture f;
  const Objectives o = Parse("objectives:\n  clicks: p\n  constraints:\n    - advertiser == 'B'\n");
  const Table a = MakeTable(kFour);
  auto plan = RankingPlan::Create(o, f.model, FieldsOf(a));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  Table b;
  ASSERT_TRUE(b.AddColumn(Column::Numeric("x", {0, 0, 0})).ok());
  ASSERT_TRUE(
      b.AddColumn(Column::Categorical("advertiser", {0, kMissingCode, 1}, {"B", "Q"})).ok());
  auto scored = (*plan)->Score(f.model, *f.predictor, b, kOneThread);
  ASSERT_TRUE(scored.ok()) << scored.status().ToString();
  EXPECT_EQ(scored->eligible, (std::vector<uint8_t>{1, 0, 0}));
  // Free-text columns take the rare path, with the same answers.
  Table c;
  ASSERT_TRUE(c.AddColumn(Column::Numeric("x", {0, 0, 0})).ok());
  ASSERT_TRUE(c.AddColumn(Column::String("advertiser", {"B", "", "Q"}, {0, 1, 0})).ok());
  auto scored_c = (*plan)->Score(f.model, *f.predictor, c, kOneThread);
  ASSERT_TRUE(scored_c.ok()) << scored_c.status().ToString();
  EXPECT_EQ(scored_c->eligible, (std::vector<uint8_t>{1, 0, 0}));
  // The same name numeric in the scored table: an error, not a silent mismatch.
  Table d;
  ASSERT_TRUE(d.AddColumn(Column::Numeric("x", {0})).ok());
  ASSERT_TRUE(d.AddColumn(Column::Numeric("advertiser", {1})).ok());
  EXPECT_FALSE((*plan)->Score(f.model, *f.predictor, d, kOneThread).ok());
}

TEST(RankingText, LiteralComparedWithNumberIsAnErrorAtCreate) {
  Fixture f;
  const Table t = MakeTable(kFour);
  const Objectives o = Parse("objectives:\n  clicks: p\n  constraints:\n    - bid == \"high\"\n");
  auto plan = RankingPlan::Create(o, f.model, FieldsOf(t));
  ASSERT_FALSE(plan.ok());
  const std::string m = plan.status().message();
  EXPECT_NE(m.find("o.yaml:4"), std::string::npos) << m;
  EXPECT_NE(m.find("'bid' is numeric"), std::string::npos) << m;
  EXPECT_NE(m.find("\"high\" at column 8"), std::string::npos) << m;
  // A model output is a number too.
  auto out =
      RankingPlan::Create(Parse("objectives:\n  c: if(p == 'x', 1, 0)\n"), f.model, FieldsOf(t));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("model output"), std::string::npos);
  // A categorical field in arithmetic is still an error.
  auto arith =
      RankingPlan::Create(Parse("objectives:\n  c: p * advertiser\n"), f.model, FieldsOf(t));
  ASSERT_FALSE(arith.ok());
  EXPECT_NE(arith.status().message().find("is categorical"), std::string::npos)
      << arith.status().message();
}
}  // namespace
}  // namespace keel::rank
