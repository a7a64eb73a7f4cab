#include "eval/labeled_predictions.h"

#include <gtest/gtest.h>

#include <cmath>

#include "eval/eval_test_models.h"
#include "eval/model_evaluation.h"
#include "model/link_function.h"

namespace keel {
namespace {

using testing::LinearOn;
using testing::LogisticOn;

Table LabeledTable(std::vector<int32_t> codes, std::vector<std::string> dictionary) {
  Table t;
  std::vector<double> x(codes.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
  EXPECT_TRUE(t.AddColumn(Column::Numeric("x", x)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("y", std::move(codes), std::move(dictionary))).ok());
  return t;
}

TEST(ReadLabels, MapsLabelsThroughTheModelsMappingAndSkipsMissing) {
  // The table's dictionary is in another order and spelling than the model's classes.
  const Table t = LabeledTable({0, 1, kMissingCode, 0}, {"YES", "no"});
  auto truth = ReadLabels(LogisticOn("x", 1.0), t);
  ASSERT_TRUE(truth.ok()) << truth.status().ToString();
  EXPECT_EQ(truth->labels, (std::vector<int32_t>{1, 0, 1}));
  EXPECT_EQ(truth->rows, (std::vector<uint32_t>{0, 1, 3}));
  EXPECT_EQ(truth->rows_missing_label, 1u);
  EXPECT_EQ(truth->num_classes, 2);
  EXPECT_TRUE(truth->weights.empty());
}

TEST(ReadLabels, UnknownLabelIsAnErrorNamingLineAndValue) {
  Table t = LabeledTable({0, 1, 2}, {"no", "yes", "maybe"});
  t.set_source_lines({2, 3, 7});
  auto truth = ReadLabels(LogisticOn("x", 1.0), t);
  ASSERT_FALSE(truth.ok());
  EXPECT_NE(truth.status().message().find("line 7"), std::string::npos)
      << truth.status().ToString();
  EXPECT_NE(truth.status().message().find("'maybe'"), std::string::npos);
  EXPECT_NE(truth.status().message().find("'no', 'yes'"), std::string::npos);
}

TEST(ReadLabels, MissingTargetColumnAndNoLabels) {
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("x", {1, 2})).ok());
  auto truth = ReadLabels(LogisticOn("x", 1.0), t);
  ASSERT_FALSE(truth.ok());
  EXPECT_EQ(truth.status().code(), StatusCode::kNotFound);
  const Table empty = LabeledTable({kMissingCode, kMissingCode}, {"no"});
  EXPECT_EQ(ReadLabels(LogisticOn("x", 1.0), empty).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(ReadLabels, RegressionNeedsNumbersAndReadsWeights) {
  Model m = LinearOn("x", 1.0);
  m.target = "y";
  const Table categorical = LabeledTable({0, 1}, {"a", "b"});
  EXPECT_FALSE(ReadLabels(m, categorical).ok());

  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("x", {1, 2, 3})).ok());
  ASSERT_TRUE(t.AddColumn(Column::Numeric("y", {1.5, NAN, 2.5})).ok());
  ASSERT_TRUE(t.AddColumn(Column::Numeric("w", {2, 3, 0.5})).ok());
  m.schema.columns.push_back({.name = "w", .kind = ColumnKind::kNumeric, .role = Role::kWeight});
  auto truth = ReadLabels(m, t);
  ASSERT_TRUE(truth.ok()) << truth.status().ToString();
  EXPECT_EQ(truth->targets, (std::vector<double>{1.5, 2.5}));
  EXPECT_EQ(truth->weights, (std::vector<double>{2, 0.5}));
  EXPECT_EQ(truth->weight_column, "w");

  ASSERT_TRUE(t.RemoveColumn("w").ok());
  ASSERT_TRUE(t.AddColumn(Column::Numeric("w", {2, 3, -1})).ok());
  auto bad = ReadLabels(m, t);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 4"), std::string::npos) << bad.status().ToString();
}

TEST(EvaluateModel, PredictsTheLabeledRowsOnly) {
  const Table t = LabeledTable({0, 1, kMissingCode, 1}, {"no", "yes"});
  const Model m = LogisticOn("x", 0.5, -1.0);
  auto p = Predictor::Create(m);
  ASSERT_TRUE(p.ok());
  EvaluationOptions o;
  o.bootstrap.resamples = 10;
  auto ev = EvaluateModel(m, **p, t, o, Context().WithThreads(1));
  ASSERT_TRUE(ev.ok()) << ev.status().ToString();
  EXPECT_EQ(ev->evaluation.rows, 3u);
  // Rows 0, 1 and 3 (x = 0, 1, 3): labels no, yes, yes; scores increase with x.
  EXPECT_DOUBLE_EQ(ev->evaluation.Find(Metric::kAuc)->value, 1.0);
  const double brier = (std::pow(Sigmoid(-1.0), 2) + std::pow(1 - Sigmoid(-0.5), 2) +
                        std::pow(1 - Sigmoid(0.5), 2)) /
                       3;
  EXPECT_NEAR(ev->evaluation.Find(Metric::kBrier)->value, brier, 1e-12);
}

}  // namespace
}  // namespace keel
