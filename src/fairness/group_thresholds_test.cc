#include "fairness/group_thresholds.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/random.h"
#include "fairness/group_metrics.h"

namespace keel::fairness {
namespace {

struct Data {
  std::vector<double> scores;
  std::vector<uint8_t> labels;
  std::vector<std::string> group;
};

// Group "a" has a higher base rate and higher scores than group "b", so one threshold selects
// them at very different rates.
Data Make(size_t per_group, uint64_t seed) {
  Rng rng(seed);
  Data d;
  for (const char* g : {"a", "b"}) {
    const double base = g[0] == 'a' ? 0.55 : 0.25;
    for (size_t i = 0; i < per_group; ++i) {
      const uint8_t y = rng.Uniform() < base ? 1 : 0;
      const double noise = rng.Uniform() + rng.Uniform() - 1;  // triangular on (-1, 1)
      const double s = 1 / (1 + std::exp(-(2.2 * (y - 0.5) + 1.3 * noise + (g[0] == 'a' ? 0.3 : -0.3))));
      d.scores.push_back(std::round(s * 1000) / 1000);  // some ties
      d.labels.push_back(y);
      d.group.push_back(g);
    }
  }
  return d;
}

struct Rates {
  double sel, tpr, fpr;
};

Rates RatesAt(const Data& d, const std::string& g, double t) {
  ConfusionCounts c;
  for (size_t i = 0; i < d.scores.size(); ++i) {
    if (d.group[i] != g) continue;
    const bool p = d.scores[i] >= t, y = d.labels[i] != 0;
    if (y) {
      ++(p ? c.tp : c.fn);
    } else {
      ++(p ? c.fp : c.tn);
    }
  }
  const auto r = RatesOf(c);
  return {r.selection_rate, r.tpr, r.fpr};
}

double AccuracyAt(const Data& d, double ta, double tb) {
  double correct = 0;
  for (size_t i = 0; i < d.scores.size(); ++i) {
    const double t = d.group[i] == "a" ? ta : tb;
    correct += ((d.scores[i] >= t) == (d.labels[i] != 0)) ? 1 : 0;
  }
  return correct / static_cast<double>(d.scores.size());
}

// Best accuracy over every pair of thresholds (each group's distinct scores, plus "none")
// whose rates satisfy the constraint within `bound`.
double BruteForce(const Data& d, ThresholdConstraint c, double bound) {
  std::set<double> cand = {2.0};
  for (double s : d.scores) cand.insert(s);
  double best = -1;
  for (double ta : cand) {
    const Rates ra = RatesAt(d, "a", ta);
    for (double tb : cand) {
      const Rates rb = RatesAt(d, "b", tb);
      const bool ok = c == ThresholdConstraint::kDemographicParity
                          ? std::abs(ra.sel - rb.sel) <= bound + 1e-12
                          : std::abs(ra.tpr - rb.tpr) <= bound + 1e-12 &&
                                std::abs(ra.fpr - rb.fpr) <= bound + 1e-12;
      if (ok) best = std::max(best, AccuracyAt(d, ta, tb));
    }
  }
  return best;
}

Result<ThresholdFit> Fit(const Data& d, ThresholdConstraint c, double bound) {
  auto groups = AssignGroups(Column::String("g", d.group));
  EXPECT_TRUE(groups.ok());
  ThresholdFitOptions opt;
  opt.constraint = c;
  opt.bound = bound;
  opt.min_group_size = 10;
  return FitGroupThresholds(d.scores, d.labels, *groups, opt);
}

TEST(GroupThresholds, DemographicParityIsMetAtTheBestAccuracy) {
  const Data d = Make(60, 3);
  auto fit = Fit(d, ThresholdConstraint::kDemographicParity, 0.05);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  const auto& t = fit->thresholds.thresholds;
  ASSERT_EQ(t.size(), 2u);
  EXPECT_LE(std::abs(RatesAt(d, "a", t[0]).sel - RatesAt(d, "b", t[1]).sel), 0.05 + 1e-12);
  EXPECT_LE(fit->disparity_after, 0.05 + 1e-12);
  EXPECT_GT(fit->disparity_before, 0.2);
  // The window search over every group's selection rates is exact.
  EXPECT_NEAR(fit->accuracy_after, BruteForce(d, ThresholdConstraint::kDemographicParity, 0.05),
              1e-12);
  EXPECT_NEAR(fit->accuracy_after, AccuracyAt(d, t[0], t[1]), 1e-12);
  EXPECT_NEAR(fit->accuracy_before, AccuracyAt(d, 0.5, 0.5), 1e-12);
}

TEST(GroupThresholds, EqualizedOddsIsMetWithinOneGridStepOfTheBest) {
  const Data d = Make(60, 4);
  const double bound = 0.1;
  auto fit = Fit(d, ThresholdConstraint::kEqualizedOdds, bound);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  const auto& t = fit->thresholds.thresholds;
  const Rates ra = RatesAt(d, "a", t[0]), rb = RatesAt(d, "b", t[1]);
  EXPECT_LE(std::abs(ra.tpr - rb.tpr), bound + 1e-12);
  EXPECT_LE(std::abs(ra.fpr - rb.fpr), bound + 1e-12);
  EXPECT_NEAR(fit->disparity_after, std::max(std::abs(ra.tpr - rb.tpr), std::abs(ra.fpr - rb.fpr)),
              1e-12);
  // Any pair within 0.9 * bound fits a grid window, so the fit is at least that good, and no
  // pair within the bound is better than the brute force.
  EXPECT_GE(fit->accuracy_after + 1e-12, BruteForce(d, ThresholdConstraint::kEqualizedOdds, 0.9 * bound));
  EXPECT_LE(fit->accuracy_after, BruteForce(d, ThresholdConstraint::kEqualizedOdds, bound) + 1e-12);
}

TEST(GroupThresholds, TinyBoundIsStillMetAtTheBestAccuracyItAllows) {
  const Data d = Make(12, 5);
  auto fit = Fit(d, ThresholdConstraint::kDemographicParity, 0.001);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_LE(fit->disparity_after, 0.001);
  EXPECT_NEAR(fit->accuracy_after, BruteForce(d, ThresholdConstraint::kDemographicParity, 0.001),
              1e-12);
  auto eo = Fit(d, ThresholdConstraint::kEqualizedOdds, 0.001);
  ASSERT_TRUE(eo.ok());
  EXPECT_LE(eo->disparity_after, 0.001);
}

TEST(GroupThresholds, NeedsTwoJudgedGroups) {
  Data d = Make(60, 6);
  for (auto& g : d.group) g = "a";
  auto fit = Fit(d, ThresholdConstraint::kDemographicParity, 0.05);
  EXPECT_EQ(fit.status().code(), StatusCode::kInvalidArgument);
}

TEST(GroupThresholds, AppliedToNewRowsByTheirAttribute) {
  const Data d = Make(60, 7);
  auto fit = Fit(d, ThresholdConstraint::kDemographicParity, 0.05);
  ASSERT_TRUE(fit.ok());
  const GroupThresholds& t = fit->thresholds;
  const std::vector<double> scores = {0.5, 0.5, 0.5, 0.5};
  const Column attr = Column::String("g", {"a", "b", "zzz", ""}, {0, 0, 0, 1});
  auto decisions = ApplyGroupThresholds(t, scores, attr);
  ASSERT_TRUE(decisions.ok());
  EXPECT_EQ((*decisions)[0], 0.5 >= t.thresholds[0] ? 1 : 0);
  EXPECT_EQ((*decisions)[1], 0.5 >= t.thresholds[1] ? 1 : 0);
  EXPECT_EQ((*decisions)[2], 0.5 >= t.default_threshold ? 1 : 0);  // unknown group
  EXPECT_EQ((*decisions)[3], 0.5 >= t.missing_threshold ? 1 : 0);
  EXPECT_FALSE(ApplyGroupThresholds(t, std::vector<double>{0.1}, attr).ok());
}

TEST(GroupThresholds, StoredInTheModelAndReadBack) {
  const Data d = Make(60, 8);
  auto fit = Fit(d, ThresholdConstraint::kEqualizedOdds, 0.1);
  ASSERT_TRUE(fit.ok());
  Model m;
  m.sections["fairness"] = {{"note", "kept"}};
  StoreGroupThresholds(*fit, &m);
  EXPECT_EQ(m.sections["fairness"]["note"], "kept");
  auto back = LoadGroupThresholds(m);
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ((*back)->thresholds, fit->thresholds.thresholds);
  EXPECT_EQ((*back)->constraint, ThresholdConstraint::kEqualizedOdds);
  EXPECT_EQ((*back)->groups.labels, fit->thresholds.groups.labels);

  Model none;
  auto empty = LoadGroupThresholds(none);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());

  m.sections["fairness"]["group_thresholds"]["thresholds"] = {0.5};
  EXPECT_EQ(LoadGroupThresholds(m).status().code(), StatusCode::kCorrupt);
  m.sections["fairness"]["group_thresholds"] = "garbage";
  EXPECT_EQ(LoadGroupThresholds(m).status().code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace keel::fairness
