// Keel's TreeSHAP on imported XGBoost models against XGBoost's own pred_contribs=True
// (tests/fixtures/xgboost and tests/fixtures/shap, written by make_fixtures.py there): numeric
// splits with missing values, native categorical splits (partition and one-hot, unseen codes),
// multiclass (softprob, softmax), regression (squared, absolute, pseudo-Huber error),
// binary:logitraw, dart with dropped trees, deep trees (depth 8) with repeated features on paths,
// on held-out rows, rows with injected missing values and rows on split thresholds.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "explain/explainer.h"
#include "explain/tree_shap.h"
#include "model/import_fixture_reader.h"
#include "model/xgboost_import.h"
#include "predict/predictor.h"

namespace keel {
namespace {

// "name" is in tests/fixtures/xgboost; "shap/name" in tests/fixtures/shap.
std::string Fixture(const std::string& name) {
  return std::string(KEEL_FIXTURES_DIR) + (name.rfind("shap/", 0) == 0 ? "/" : "/xgboost/") + name;
}

// The fixture rows as the model's feature matrix (columns matched by name).
FeatureMatrix Rows(const Model& model, const NumericCsv& csv) {
  FeatureMatrix x;
  x.rows = csv.rows.size();
  x.cols = model.features.size();
  x.values.assign(x.rows * x.cols, NAN);
  for (size_t f = 0; f < x.cols; ++f) {
    size_t c = 0;
    while (c < csv.header.size() && csv.header[c] != model.features[f].name) ++c;
    EXPECT_LT(c, csv.header.size()) << "no column " << model.features[f].name;
    if (c == csv.header.size()) continue;
    for (size_t r = 0; r < x.rows; ++r) x.row(r)[f] = static_cast<float>(csv.rows[r][c]);
  }
  return x;
}

void ExpectEqualsXGBoost(const std::string& name, TreeShapAlgorithm algorithm) {
  SCOPED_TRACE(name);
  auto model = ImportXGBoostFile(Fixture(name + "_model.json"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const NumericCsv rows = ReadNumericCsv(Fixture(name + "_rows.csv"));
  const NumericCsv want = ReadNumericCsv(Fixture(name + "_contribs.csv"));
  ASSERT_EQ(rows.rows.size(), want.rows.size());
  ASSERT_GE(rows.rows.size(), 100u);
  const FeatureMatrix x = Rows(*model, rows);

  ExplainerOptions options;
  options.tree_algorithm = algorithm;
  auto explainer = CreateExplainer(*model, options);
  ASSERT_TRUE(explainer.ok()) << explainer.status().ToString();
  const Explainer& e = **explainer;
  ASSERT_EQ(want.header.size(), e.row_width());
  std::vector<double> got(x.rows * e.row_width());
  ASSERT_TRUE(e.ExplainMatrix(x, 2, got).ok());

  // XGBoost's columns are its feature order (+ bias) per class; Keel's are the model's.
  const size_t nf = x.cols;
  auto predictor = Predictor::Create(*model);
  ASSERT_TRUE(predictor.ok());
  std::vector<double> margins(static_cast<size_t>(model->num_outputs));
  double worst = 0;
  for (size_t r = 0; r < x.rows; ++r) {
    const double* g = got.data() + r * e.row_width();
    // XGBoost computes in float32: its values carry rounding of the order of the float32
    // spacing at the largest magnitude it accumulates (the bias of a regression in the
    // hundreds has a spacing above 1e-5).
    double largest = 0;
    for (double v : want.rows[r]) largest = std::max(largest, std::abs(v));
    const double tolerance = std::max(
        1e-5, 4 * static_cast<double>(std::nextafter(static_cast<float>(largest), INFINITY) -
                                      static_cast<float>(largest)));
    for (int k = 0; k < model->num_outputs; ++k) {
      const std::string prefix = model->num_outputs > 1 ? std::to_string(k) + ":" : "";
      for (size_t f = 0; f <= nf; ++f) {
        const std::string column =
            prefix + (f < nf ? model->features[f].name : std::string("bias"));
        size_t c = 0;
        while (c < want.header.size() && want.header[c] != column) ++c;
        ASSERT_LT(c, want.header.size()) << column;
        const double v = g[static_cast<size_t>(k) * (nf + 1) + f];
        worst = std::max(worst, std::abs(v - want.rows[r][c]));
        ASSERT_NEAR(v, want.rows[r][c], tolerance) << "row " << r << " column " << column;
      }
    }
    // Attributions + bias = the predictor's raw margin.
    (*predictor)->PredictRawRow(x.row(r), margins.data());

    for (int k = 0; k < model->num_outputs; ++k) {
      double sum = 0;
      for (size_t f = 0; f <= nf; ++f) sum += g[static_cast<size_t>(k) * (nf + 1) + f];
      ASSERT_NEAR(sum, margins[static_cast<size_t>(k)], 1e-6) << "row " << r;
    }
  }
  ::testing::Test::RecordProperty("max_abs_difference", std::to_string(worst));
}

TEST(XGBoostShap, BinaryWithMissingValuesEqualsPredContribs) {
  ExpectEqualsXGBoost("binary_missing", TreeShapAlgorithm::kAuto);
  ExpectEqualsXGBoost("binary_missing", TreeShapAlgorithm::kLeafPolynomial);
}

TEST(XGBoostShap, CategoricalPartitionSplitsEqualPredContribs) {
  ExpectEqualsXGBoost("categorical", TreeShapAlgorithm::kAuto);
  ExpectEqualsXGBoost("categorical", TreeShapAlgorithm::kLeafPolynomial);
}

TEST(XGBoostShap, CategoricalOneHotSplitsEqualPredContribs) {
  ExpectEqualsXGBoost("categorical_onehot", TreeShapAlgorithm::kAuto);
}

TEST(XGBoostShap, MulticlassEqualsPredContribsPerClass) {
  ExpectEqualsXGBoost("multiclass", TreeShapAlgorithm::kAuto);
  ExpectEqualsXGBoost("multiclass", TreeShapAlgorithm::kLeafPolynomial);
}

TEST(XGBoostShap, RegressionEqualsPredContribs) {
  ExpectEqualsXGBoost("regression", TreeShapAlgorithm::kAuto);
}

TEST(XGBoostShap, LogitRawEqualsPredContribs) {
  ExpectEqualsXGBoost("logitraw", TreeShapAlgorithm::kAuto);
}

TEST(XGBoostShap, MultiSoftmaxEqualsPredContribsPerClass) {
  ExpectEqualsXGBoost("softmax", TreeShapAlgorithm::kAuto);
}

TEST(XGBoostShap, AbsoluteAndPseudoHuberErrorEqualPredContribs) {
  ExpectEqualsXGBoost("absoluteerror", TreeShapAlgorithm::kAuto);
  ExpectEqualsXGBoost("pseudohuber", TreeShapAlgorithm::kAuto);
}

// dart: XGBoost weighs each tree's contributions by its weight_drop, as Keel's leaves are.
TEST(XGBoostShap, DartEqualsPredContribs) {
  ExpectEqualsXGBoost("dart", TreeShapAlgorithm::kAuto);
  ExpectEqualsXGBoost("dart", TreeShapAlgorithm::kLeafPolynomial);
}

TEST(XGBoostShap, UnseenCategoryCodesEqualPredContribs) {
  ExpectEqualsXGBoost("categorical_unseen", TreeShapAlgorithm::kAuto);
}

TEST(XGBoostShap, DeepTreesWithMissingValuesEqualPredContribs) {
  ExpectEqualsXGBoost("shap/deep_missing", TreeShapAlgorithm::kAuto);
  ExpectEqualsXGBoost("shap/deep_missing", TreeShapAlgorithm::kLeafPolynomial);
}

TEST(XGBoostShap, DeepMulticlassWithMissingCategoriesEqualsPredContribs) {
  ExpectEqualsXGBoost("shap/deep_multiclass", TreeShapAlgorithm::kAuto);
}

}  // namespace
}  // namespace keel
