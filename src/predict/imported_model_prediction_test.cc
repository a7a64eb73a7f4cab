// The compiled predictor on imported peer models: XGBoost's own predictions within 1e-6 on
// every fixture row (missing values and threshold ties included), and the LightGBM
// hand-written models against the reference evaluator; through a save/load round trip.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "model/import_fixture_reader.h"
#include "model/lightgbm_import.h"
#include "model/model_io.h"
#include "model/xgboost_import.h"
#include "predict/predictor.h"
#include "predict/reference_evaluator.h"

namespace keel {
namespace {

std::string Fixture(const std::string& path) {
  return std::string(KEEL_FIXTURES_DIR) + "/" + path;
}

class XGBoostFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(XGBoostFixture, CompiledPredictionsEqualXGBoostsAfterSaveAndLoad) {
  const std::string name = GetParam();
  auto imported = ImportXGBoostFile(Fixture("xgboost/" + name + "_model.json"));
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  // Through the artifact, as `keel import` + `keel predict` would.
  auto model = DeserializeModel(SerializeModel(*imported), "mem");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto p = Predictor::Create(*model);
  ASSERT_TRUE(p.ok());
  const auto rows = ReadNumericCsv(Fixture("xgboost/" + name + "_rows.csv"));
  const auto want = ReadNumericCsv(Fixture("xgboost/" + name + "_pred.csv"));
  const size_t nf = model->features.size(), k = static_cast<size_t>(model->num_outputs);
  std::vector<float> x;
  for (const auto& r : rows.rows) x.insert(x.end(), r.begin(), r.end());
  std::vector<double> batch(rows.rows.size() * k);
  ASSERT_TRUE((*p)->PredictBatch(x, rows.rows.size(), batch, false, 2).ok());
  double worst = 0;
  for (size_t r = 0; r < rows.rows.size(); ++r) {
    std::vector<double> single(k);
    (*p)->PredictRow(x.data() + r * nf, single.data());
    for (size_t o = 0; o < k; ++o) {
      ASSERT_EQ(single[o], batch[r * k + o]);
      const double w = want.rows[r][o];
      const double err = std::abs(single[o] - w) / std::max(1.0, std::abs(w));
      worst = std::max(worst, err);
      EXPECT_LE(err, 1e-6) << name << " row " << r << ": keel " << single[o] << " xgboost " << w;
    }
  }
  std::printf("%s: worst |keel - xgboost| = %.3g over %zu rows\n", name.c_str(), worst,
              rows.rows.size());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, XGBoostFixture,
                         ::testing::Values("binary_missing", "categorical", "categorical_onehot",
                                           "multiclass", "regression", "reg_logistic", "poisson",
                                           "gamma", "tweedie"));

TEST(LightGBMFixtures, CompiledPredictorMatchesReferenceOnEverySplitKind) {
  for (const char* name : {"binary_splits.txt", "multiclass.txt", "regression_zero.txt"}) {
    auto model = ImportLightGBMFile(Fixture(std::string("lightgbm/") + name));
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    auto p = Predictor::Create(*model);
    ASSERT_TRUE(p.ok());
    // Every combination of interesting values per feature.
    const float vals[] = {std::nanf(""), 0.0f, -0.0f, 1.5f,   -1.0f, 0.1f, 2.0f, 3.0f,
                          33.0f,         3.9f, -0.5f, 1e-30f, 64.0f, 5.0f, 8.0f, 1.0f};
    const size_t nf = model->features.size(), nv = std::size(vals);
    size_t combos = 1;
    for (size_t f = 0; f < nf; ++f) combos *= nv;
    std::vector<float> x(nf);
    std::vector<double> got(static_cast<size_t>(model->num_outputs)), want(got.size());
    for (size_t c = 0; c < combos; ++c) {
      size_t rest = c;
      for (size_t f = 0; f < nf; ++f, rest /= nv) x[f] = vals[rest % nv];
      (*p)->PredictRawRow(x.data(), got.data());
      ReferenceRawMargins(*model, x.data(), want.data());
      for (size_t o = 0; o < got.size(); ++o)
        ASSERT_NEAR(got[o], want[o], 1e-12) << name << " combo " << c;
    }
  }
}

}  // namespace
}  // namespace keel
