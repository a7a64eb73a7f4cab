// The exponentiated-gradient reduction on synthetic data where the label and a feature both
// depend on the group, so an unconstrained model selects one group far more often.
#include "train/fair_reduction.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/random.h"

namespace keel {
namespace {

struct Data {
  Table table;
  Schema schema;
  std::vector<int32_t> groups;
};

Data Make(size_t n) {
  Rng rng(21);
  Data d;
  std::vector<double> x1(n), x2(n);
  std::vector<int32_t> grp(n), y(n);
  for (size_t i = 0; i < n; ++i) {
    grp[i] = rng.Uniform() < 0.5 ? 1 : 0;
    const double u1 = 1 - rng.Uniform(), u2 = rng.Uniform();
    const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
    x1[i] = z + 1.0 * grp[i];
    x2[i] = rng.Uniform();
    const double logit = 1.5 * x1[i] + 0.5 * grp[i] - 1.0;
    y[i] = rng.Uniform() < 1 / (1 + std::exp(-logit)) ? 1 : 0;
  }
  EXPECT_TRUE(d.table.AddColumn(Column::Numeric("x1", x1)).ok());
  EXPECT_TRUE(d.table.AddColumn(Column::Numeric("x2", x2)).ok());
  EXPECT_TRUE(d.table.AddColumn(Column::Categorical("grp", grp, {"a", "b"})).ok());
  EXPECT_TRUE(d.table.AddColumn(Column::Categorical("y", y, {"no", "yes"})).ok());
  ColumnSchema s;
  s.name = "grp";
  s.kind = ColumnKind::kCategorical;
  s.role = Role::kSensitive;
  d.schema.columns.push_back(s);
  d.groups = grp;
  return d;
}

TrainOptions Options(const std::string& algo) {
  TrainOptions o;
  o.target = "y";
  o.positive = "yes";
  o.params.algo = algo;
  o.params.num_trees = 20;
  o.params.num_leaves = 8;
  o.params.valid_size = 0.3;
  o.params.test_size = 0.0;
  return o;
}

// Two threads, no progress bar.
const Context& Ctx() {
  static const Context ctx = Context{}.WithThreads(2).Quiet();
  return ctx;
}

void ExpectMitigated(const std::string& algo, FairConstraint c) {
  Data d = Make(3000);
  FairReductionOptions fo;
  fo.constraint = c;
  fo.bound = 0.05;
  fo.iterations = 10;
  FairReductionReport rep;
  auto r = TrainFairReduction(d.table, d.schema, Options(algo), d.groups, fo, Ctx(), &rep);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(rep.selected_on, "valid");
  EXPECT_EQ(rep.steps.size(), 10u);
  EXPECT_GT(rep.disparity_before, 0.15) << "the unconstrained model should be unfair here";
  EXPECT_TRUE(rep.bound_met);
  EXPECT_LE(rep.disparity_after, 0.05);
  EXPECT_LE(rep.accuracy_after, rep.accuracy_before + 0.02);
  // The sensitive attribute is not a feature: the model needs no group at prediction time.
  for (const auto& f : r->model.features) EXPECT_NE(f.name, "grp");
  const auto& s = r->model.sections.at("fairness").at("fair_reduction");
  EXPECT_EQ(s.at("constraint"), std::string(FairConstraintName(c)));
  EXPECT_EQ(s.at("disparity_after").get<double>(), rep.disparity_after);
  EXPECT_TRUE(ValidateModel(r->model).ok());
}

TEST(FairReduction, GbdtMeetsDemographicParityBound) {
  ExpectMitigated("gbdt", FairConstraint::kDemographicParity);
}

TEST(FairReduction, LinearMeetsDemographicParityBound) {
  ExpectMitigated("linear", FairConstraint::kDemographicParity);
}

TEST(FairReduction, GbdtMeetsEqualizedOddsBound) {
  Data d = Make(3000);
  FairReductionOptions fo;
  fo.constraint = FairConstraint::kEqualizedOdds;
  fo.bound = 0.1;
  fo.iterations = 10;
  FairReductionReport rep;
  auto r = TrainFairReduction(d.table, d.schema, Options("gbdt"), d.groups, fo, Ctx(), &rep);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_LE(rep.disparity_after, std::max(0.1, rep.disparity_before));
  if (rep.bound_met) EXPECT_LE(rep.disparity_after, 0.1);
}

TEST(FairReduction, RejectsBadInput) {
  Data d = Make(300);
  FairReductionOptions fo;
  FairReductionReport rep;
  std::vector<int32_t> short_groups(10, 0);
  EXPECT_EQ(TrainFairReduction(d.table, d.schema, Options("gbdt"), short_groups, fo, Ctx(), &rep)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  TrainOptions balanced = Options("gbdt");
  balanced.params.class_weight = "balanced";
  EXPECT_FALSE(TrainFairReduction(d.table, d.schema, balanced, d.groups, fo, Ctx(), &rep).ok());
  std::vector<int32_t> one_group(d.table.num_rows(), 0);
  auto single = TrainFairReduction(d.table, d.schema, Options("gbdt"), one_group, fo, Ctx(), &rep);
  ASSERT_FALSE(single.ok());
  EXPECT_NE(single.status().message().find("two groups"), std::string::npos);
  fo.bound = 0;
  EXPECT_FALSE(
      TrainFairReduction(d.table, d.schema, Options("gbdt"), d.groups, fo, Ctx(), &rep).ok());
}

TEST(FairConstraintNames, RoundTrip) {
  FairConstraint c;
  ASSERT_TRUE(ParseFairConstraint("equalized_odds", &c));
  EXPECT_EQ(c, FairConstraint::kEqualizedOdds);
  ASSERT_TRUE(ParseFairConstraint(FairConstraintName(FairConstraint::kDemographicParity), &c));
  EXPECT_EQ(c, FairConstraint::kDemographicParity);
  EXPECT_FALSE(ParseFairConstraint("fair", &c));
}

}  // namespace
}  // namespace keel
