// The exponentiated-gradient reduction on synthetic data where the label and a feature both
// depend on the group, so an unconstrained model selects one group far more often. The bounds
// are checked on the returned model's own predictions (the compiled predictor, as `keel
// predict` scores), not only on the reduction's report.
#include "train/fair_reduction.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/random.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"

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

// What the returned model does on the selection rows (the validation split): its decisions
// are margin >= 0 (the reduction moves the threshold into the base margin).
struct Measured {
  double disparity = NAN;  // the constraint's audit metric
  double accuracy = NAN;
};

Measured Measure(const TrainResult& r, const Data& d, FairConstraint c) {
  Measured out;
  auto x = EncodeFeatures(r.model, d.table);
  EXPECT_TRUE(x.ok()) << x.status().ToString();
  auto predictor = Predictor::Create(r.model);
  EXPECT_TRUE(predictor.ok()) << predictor.status().ToString();
  if (!x.ok() || !predictor.ok()) return out;
  std::vector<double> margins(x->rows);
  EXPECT_TRUE((*predictor)->PredictBatch(*x, margins, /*raw=*/true, 2).ok());
  // Per group and label: rows and selected rows.
  double n[2][2] = {}, selected[2][2] = {}, correct = 0;
  EXPECT_FALSE(r.split.valid.empty());
  for (uint32_t row : r.split.valid) {
    const int g = d.groups[row];
    const int y = static_cast<int>(r.labels[row]);  // 1 = "yes", the positive class
    const int decision = margins[row] >= 0 ? 1 : 0;
    n[g][y] += 1;
    selected[g][y] += decision;
    correct += decision == y;
  }
  out.accuracy = correct / static_cast<double>(r.split.valid.size());
  auto spread = [](double a, double b) { return std::abs(a - b); };
  if (c == FairConstraint::kDemographicParity) {
    out.disparity = spread((selected[0][0] + selected[0][1]) / (n[0][0] + n[0][1]),
                           (selected[1][0] + selected[1][1]) / (n[1][0] + n[1][1]));
  } else {  // equalized odds: the larger of the TPR and FPR spreads
    out.disparity = std::max(spread(selected[0][1] / n[0][1], selected[1][1] / n[1][1]),
                             spread(selected[0][0] / n[0][0], selected[1][0] / n[1][0]));
  }
  return out;
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
  // The returned model's own decisions meet the bound, and are what the report says.
  const Measured m = Measure(*r, d, c);
  EXPECT_LE(m.disparity, 0.05);
  EXPECT_NEAR(m.disparity, rep.disparity_after, 1e-12);
  EXPECT_NEAR(m.accuracy, rep.accuracy_after, 1e-12);
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
  EXPECT_GT(rep.disparity_before, 0.1) << "the unconstrained model should be unfair here";
  EXPECT_TRUE(rep.bound_met);
  const Measured m = Measure(*r, d, FairConstraint::kEqualizedOdds);
  EXPECT_LE(m.disparity, 0.1);
  EXPECT_NEAR(m.disparity, rep.disparity_after, 1e-12);
  EXPECT_NEAR(m.accuracy, rep.accuracy_after, 1e-12);
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
