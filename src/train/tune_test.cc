#include "train/tune.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "core/random.h"
#include "train/trainer.h"

namespace keel {
namespace {

// A synthetic loss with its minimum at learning_rate 0.05, num_leaves 16, independent of the
// tree budget (so halving must keep the best configuration to the end).
TrialScore Synthetic(const TrainParams& p) {
  const double loss = std::abs(std::log(p.learning_rate / 0.05)) +
                      0.1 * std::abs(std::log(static_cast<double>(p.num_leaves) / 16.0));
  return {loss, p.num_trees, "synthetic"};
}

TrialScorer SyntheticScorer() {
  return [](const TrainParams& p) -> Result<TrialScore> { return Synthetic(p); };
}

TEST(Tune, ParsesBudgets) {
  auto b = ParseTuneBudget("off");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->enabled());
  b = ParseTuneBudget("24trials");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->trials, 24);
  EXPECT_EQ(b->seconds, 0);
  b = ParseTuneBudget("2m");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->seconds, 120);
  b = ParseTuneBudget("8trials/1.5s");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->trials, 8);
  EXPECT_EQ(b->seconds, 1.5);
  b = ParseTuneBudget("auto");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->trials > 0 && b->seconds > 0);
  for (const char* bad :
       {"", "60", "0trials", "2.5trials", "-3s", "1h", "8trials/9trials", "60s/", "8trials,60s", "ontrials"}) {
    auto r = ParseTuneBudget(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("parameter tune"), std::string::npos);
    }
  }
}

TEST(Tune, TheParameterTakesBudgets) {
  TrainParams p = DefaultParams();
  EXPECT_EQ(p.tune, "off");
  EXPECT_TRUE(SetParam("tune", "40trials", &p).ok());
  EXPECT_EQ(p.tune, "40trials");
  EXPECT_TRUE(IsParamError(SetParam("tune", "forty", &p)));
  p.algo = "linear";
  EXPECT_FALSE(ValidateParams(p).ok());  // tuning is for gbdt
}

TEST(Tune, TrialBudgetIsRespectedAndDeterministic) {
  TrainParams base = DefaultParams();
  for (int n : {1, 2, 5, 8, 13, 24, 40}) {
    auto a = SuccessiveHalving(base, {n, 0}, SyntheticScorer());
    ASSERT_TRUE(a.ok()) << a.status().message();
    EXPECT_LE(static_cast<int>(a->trials.size()), n);
    EXPECT_GE(static_cast<int>(a->trials.size()), n - 2);  // a bracket fills the budget closely
    auto b = SuccessiveHalving(base, {n, 0}, SyntheticScorer());
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(a->trials.size(), b->trials.size());
    for (size_t i = 0; i < a->trials.size(); ++i) {
      EXPECT_EQ(a->trials[i].config, b->trials[i].config);
      EXPECT_EQ(a->trials[i].params.learning_rate, b->trials[i].params.learning_rate);
      EXPECT_EQ(a->trials[i].params.num_leaves, b->trials[i].params.num_leaves);
      EXPECT_EQ(a->trials[i].params.lambda_l2, b->trials[i].params.lambda_l2);
    }
    EXPECT_EQ(TuneResultToJson(*a)["chosen"], TuneResultToJson(*b)["chosen"]);
  }
  // Another seed samples other configurations.
  TrainParams other = base;
  other.seed = 7;
  auto a = SuccessiveHalving(base, {8, 0}, SyntheticScorer());
  auto c = SuccessiveHalving(other, {8, 0}, SyntheticScorer());
  ASSERT_TRUE(a.ok() && c.ok());
  EXPECT_NE(a->trials[1].params.learning_rate, c->trials[1].params.learning_rate);
}

TEST(Tune, TheCallersParametersAreTheFirstConfiguration) {
  TrainParams base = DefaultParams();
  base.learning_rate = 0.0777;
  base.num_leaves = 9;
  auto r = SuccessiveHalving(base, {8, 0}, SyntheticScorer());
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->trials.empty());
  const TuneTrial& first = r->trials.front();
  EXPECT_EQ(first.config, 0);
  EXPECT_EQ(first.rung, 0);
  TrainParams expected = base;
  expected.num_trees = first.params.num_trees;
  EXPECT_EQ(ParamsToJson(first.params), ParamsToJson(expected));
  // The sampled ones differ from it and stay within the space.
  for (const TuneTrial& t : r->trials) {
    if (t.config == 0) continue;
    EXPECT_NE(t.params.learning_rate, base.learning_rate);
    EXPECT_GE(t.params.learning_rate, 0.02);
    EXPECT_LE(t.params.learning_rate, 0.3);
    EXPECT_GE(t.params.num_leaves, 4);
    EXPECT_LE(t.params.num_leaves, 128);
    EXPECT_GE(t.params.min_data_in_leaf, 2);
    EXPECT_LE(t.params.min_data_in_leaf, 100);
    EXPECT_TRUE(ValidateParams(t.params).ok());
  }
}

TEST(Tune, TheDefaultArmWinsWhenItIsBest) {
  TrainParams base = DefaultParams();
  base.learning_rate = 0.05;
  base.num_leaves = 16;  // the synthetic optimum
  auto r = SuccessiveHalving(base, {24, 0}, SyntheticScorer());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->best_config, 0);
  EXPECT_EQ(r->best.learning_rate, 0.05);
  EXPECT_EQ(r->best.num_leaves, 16);
}

TEST(Tune, HalvingKeepsTheBestConfigurationOfEachRung) {
  auto r = SuccessiveHalving(DefaultParams(), {40, 0}, SyntheticScorer());
  ASSERT_TRUE(r.ok());
  ASSERT_GE(r->rungs, 3);
  std::map<int, std::vector<std::pair<double, int>>> by_rung;
  for (const TuneTrial& t : r->trials) by_rung[t.rung].emplace_back(t.score.loss, t.config);
  for (int rung = 1; rung < r->rungs; ++rung) {
    auto previous = by_rung[rung - 1];
    std::sort(previous.begin(), previous.end());
    std::set<int> expected;
    for (size_t i = 0; i < by_rung[rung].size(); ++i) expected.insert(previous[i].second);
    std::set<int> promoted;
    for (const auto& [loss, config] : by_rung[rung]) promoted.insert(config);
    EXPECT_EQ(promoted, expected) << "rung " << rung;
  }
  // The loss does not depend on the rung here, so the winner is the best of all sampled.
  const auto& rung0 = by_rung[0];
  const auto best = *std::min_element(rung0.begin(), rung0.end());
  EXPECT_EQ(r->best_config, best.second);
  EXPECT_EQ(by_rung[r->rungs - 1].size(), 1u);
  EXPECT_EQ(Synthetic(r->best).loss, best.first);
}

TEST(Tune, SlowLearningRatesGetMoreTreesAndTheTopRungTheMost) {
  TuneOptions o;
  auto r = SuccessiveHalving(DefaultParams(), {13, 0}, SyntheticScorer(), o);
  ASSERT_TRUE(r.ok());
  for (const TuneTrial& t : r->trials) {
    const double shrinkage = o.top_shrinkage / std::pow(o.eta, r->rungs - 1 - t.rung);
    const int expected = std::clamp(static_cast<int>(std::ceil(shrinkage / t.params.learning_rate)),
                                    o.min_trees, o.max_trees);
    EXPECT_EQ(t.params.num_trees, expected);
  }
  EXPECT_EQ(r->best.num_trees,
            std::clamp(static_cast<int>(std::ceil(o.top_shrinkage / r->best.learning_rate)),
                       o.min_trees, o.max_trees));
}

TEST(Tune, TimeBudgetStopsTheSearch) {
  // A clock that advances one second per trial.
  double now = 0;
  TuneOptions o;
  o.elapsed = [&now] { return now; };
  TrialScorer scorer = [&now](const TrainParams& p) -> Result<TrialScore> {
    now += 1;
    return Synthetic(p);
  };
  auto r = SuccessiveHalving(DefaultParams(), {0, 5.0}, scorer, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->trials.size(), 5u);
  EXPECT_TRUE(r->stopped_by_time);
  // A time budget alone runs on past one bracket (27 + 9 + 3 + 1 trials) with fresh samples.
  now = 0;
  auto longer = SuccessiveHalving(DefaultParams(), {0, 100.0}, scorer, o);
  ASSERT_TRUE(longer.ok());
  EXPECT_EQ(longer->trials.size(), 100u);
  EXPECT_GT(longer->configs, 27);
  // With both limits, the first to run out ends it.
  now = 0;
  auto both = SuccessiveHalving(DefaultParams(), {8, 100.0}, scorer, o);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->trials.size(), 8u);
  EXPECT_FALSE(both->stopped_by_time);
}

TEST(Tune, ScorerErrorsStopTheSearch) {
  int calls = 0;
  TrialScorer failing = [&calls](const TrainParams&) -> Result<TrialScore> {
    if (++calls == 3) return Status::Cancelled("stop");
    return TrialScore{1.0, 10, "x"};
  };
  auto r = SuccessiveHalving(DefaultParams(), {24, 0}, failing);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(calls, 3);
  EXPECT_FALSE(SuccessiveHalving(DefaultParams(), {0, 0}, SyntheticScorer()).ok());
}

// `n` rows: y depends on x1 (strongly) and x2 (weakly) through a logistic link.
Table TwoFeatureTable(size_t n) {
  Rng rng(3);
  std::vector<double> x1(n), x2(n);
  std::vector<int32_t> y(n);
  for (size_t i = 0; i < n; ++i) {
    x1[i] = rng.Uniform();
    x2[i] = rng.Uniform();
    const double z = 6 * (x1[i] - 0.5) * (x1[i] - 0.2) + x2[i];
    y[i] = rng.Uniform() < 1 / (1 + std::exp(-z)) ? 1 : 0;
  }
  Table t;
  EXPECT_TRUE(t.AddColumn(Column::Numeric("x1", x1)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("x2", x2)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("y", y, {"no", "yes"})).ok());
  return t;
}

TEST(TuneTraining, TrainFitsTheWinnerAndRecordsTheSearch) {
  TrainOptions o;
  o.target = "y";
  o.params.tune = "8trials";
  o.params.folds = 0;  // scored on the validation split (k-fold: the next test)
  const Context ctx = Context{}.WithThreads(2).Quiet();
  auto r = Train(TwoFeatureTable(3000), Schema{}, o, ctx);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const nlohmann::json& tuning = r->report.tuning;
  ASSERT_TRUE(tuning.is_object());
  EXPECT_EQ(tuning["trials"].size(), 8u);
  EXPECT_EQ(tuning["budget"], "8trials");
  EXPECT_EQ(tuning["metric"], "logloss");
  const nlohmann::json& lineage = r->model.sections.at("lineage");
  EXPECT_EQ(lineage["tuning"], tuning);
  // The model was fitted with the chosen parameters...
  for (const auto& [name, value] : tuning["chosen"].items()) {
    EXPECT_EQ(lineage["parameters"][name], value) << name;
  }
  // ... and is the winner's top-rung trial: the same validation loss at the kept iteration.
  const int best = tuning["best_config"].get<int>();
  const nlohmann::json* top = nullptr;
  for (const nlohmann::json& t : tuning["trials"]) {
    if (t["config"] == best && (top == nullptr || t["rung"] > (*top)["rung"])) top = &t;
  }
  ASSERT_NE(top, nullptr);
  ASSERT_EQ((*top)["rung"].get<int>(), tuning["rungs"].get<int>() - 1);
  ASSERT_GE(r->report.best_iteration, 0);
  EXPECT_EQ(r->report.valid_loss[static_cast<size_t>(r->report.best_iteration)],
            (*top)["loss"].get<double>());
  EXPECT_EQ(r->report.iterations, (*top)["trees"].get<int>());
}

TEST(TuneTraining, CrossValidatedDataIsTunedByCrossValidation) {
  // Small data is cross-validated by default (params `folds`), and so is each configuration:
  // the winner's top-rung out-of-fold loss is the final model's own cross-validation loss,
  // since the refit is cross-validated with the same folds and parameters.
  TrainOptions o;
  o.target = "y";
  o.params.tune = "8trials";
  auto r = Train(TwoFeatureTable(3000), Schema{}, o, Context{}.WithThreads(2).Quiet());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const nlohmann::json& tuning = r->report.tuning;
  ASSERT_TRUE(tuning.is_object());
  EXPECT_EQ(tuning["scored_on"], "5-fold cross-validation");
  EXPECT_EQ(tuning["trials"].size(), 8u);
  ASSERT_TRUE(r->report.cross_validation.is_object());
  const int best = tuning["best_config"].get<int>();
  const nlohmann::json* top = nullptr;
  for (const nlohmann::json& t : tuning["trials"]) {
    if (t["config"] == best && (top == nullptr || t["rung"] > (*top)["rung"])) top = &t;
  }
  ASSERT_NE(top, nullptr);
  EXPECT_EQ(r->report.cross_validation["oof"]["logloss"].get<double>(),
            (*top)["loss"].get<double>());
  for (const auto& [name, value] : tuning["chosen"].items()) {
    if (name == "num_trees") continue;  // the refit's trees come from the folds
    EXPECT_EQ(r->model.sections.at("lineage")["parameters"][name], value) << name;
  }
}

TEST(TuneTraining, WithoutValidationRowsTheSearchIsSkippedWithAWarning) {
  TrainOptions o;
  o.target = "y";
  o.params.tune = "8trials";
  o.params.valid_size = 0;
  auto r = Train(TwoFeatureTable(1000), Schema{}, o, Context{}.WithThreads(2).Quiet());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->report.tuning.contains("skipped"));
  ASSERT_FALSE(r->report.warnings.empty());
  EXPECT_NE(r->report.warnings.back().find("tuning skipped"), std::string::npos);
  EXPECT_EQ(r->model.sections.at("lineage")["parameters"]["num_trees"], 100);
}

}  // namespace
}  // namespace keel
