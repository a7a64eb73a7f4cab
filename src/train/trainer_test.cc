// Train() end to end on in-memory tables: model contents, lineage, and bad input.
#include "train/trainer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <thread>

#include "core/random.h"
#include "train/metrics.h"

namespace keel {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// x (signal), noise, color (categorical), id (string), y (yes/no).
Table MakeTable(size_t n, uint64_t seed = 1) {
  Rng rng(seed);
  std::vector<double> x(n), noise(n);
  std::vector<int32_t> color(n), y(n);
  std::vector<std::string> id(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = rng.Uniform();
    noise[i] = rng.Uniform();
    color[i] = static_cast<int32_t>(rng.Below(3));
    id[i] = "row" + std::to_string(i);
    const double z = 4 * (x[i] - 0.5) + (color[i] == 2 ? 1.0 : 0.0);
    y[i] = rng.Uniform() < 1 / (1 + std::exp(-z)) ? 1 : 0;
  }
  Table t;
  EXPECT_TRUE(t.AddColumn(Column::Numeric("x", x)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("noise", noise)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("color", color, {"red", "green", "blue"})).ok());
  EXPECT_TRUE(t.AddColumn(Column::String("id", id)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("y", y, {"no", "yes"})).ok());
  return t;
}

// No validation split (these tests pin tree counts and split sizes; the automatic split has
// its own test below).
TrainOptions Options() {
  TrainOptions o;
  o.target = "y";
  o.params.num_trees = 30;
  o.params.valid_size = 0;
  return o;
}

// Two threads, no progress bar.
const Context& Ctx() {
  static const Context ctx = Context{}.WithThreads(2).Quiet();
  return ctx;
}

TEST(Trainer, GbdtModelHasFeaturesLabelsLineageAndMetrics) {
  Table t = MakeTable(3000);
  TrainOptions o = Options();
  o.positive = "yes";
  auto r = Train(t, Schema{}, o, Ctx());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Model& m = r->model;
  EXPECT_EQ(m.task, Task::kBinary);
  EXPECT_EQ(m.kind, Model::Kind::kForest);
  ASSERT_EQ(m.features.size(), 3u);  // id is text, y the target
  EXPECT_EQ(m.features[2].name, "color");
  EXPECT_EQ(m.features[2].kind, FeatureSpec::Kind::kCategorical);
  EXPECT_EQ(m.features[2].categories.size(), 3u);
  EXPECT_EQ(m.labels.classes[1], "yes");
  EXPECT_EQ(m.forest.trees.size(), 30u);
  ASSERT_TRUE(m.sections.count("lineage"));
  const auto& lin = m.sections.at("lineage");
  EXPECT_EQ(lin["rows"]["train"], 2400);
  EXPECT_EQ(lin["rows"]["test"], 600);
  EXPECT_EQ(lin["parameters"]["num_trees"], 30);
  EXPECT_TRUE(lin.contains("created"));
  EXPECT_TRUE(lin.contains("keel_version"));
  ASSERT_TRUE(m.sections.count("metrics"));
  // Against the Bayes-optimal score (the true logit) on the same 600 test rows, whose AUC is
  // about 0.79 but varies by +-0.02 with the draw: XGBoost with these settings lands 0.01 to
  // 0.03 below it on such draws (20 seeds, 30 trees of 31 leaves, lr 0.1), so a fixed bar
  // would test the draw, not the trainer.
  std::vector<double> z, ytest;
  const Column& x = *t.Find("x");
  const Column& color = *t.Find("color");
  for (uint32_t row : r->split.test) {
    z.push_back(4 * (x.numeric()[row] - 0.5) + (color.codes()[row] == 2 ? 1.0 : 0.0));
    ytest.push_back(r->labels[row]);
  }
  const double bayes = Auc(z, ytest);
  const double auc = m.sections.at("metrics")["test"]["auc"].get<double>();
  EXPECT_GT(auc, bayes - 0.04) << "bayes-optimal AUC " << bayes;
  EXPECT_LE(auc, bayes + 0.01) << "better than the true logit: a leak";
  ASSERT_EQ(r->report.splits.size(), 2u);
  EXPECT_EQ(r->report.splits[1].name, "test");
  EXPECT_EQ(r->report.excluded.size(), 1u);
  EXPECT_EQ(r->report.excluded[0].name, "id");
}

TEST(Trainer, AutomaticValidationSplitHoldsOutATenthOfTheNonTestRowsFromFiveHundred) {
  TrainOptions o;
  o.target = "y";
  o.params.num_trees = 30;
  ASSERT_EQ(o.params.valid_size, kAutoParam);  // the default
  // k-fold off: with "auto" folds these sizes would cross-validate instead (the
  // CrossValidation tests pin that).
  o.params.folds = 0;
  auto big = Train(MakeTable(3000), Schema{}, o, Ctx());
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->report.validation, "auto");
  EXPECT_EQ(big->split.test.size(), 600u);
  EXPECT_EQ(big->split.valid.size(), 240u);  // 10% of the 2400 non-test rows
  EXPECT_EQ(big->split.train.size(), 2160u);
  EXPECT_EQ(big->model.sections.at("lineage")["parameters"]["valid_size"], "auto");
  // 600 rows leave 480 non-test rows: below 500, no validation split.
  auto small = Train(MakeTable(600), Schema{}, o, Ctx());
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_TRUE(small->split.valid.empty());
  EXPECT_NE(small->report.validation.find("none"), std::string::npos);
  // An explicit 0 is none, whatever the size.
  o.params.valid_size = 0;
  auto none = Train(MakeTable(3000), Schema{}, o, Ctx());
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->split.valid.empty());
  EXPECT_EQ(none->report.validation, "none");
}

TEST(Trainer, LinearBaselineProducesLinearModel) {
  Table t = MakeTable(2000);
  TrainOptions o = Options();
  o.params.algo = "linear";
  auto r = Train(t, Schema{}, o, Ctx());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->model.kind, Model::Kind::kLinear);
  EXPECT_TRUE(r->report.converged);
  EXPECT_GT(r->report.splits[1].metrics[0].second, 0.75);  // test auc
}

// Cancelling stops training at its next safe point: between trees, or before the linear
// solver's next pass over the rows.
TEST(Trainer, CancellingStopsTrainingBetweenTrees) {
  Table t = MakeTable(3000);
  TrainOptions o = Options();
  o.params.num_trees = 100000;  // far longer than the test waits unless cancelling works
  Context ctx = Ctx();
  ctx.cancel = std::make_shared<CancelFlag>();
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ctx.cancel->Cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  auto r = Train(t, Schema{}, o, ctx);
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled) << r.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));

  o.params.algo = "linear";
  auto linear = Train(t, Schema{}, o, ctx);  // already cancelled: stops before its first pass
  ASSERT_FALSE(linear.ok());
  EXPECT_EQ(linear.status().code(), StatusCode::kCancelled) << linear.status().ToString();
}

TEST(Trainer, ValidationSplitRunsEarlyStopping) {
  Table t = MakeTable(3000);
  TrainOptions o = Options();
  o.params.valid_size = 0.2;
  o.params.num_trees = 400;
  o.params.learning_rate = 0.5;
  o.params.early_stopping_rounds = 5;
  auto r = Train(t, Schema{}, o, Ctx());
  ASSERT_TRUE(r.ok());
  EXPECT_LT(r->report.iterations, 400);
  EXPECT_EQ(r->report.splits.size(), 3u);
  EXPECT_EQ(r->model.forest.trees.size(), static_cast<size_t>(r->report.iterations));
}

TEST(Trainer, SensitiveColumnsAreExcludedUnlessAsked) {
  Table t = MakeTable(1000);
  Schema s;
  ColumnSchema c;
  c.name = "color";
  c.kind = ColumnKind::kCategorical;
  c.role = Role::kSensitive;
  s.columns.push_back(c);
  auto r = Train(t, s, Options(), Ctx());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->model.FeatureIndex("color"), -1);
  TrainOptions o = Options();
  o.include_sensitive = true;
  auto r2 = Train(t, s, o, Ctx());
  ASSERT_TRUE(r2.ok());
  EXPECT_GE(r2->model.FeatureIndex("color"), 0);
}

TEST(Trainer, AllMissingAndConstantFeaturesAreDroppedWithAReason) {
  Table t = MakeTable(1000);
  ASSERT_TRUE(t.AddColumn(Column::Numeric("empty", std::vector<double>(1000, kNaN))).ok());
  ASSERT_TRUE(t.AddColumn(Column::Numeric("const", std::vector<double>(1000, 3.0))).ok());
  auto r = Train(t, Schema{}, Options(), Ctx());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->model.FeatureIndex("empty"), -1);
  EXPECT_EQ(r->model.FeatureIndex("const"), -1);
  bool saw_empty = false, saw_const = false;
  for (const auto& e : r->report.excluded) {
    if (e.name == "empty") saw_empty = e.reason.find("missing") != std::string::npos;
    if (e.name == "const") saw_const = e.reason.find("constant") != std::string::npos;
  }
  EXPECT_TRUE(saw_empty);
  EXPECT_TRUE(saw_const);
}

// "A label never seen in training": class 'late' occurs only in the newest rows, which a
// time split holds out for testing, so no training row teaches it.
TEST(Trainer, ClassWithoutTrainingRowsIsAClearError) {
  const size_t n = 200;
  std::vector<double> x(n), when(n);
  std::vector<int32_t> y(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = static_cast<double>(i % 17);
    when[i] = static_cast<double>(i);
    y[i] = i >= 190 ? 2 : static_cast<int32_t>(i % 2);
  }
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("x", x)).ok());
  ASSERT_TRUE(t.AddColumn(Column::Numeric("when", when)).ok());
  ASSERT_TRUE(t.AddColumn(Column::Categorical("y", y, {"a", "b", "late"})).ok());
  TrainOptions o = Options();
  o.params.split = "time:when";
  o.exclude = {"when"};
  auto r = Train(t, Schema{}, o, Ctx());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("class 'late'"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("no rows in the training split"), std::string::npos);
  // A random split that trains on some 'late' rows is fine.
  o.params.split = "random";
  auto ok = Train(t, Schema{}, o, Ctx());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->model.num_outputs, 3);
}

TEST(Trainer, NoUsableFeatureIsAnError) {
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("c", std::vector<double>(10, 1.0))).ok());
  ASSERT_TRUE(t.AddColumn(Column::Numeric("y", {0, 1, 0, 1, 0, 1, 0, 1, 0, 1})).ok());
  auto r = Train(t, Schema{}, Options(), Ctx());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no usable feature"), std::string::npos);
  EXPECT_NE(r.status().message().find("constant"), std::string::npos);
}

TEST(Trainer, ZeroRowsIsAnError) {
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("x", {})).ok());
  ASSERT_TRUE(t.AddColumn(Column::Numeric("y", {})).ok());
  auto r = Train(t, Schema{}, Options(), Ctx());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no rows"), std::string::npos);
}

TEST(Trainer, ZeroRowsWithATargetIsAnError) {
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("x", {1, 2, 3})).ok());
  ASSERT_TRUE(t.AddColumn(Column::Numeric("y", {kNaN, kNaN, kNaN})).ok());
  auto r = Train(t, Schema{}, Options(), Ctx());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no values"), std::string::npos);
}

TEST(Trainer, RegressionOnNumericTarget) {
  Rng rng(5);
  std::vector<double> x(2000), y(2000);
  for (size_t i = 0; i < 2000; ++i) {
    x[i] = rng.Uniform();
    y[i] = 10 * x[i] + rng.Uniform();
  }
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("x", x)).ok());
  ASSERT_TRUE(t.AddColumn(Column::Numeric("y", y)).ok());
  auto r = Train(t, Schema{}, Options(), Ctx());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->model.task, Task::kRegression);
  EXPECT_EQ(r->report.split_method, "random");
  EXPECT_EQ(r->report.splits[1].metrics[0].first, "rmse");
  EXPECT_LT(r->report.splits[1].metrics[0].second, 0.5);
}

TEST(Trainer, BalancedClassWeightsRaiseMinorityScores) {
  Table t = MakeTable(3000);
  auto plain = Train(t, Schema{}, Options(), Ctx());
  TrainOptions o = Options();
  o.params.class_weight = "balanced";
  auto balanced = Train(t, Schema{}, o, Ctx());
  ASSERT_TRUE(plain.ok() && balanced.ok());
  // With balanced weights the base rate moves to 1/2: the base margin moves toward 0.
  EXPECT_LT(std::abs(balanced->model.base_margin[0]),
            std::abs(plain->model.base_margin[0]) + 1e-12);
}

TEST(Trainer, BadParametersAreRejectedBeforeReadingData) {
  Table t = MakeTable(100);
  TrainOptions o = Options();
  o.params.test_size = 0.7;
  o.params.valid_size = 0.3;
  EXPECT_FALSE(Train(t, Schema{}, o, Ctx()).ok());
}

TEST(Trainer, ExcludeNamesMustExist) {
  Table t = MakeTable(100);
  TrainOptions o = Options();
  o.exclude = {"nope"};
  auto r = Train(t, Schema{}, o, Ctx());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace keel
