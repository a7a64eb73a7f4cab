// k-fold cross-validation: fold assignment, the refit's tree count, and Train with folds.
#include "train/cross_validation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/random.h"

namespace keel {
namespace {

// x (signal), noise, team (40 groups), y (yes/no, about 30% yes); `signal` 0 = pure noise.
Table MakeTable(size_t n, double signal = 4, uint64_t seed = 3) {
  Rng rng(seed);
  std::vector<double> x(n), noise(n), team(n);
  std::vector<int32_t> y(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = rng.Uniform();
    noise[i] = rng.Uniform();
    team[i] = static_cast<double>(rng.Below(40));
    const double z = signal * (x[i] - 0.5) - 0.9;
    y[i] = rng.Uniform() < 1 / (1 + std::exp(-z)) ? 1 : 0;
  }
  Table t;
  EXPECT_TRUE(t.AddColumn(Column::Numeric("x", x)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("noise", noise)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("team", team)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("y", y, {"no", "yes"})).ok());
  return t;
}

const Context& Ctx() {
  static const Context ctx = Context{}.WithThreads(2).Quiet();
  return ctx;
}

std::vector<uint32_t> AllRows(size_t n) {
  std::vector<uint32_t> rows(n);
  for (size_t i = 0; i < n; ++i) rows[i] = static_cast<uint32_t>(i);
  return rows;
}

// Every row in exactly one fold, each fold ascending.
void ExpectPartition(const std::vector<std::vector<uint32_t>>& folds,
                     const std::vector<uint32_t>& rows) {
  std::vector<uint32_t> all;
  for (const auto& f : folds) {
    EXPECT_TRUE(std::is_sorted(f.begin(), f.end()));
    all.insert(all.end(), f.begin(), f.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, rows);  // disjoint (no repeats) and covering
}

TEST(CrossValidation, StratifiedFoldsPartitionTheRowsAndKeepClassShares) {
  // 103 rows: 23 of class 1 (not a multiple of 5 either way).
  std::vector<double> label(103, 0.0);
  for (size_t i = 0; i < 23; ++i) label[i * 4] = 1.0;
  const Table t = MakeTable(103);
  const std::vector<uint32_t> rows = AllRows(103);
  SplitSpec spec;
  spec.kind = SplitSpec::Kind::kStratified;
  spec.seed = 7;
  auto folds = AssignFolds(t, rows, label, spec, 5);
  ASSERT_TRUE(folds.ok()) << folds.status().ToString();
  ASSERT_EQ(folds->size(), 5u);
  ExpectPartition(*folds, rows);
  for (const auto& f : *folds) {
    EXPECT_GE(f.size(), 20u);
    EXPECT_LE(f.size(), 21u);
    size_t pos = 0;
    for (uint32_t r : f) pos += label[r] == 1.0 ? 1 : 0;
    EXPECT_GE(pos, 4u);  // 23 over 5 folds: 4 or 5 each
    EXPECT_LE(pos, 5u);
  }
  // Seeded: the same seed gives the same folds, another seed others.
  auto again = AssignFolds(t, rows, label, spec, 5);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *folds);
  spec.seed = 8;
  auto other = AssignFolds(t, rows, label, spec, 5);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, *folds);
}

TEST(CrossValidation, RandomFoldsOfASubsetOfRows) {
  const Table t = MakeTable(200);
  std::vector<uint32_t> rows;
  for (uint32_t r = 0; r < 200; r += 3) rows.push_back(r);  // 67 rows
  SplitSpec spec;
  spec.kind = SplitSpec::Kind::kRandom;
  auto folds = AssignFolds(t, rows, {}, spec, 3);
  ASSERT_TRUE(folds.ok()) << folds.status().ToString();
  ExpectPartition(*folds, rows);
  for (const auto& f : *folds) EXPECT_GE(f.size(), 22u);
}

TEST(CrossValidation, GroupFoldsKeepEachGroupInOneFold) {
  const Table t = MakeTable(600);
  const std::vector<uint32_t> rows = AllRows(600);
  SplitSpec spec;
  spec.kind = SplitSpec::Kind::kGroup;
  spec.column = "team";
  auto folds = AssignFolds(t, rows, {}, spec, 5);
  ASSERT_TRUE(folds.ok()) << folds.status().ToString();
  ExpectPartition(*folds, rows);
  const auto& team = t.Find("team")->numeric();
  std::map<double, size_t> fold_of;
  for (size_t f = 0; f < folds->size(); ++f) {
    EXPECT_GT((*folds)[f].size(), 60u);  // 40 groups of ~15 rows over 5 folds: ~120 each
    for (uint32_t r : (*folds)[f]) {
      const auto [it, added] = fold_of.emplace(team[r], f);
      EXPECT_EQ(it->second, f) << "team " << team[r] << " is in two folds";
    }
  }
  // More folds than groups cannot be filled.
  auto too_many = AssignFolds(t, rows, {}, spec, 41);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.status().message().find("40"), std::string::npos)
      << too_many.status().ToString();
}

TEST(CrossValidation, TimeSplitsAndTooFewRowsAreRefused) {
  const Table t = MakeTable(10);
  SplitSpec spec;
  spec.kind = SplitSpec::Kind::kTime;
  spec.column = "x";
  auto time = AssignFolds(t, AllRows(10), {}, spec, 5);
  ASSERT_FALSE(time.ok());
  EXPECT_NE(time.status().message().find("time"), std::string::npos);
  spec.kind = SplitSpec::Kind::kRandom;
  EXPECT_FALSE(AssignFolds(t, AllRows(4), {}, spec, 5).ok());
  EXPECT_FALSE(AssignFolds(t, AllRows(10), {}, spec, 1).ok());
}

TEST(CrossValidation, RefitTreesIsTheFoldsMeanWithinTheLimit) {
  std::vector<CvFold> folds(4);
  folds[0].trees = 10;
  folds[1].trees = 20;
  folds[2].trees = 31;
  folds[3].trees = 40;
  EXPECT_EQ(RefitTrees(folds, 100), 34);  // 101 / 4 = 25.25, times 4/3 = 33.7
  EXPECT_EQ(RefitTrees(folds, 30), 30);   // never above num_trees
  folds.assign(2, CvFold{});
  EXPECT_EQ(RefitTrees(folds, 100), 1);  // never zero trees
}

TEST(CrossValidation, AutoFoldsApplyToSmallDataOnly) {
  TrainParams p = DefaultParams();
  ASSERT_EQ(p.folds, static_cast<int>(kAutoParam));
  ASSERT_EQ(p.cv_below, 20000);
  std::string why;
  EXPECT_EQ(ResolvedFolds(p, 1000, Task::kBinary, &why), 5);  // 800 non-test rows
  EXPECT_EQ(why, "");
  EXPECT_EQ(ResolvedValidSize(p, 1000, Task::kBinary),
            0.0);  // no validation split beside the folds
  EXPECT_EQ(ResolvedFolds(p, 25000, Task::kBinary, &why), 0);  // 20,000 non-test rows
  EXPECT_NE(why.find("cv_below"), std::string::npos);
  EXPECT_GT(ResolvedValidSize(p, 25000, Task::kBinary), 0.0);
  EXPECT_EQ(ResolvedFolds(p, 100, Task::kBinary), 0);  // 80 non-test rows: too few
  // A regression keeps its validation split (split-conformal intervals) unless folds are given.
  EXPECT_EQ(ResolvedFolds(p, 1000, Task::kMulticlass), 5);
  EXPECT_EQ(ResolvedFolds(p, 1000, Task::kRegression, &why), 0);
  EXPECT_NE(why.find("split-conformal"), std::string::npos);
  EXPECT_GT(ResolvedValidSize(p, 1000, Task::kRegression), 0.0);
  p.valid_size = 0.1;  // an explicit validation split wins
  EXPECT_EQ(ResolvedFolds(p, 1000, Task::kBinary), 0);
  p.valid_size = kAutoParam;
  p.split = "time:when";
  EXPECT_EQ(ResolvedFolds(p, 1000, Task::kBinary), 0);
  p.split = "auto";
  p.folds = 3;  // explicit: any size
  EXPECT_EQ(ResolvedFolds(p, 50000, Task::kBinary), 3);
  p.folds = 1;
  EXPECT_EQ(ResolvedFolds(p, 1000, Task::kBinary), 0);
  // Explicit folds beside an explicit validation split or a time split: a parameter error.
  p.folds = 5;
  p.valid_size = 0.1;
  EXPECT_TRUE(IsParamError(ValidateParams(p)));
  p.valid_size = kAutoParam;
  p.split = "time:when";
  EXPECT_TRUE(IsParamError(ValidateParams(p)));
  // "auto" round-trips through the text forms.
  TrainParams q = DefaultParams();
  EXPECT_EQ(ParamsToJson(q)["folds"], "auto");
  ASSERT_TRUE(SetParam("folds", "4", &q).ok());
  EXPECT_EQ(q.folds, 4);
  ASSERT_TRUE(SetParam("folds", "auto", &q).ok());
  EXPECT_EQ(q.folds, static_cast<int>(kAutoParam));
  EXPECT_FALSE(SetParam("folds", "-3", &q).ok());
}

TrainOptions Options() {
  TrainOptions o;
  o.target = "y";
  o.params.learning_rate = 0.3;
  return o;
}

TEST(CrossValidation, SmallDataIsCrossValidatedThenRefitOnAllNonTestRows) {
  const Table t = MakeTable(1000);
  auto r = Train(t, Schema{}, Options(), Ctx());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // No validation split: every non-test row is trained on.
  EXPECT_TRUE(r->split.valid.empty());
  EXPECT_EQ(r->split.test.size(), 200u);
  EXPECT_EQ(r->split.train.size(), 800u);
  const nlohmann::json& cv = r->report.cross_validation;
  ASSERT_TRUE(cv.is_object());
  EXPECT_EQ(cv["folds"], 5);
  EXPECT_EQ(cv["rows"], 800);
  ASSERT_EQ(cv["fold"].size(), 5u);
  std::vector<CvFold> folds(5);
  for (size_t f = 0; f < 5; ++f) {
    EXPECT_EQ(cv["fold"][f]["rows"], 160);
    folds[f].trees = cv["fold"][f]["trees"].get<int>();
    EXPECT_LT(folds[f].trees, 100);  // stopped early on its held-out rows
  }
  const int trees = RefitTrees(folds, 100);
  EXPECT_EQ(cv["refit_trees"], trees);
  EXPECT_EQ(r->report.iterations, trees);
  EXPECT_EQ(r->model.forest.trees.size(), static_cast<size_t>(trees));
  EXPECT_EQ(r->report.validation,
            "5-fold CV on 800 rows, refit on all 800 rows, " + std::to_string(trees) + " trees");
  // The metrics: train, cv (out of fold), test.
  ASSERT_EQ(r->report.splits.size(), 3u);
  EXPECT_EQ(r->report.splits[1].name, "cv");
  EXPECT_EQ(r->report.splits[1].rows, 800u);
  ASSERT_EQ(r->oof_margins.size(), 800u);
  for (double m : r->oof_margins) EXPECT_TRUE(std::isfinite(m));
  const auto& lineage = r->model.sections.at("lineage");
  EXPECT_EQ(lineage["rows"]["train"], 800);
  EXPECT_EQ(lineage["rows"]["valid"], 0);
  EXPECT_EQ(lineage["validation"], r->report.validation);
  EXPECT_EQ(lineage["cross_validation"]["refit_trees"], trees);
}

TEST(CrossValidation, OutOfFoldPredictionsNeverSawTheirRows) {
  // Pure noise: a model that saw the rows scores them well, out-of-fold predictions do not.
  const Table t = MakeTable(1500, /*signal=*/0);
  TrainOptions o = Options();
  o.params.early_stopping_rounds = 0;  // all 100 trees: fits the noise
  o.params.min_sum_hessian = 0;
  o.params.min_data_in_leaf = 2;
  auto r = Train(t, Schema{}, o, Ctx());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto auc = [&](const std::string& split) -> double {
    for (const SplitResult& s : r->report.splits) {
      if (s.name != split) continue;
      for (const auto& [name, v] : s.metrics) {
        if (name == "auc") return v;
      }
    }
    return NAN;
  };
  EXPECT_GT(auc("train"), 0.9);
  EXPECT_LT(std::abs(auc("cv") - 0.5), 0.06) << auc("cv");
  EXPECT_LT(std::abs(r->report.cross_validation["mean"]["auc"].get<double>() - 0.5), 0.06);
}

TEST(CrossValidation, CvBelowAndAnExplicitValidationSplitTurnAutoFoldsOff) {
  const Table t = MakeTable(1000);
  TrainOptions o = Options();
  o.params.cv_below = 500;  // 800 non-test rows: the validation split
  auto big = Train(t, Schema{}, o, Ctx());
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_TRUE(big->report.cross_validation.is_null());
  EXPECT_EQ(big->report.validation, "auto");
  EXPECT_EQ(big->split.valid.size(), 80u);
  o = Options();
  o.params.folds = 3;
  o.params.algo = "linear";
  auto linear = Train(t, Schema{}, o, Ctx());
  ASSERT_TRUE(linear.ok()) << linear.status().ToString();
  EXPECT_EQ(linear->report.validation, "3-fold CV on 800 rows, refit on all 800 rows");
  EXPECT_FALSE(linear->report.cross_validation.contains("refit_trees"));
}

}  // namespace
}  // namespace keel
