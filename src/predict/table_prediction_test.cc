#include "predict/table_prediction.h"

#include <gtest/gtest.h>

#include <cmath>

#include "model/link_function.h"

namespace keel {
namespace {

// Multiclass stump-free model: each class's margin is a constant plus one split on x.
Model ThreeClassModel() {
  Model m;
  m.objective = Objective::kMultiSoftmax;
  m.task = Task::kMulticlass;
  m.num_outputs = 3;
  m.base_margin = {0.0, 0.5, -0.5};
  m.labels.classes = {"low", "mid", "high"};
  m.features.push_back({"x", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  m.schema.columns.push_back({"id", ColumnKind::kString, Role::kId, {}, {}, {}, {}});
  m.schema.columns.push_back({"x", ColumnKind::kNumeric, Role::kFeature, {}, {}, {}, {}});
  for (int k = 0; k < 3; ++k) {
    Tree t;
    t.class_index = k;
    TreeNode root;
    root.left = 1;
    root.right = 2;
    root.feature = 0;
    root.threshold = 1.0;
    TreeNode l, r;
    l.value = k;
    r.value = -k;
    t.nodes = {root, l, r};
    m.forest.trees.push_back(t);
  }
  return m;
}

TEST(TablePrediction, ColumnsNameClassesPositiveLast) {
  Model m;
  m.labels.classes = {"No", "Yes"};
  EXPECT_EQ(PredictionColumns(m, true),
            (std::vector<std::string>{"prob_No", "prob_Yes", "raw_Yes"}));
  m.labels.classes.clear();
  EXPECT_EQ(PredictionColumns(m, false), (std::vector<std::string>{"prob_0", "prob_1"}));
  m.task = Task::kRegression;
  EXPECT_EQ(PredictionColumns(m, true), (std::vector<std::string>{"prediction", "raw"}));
  EXPECT_EQ(PredictionColumns(ThreeClassModel(), true),
            (std::vector<std::string>{"prob_low", "prob_mid", "prob_high", "raw_low", "raw_mid",
                                      "raw_high"}));
}

TEST(TablePrediction, PredictsEveryRowAndPlacesRejectedRecords) {
  const Model m = ThreeClassModel();
  auto p = Predictor::Create(m);
  ASSERT_TRUE(p.ok());
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::String("id", {"a,1", "b"})).ok());
  ASSERT_TRUE(t.AddColumn(Column::Numeric("x", {0.5, NAN})).ok());
  t.set_source_lines({2, 4});  // line 3 was rejected by the reader, line 5 too
  TablePredictionOptions o;
  o.raw = true;
  auto preds = PredictTable(m, **p, t, o, Context{});
  ASSERT_TRUE(preds.ok()) << preds.status().ToString();
  ASSERT_EQ(preds->rows, 2u);
  // Row 0: x < 1 -> margins (0, 1.5, 1.5).
  const double m0[3] = {0.0, 1.5, 1.5};
  double probs[3];
  MarginsToPredictions(m.objective, 3, m0, probs);
  EXPECT_DOUBLE_EQ(preds->values[0], probs[0]);
  EXPECT_DOUBLE_EQ(preds->values[3], 0.0);
  EXPECT_DOUBLE_EQ(preds->values[4], 1.5);
  const std::string csv = PredictionsToCsv(*preds, t, "id", {3, 5});
  const std::vector<std::string> lines = [&] {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < csv.size()) {
      const size_t e = csv.find('\n', pos);
      out.push_back(csv.substr(pos, e - pos));
      pos = e + 1;
    }
    return out;
  }();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "id,prob_low,prob_mid,prob_high,raw_low,raw_mid,raw_high");
  EXPECT_EQ(lines[1].substr(0, 6), "\"a,1\",");
  EXPECT_EQ(lines[2], ",,,,,,");  // the rejected record on line 3
  EXPECT_EQ(lines[3].substr(0, 2), "b,");
  EXPECT_EQ(lines[4], ",,,,,,");
  EXPECT_NE(lines[1].find(",0,1.5,1.5"), std::string::npos) << lines[1];
}

TEST(TablePrediction, AbsentFeatureColumnIsAnErrorUnlessAllowed) {
  const Model m = ThreeClassModel();
  auto p = Predictor::Create(m);
  ASSERT_TRUE(p.ok());
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("y", {1})).ok());
  EXPECT_EQ(PredictTable(m, **p, t, {}, Context{}).status().code(), StatusCode::kNotFound);
  TablePredictionOptions o;
  o.allow_absent_columns = true;
  auto preds = PredictTable(m, **p, t, o, Context{});
  ASSERT_TRUE(preds.ok());
  EXPECT_EQ(preds->encode.absent, (std::vector<std::string>{"x"}));
}

// PredictEncodedInto writes PredictEncoded's values into the caller's buffer, and refuses a
// buffer of another size; PredictionWidth counts PredictionColumns.
TEST(TablePrediction, PredictEncodedIntoEqualsPredictEncoded) {
  const Model m = ThreeClassModel();
  auto p = Predictor::Create(m);
  ASSERT_TRUE(p.ok());
  const std::vector<float> x = {0.5f, 2.0f, NAN};
  for (bool raw : {false, true}) {
    EXPECT_EQ(PredictionWidth(m, raw), PredictionColumns(m, raw).size());
    auto want = PredictEncoded(m, **p, x, 3, raw, 1);
    ASSERT_TRUE(want.ok());
    std::vector<double> got(3 * PredictionWidth(m, raw));
    ASSERT_TRUE(PredictEncodedInto(m, **p, x, 3, raw, 2, got).ok());
    EXPECT_EQ(got, want->values);
    got.pop_back();
    EXPECT_FALSE(PredictEncodedInto(m, **p, x, 3, raw, 1, got).ok());
  }
  Model binary;
  binary.features = m.features;
  EXPECT_EQ(PredictionWidth(binary, false), 2u);
  EXPECT_EQ(PredictionWidth(binary, true), 3u);
}

}  // namespace
}  // namespace keel
