#include "fairness/slice_finder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/random.h"

namespace keel::fairness {
namespace {

struct Synthetic {
  Table table;
  std::vector<double> scores;
  std::vector<uint8_t> labels;
  std::vector<uint8_t> decisions;
};

// A well-calibrated model (scores are the true probabilities) that is equally sure everywhere
// (p = 0.8 or 0.2 by plan; age and region carry no signal), so every slice has the same expected
// loss. If `plant` is set, the labels of the slice region = c AND plan = pro are flipped: the
// model is confidently wrong there.
Synthetic Make(size_t n, bool plant) {
  Rng rng(17);
  Synthetic s;
  std::vector<std::string> region, plan;
  std::vector<double> age;
  for (size_t i = 0; i < n; ++i) {
    region.push_back(std::string(1, static_cast<char>('a' + rng.Below(5))));
    plan.push_back(rng.Uniform() < 0.5 ? "pro" : "basic");
    age.push_back(18 + std::floor(rng.Uniform() * 60));
    const double p = plan.back() == "pro" ? 0.8 : 0.2;
    uint8_t y = rng.Uniform() < p ? 1 : 0;
    if (plant && region.back() == "c" && plan.back() == "pro") y = 1 - y;
    s.scores.push_back(p);
    s.labels.push_back(y);
  }
  s.decisions.resize(n);
  for (size_t i = 0; i < n; ++i) s.decisions[i] = s.scores[i] >= 0.5 ? 1 : 0;
  EXPECT_TRUE(s.table.AddColumn(Column::String("region", region)).ok());
  EXPECT_TRUE(s.table.AddColumn(Column::String("plan", plan)).ok());
  EXPECT_TRUE(s.table.AddColumn(Column::Numeric("age", age)).ok());
  return s;
}

const std::vector<std::string> kColumns = {"region", "plan", "age"};

TEST(FindWorstSlices, FindsThePlantedFlippedLabelSlice) {
  Synthetic s = Make(4000, true);
  SliceOptions opt;
  opt.min_rows = 50;
  auto report =
      FindWorstSlices(s.table, kColumns, {s.scores, s.labels, s.decisions}, opt, Context{});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_FALSE(report->worst.empty());
  auto conds = report->worst[0].conditions;
  std::sort(conds.begin(), conds.end());
  EXPECT_EQ(conds, (std::vector<std::string>{"plan = pro", "region = c"}));
  EXPECT_GT(report->worst[0].effect, 0.3);
  EXPECT_LT(report->worst[0].q_value, 1e-6);
  EXPECT_NEAR(static_cast<double>(report->worst[0].rows), 400, 80);
  // Every listed slice is significant and no two-condition slice repeats a worse parent.
  for (const auto& sl : report->worst) {
    EXPECT_TRUE(sl.significant);
    EXPECT_LE(sl.q_value, opt.alpha);
  }
}

TEST(FindWorstSlices, ErrorRateLossFindsItToo) {
  Synthetic s = Make(4000, true);
  SliceOptions opt;
  opt.loss = SliceLoss::kErrorRate;
  auto report =
      FindWorstSlices(s.table, kColumns, {s.scores, s.labels, s.decisions}, opt, Context{});
  ASSERT_TRUE(report.ok());
  ASSERT_FALSE(report->worst.empty());
  auto conds = report->worst[0].conditions;
  std::sort(conds.begin(), conds.end());
  EXPECT_EQ(conds, (std::vector<std::string>{"plan = pro", "region = c"}));
  EXPECT_DOUBLE_EQ(report->worst[0].error_rate, report->worst[0].loss);
}

// A calibrated model whose confidence grows with income (as a real model's does), with the
// labels of region = c AND plan = pro flipped. By mean log loss the worst slice is a mix that
// keeps only the confidently-wrong part of the subgroup (high income AND region = c); the
// default error rate names the subgroup itself, and log loss still lists it as significant.
TEST(FindWorstSlices, DefaultLossNamesTheFlippedSubgroupWhenConfidenceVaries) {
  Rng rng(5);
  const size_t n = 4000;
  std::vector<std::string> region, plan;
  std::vector<double> income, scores;
  std::vector<uint8_t> labels, decisions;
  for (size_t i = 0; i < n; ++i) {
    region.push_back(std::string(1, static_cast<char>('a' + rng.Below(5))));
    plan.push_back(rng.Uniform() < 0.5 ? "pro" : "basic");
    income.push_back(std::round(20000 + 60000 * rng.Uniform()));
    const double logit =
        -0.5 + 2.5 * (income.back() - 50000) / 30000 + (plan.back() == "pro" ? 1.5 : -1.0);
    const double p = 1 / (1 + std::exp(-logit));
    uint8_t y = rng.Uniform() < p ? 1 : 0;
    if (region.back() == "c" && plan.back() == "pro") y = 1 - y;
    scores.push_back(p);
    labels.push_back(y);
    decisions.push_back(p >= 0.5 ? 1 : 0);
  }
  Table table;
  ASSERT_TRUE(table.AddColumn(Column::String("region", region)).ok());
  ASSERT_TRUE(table.AddColumn(Column::String("plan", plan)).ok());
  ASSERT_TRUE(table.AddColumn(Column::Numeric("income", income)).ok());
  const std::vector<std::string> columns = {"region", "plan", "income"};
  const BinaryOutcomes out{scores, labels, decisions};
  const std::vector<std::string> planted = {"plan = pro", "region = c"};
  auto sorted = [](std::vector<std::string> c) {
    std::sort(c.begin(), c.end());
    return c;
  };

  SliceOptions opt;
  EXPECT_EQ(opt.loss, SliceLoss::kErrorRate);
  auto report = FindWorstSlices(table, columns, out, opt, Context{});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_FALSE(report->worst.empty());
  EXPECT_EQ(sorted(report->worst[0].conditions), planted);

  opt.loss = SliceLoss::kLogLoss;
  auto by_logloss = FindWorstSlices(table, columns, out, opt, Context{});
  ASSERT_TRUE(by_logloss.ok());
  const auto it = std::find_if(by_logloss->worst.begin(), by_logloss->worst.end(),
                               [&](const Slice& s) { return sorted(s.conditions) == planted; });
  ASSERT_NE(it, by_logloss->worst.end());
  EXPECT_LT(it->q_value, 1e-6);
}

TEST(FindWorstSlices, NothingSignificantWhenTheModelIsRightEverywhere) {
  Synthetic s = Make(4000, false);
  auto report =
      FindWorstSlices(s.table, kColumns, {s.scores, s.labels, s.decisions}, {}, Context{});
  ASSERT_TRUE(report.ok());
  EXPECT_GT(report->slices_tested, 40u);
  EXPECT_EQ(report->slices_significant, 0u);
  EXPECT_TRUE(report->worst.empty());
}

TEST(FindWorstSlices, OneConditionModeAndMinRows) {
  Synthetic s = Make(1000, true);
  SliceOptions opt;
  opt.max_conditions = 1;
  opt.min_rows = 300;
  auto report =
      FindWorstSlices(s.table, kColumns, {s.scores, s.labels, s.decisions}, opt, Context{});
  ASSERT_TRUE(report.ok());
  for (const auto& sl : report->worst) {
    EXPECT_EQ(sl.conditions.size(), 1u);
    EXPECT_GE(sl.rows, 300u);
  }
}

TEST(FindWorstSlices, RejectsBadInput) {
  Synthetic s = Make(100, false);
  const BinaryOutcomes out{s.scores, s.labels, s.decisions};
  SliceOptions opt;
  opt.max_conditions = 3;
  EXPECT_EQ(FindWorstSlices(s.table, kColumns, out, opt, Context{}).status().code(),
            StatusCode::kInvalidArgument);
  const std::vector<std::string> missing = {"nope"};
  EXPECT_EQ(FindWorstSlices(s.table, missing, out, {}, Context{}).status().code(),
            StatusCode::kNotFound);
  const BinaryOutcomes short_out{std::span<const double>(s.scores).first(10),
                                 std::span<const uint8_t>(s.labels).first(10),
                                 std::span<const uint8_t>(s.decisions).first(10)};
  EXPECT_EQ(FindWorstSlices(s.table, kColumns, short_out, {}, Context{}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace keel::fairness
