// Imported LightGBM models against LightGBM 4.6.0 itself (tests/fixtures/lightgbm, written by
// make_fixtures.py there): every fixture row's prediction and raw score within 1e-9 relative
// and every pred_contrib contribution within 1e-6, for held-out rows and edge rows (values on
// thresholds, NaN under missing type None, zeros under Zero, tiny values, odd category codes,
// all-missing rows). Rows go the way `keel predict` and `keel explain` take them: the CSV
// read into a Table with the model's schema, EncodeFeatures, the predictor and TreeSHAP,
// through a save/load round trip of the imported model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "data/ingest.h"
#include "explain/explainer.h"
#include "model/import_fixture_reader.h"
#include "model/lightgbm_fixture_cases.h"
#include "model/lightgbm_import.h"
#include "model/model_io.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"
#include "predict/reference_evaluator.h"

namespace keel {
namespace {

namespace fx = lightgbm_fixtures;
using fx::Case;
using fx::RelativeError;

std::string Fixture(const std::string& name) {
  return fx::Path(name);
}

class LightGBMFixture : public ::testing::TestWithParam<Case> {};

TEST_P(LightGBMFixture, PredictionsRawScoresAndContributionsEqualLightGBMs) {
  const Case c = GetParam();
  const std::string name = c.name;
  auto imported = ImportLightGBMFile(Fixture(name + ".txt"));
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->input_precision, InputPrecision::kFloat64);
  auto loaded = DeserializeModel(SerializeModel(*imported), "mem");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const Model& model = *loaded;
  ASSERT_EQ(model.input_precision, InputPrecision::kFloat64);

  ReadOptions ro;
  ro.schema = &model.schema;
  ro.detect_pii = false;
  Context ctx;
  auto read = ReadTable(Fixture(name + "_rows.csv"), ro, ctx);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->report.rows_rejected, 0u);
  const NumericCsv want = ReadNumericCsv(Fixture(name + "_expected.csv"));
  const size_t rows = c.test_rows + c.edge_rows;
  ASSERT_EQ(read->table.num_rows(), rows);
  ASSERT_EQ(want.rows.size(), rows);

  auto x = EncodeFeatures(model, read->table);
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  ASSERT_EQ(x->values64.size(), rows * model.features.size());

  auto predictor = Predictor::Create(model);
  ASSERT_TRUE(predictor.ok());
  ASSERT_EQ((*predictor)->input_precision(), InputPrecision::kFloat64);
  const auto k = static_cast<size_t>(model.num_outputs);
  std::vector<double> raw(rows * k), pred(rows * k);
  ASSERT_TRUE((*predictor)->PredictBatch(*x, raw, /*raw=*/true, 2).ok());
  ASSERT_TRUE((*predictor)->PredictBatch(*x, pred, /*raw=*/false, 2).ok());

  auto explainer = CreateExplainer(model);
  ASSERT_TRUE(explainer.ok()) << explainer.status().ToString();
  const size_t width = (*explainer)->row_width();
  std::vector<double> contrib(rows * width);
  ASSERT_TRUE((*explainer)->ExplainMatrix(*x, 2, contrib).ok());

  // Float rows (the serving path) are widened to the doubles the float64 rules read: the
  // same attributions as those doubles give, bit for bit.
  {
    ExplainScratch scratch = (*explainer)->NewScratch();
    std::vector<double> from_floats(rows * width), from_widened(rows * width);
    const std::vector<double> widened(x->values.begin(), x->values.end());
    (*explainer)->ExplainRows(x->values.data(), rows, x->cols, from_floats.data(), &scratch);
    (*explainer)->ExplainRows64(widened.data(), rows, x->cols, from_widened.data(), &scratch);
    ASSERT_EQ(from_floats, from_widened);
  }

  auto column = [&](const std::string& col) {
    auto it = std::find(want.header.begin(), want.header.end(), col);
    EXPECT_NE(it, want.header.end()) << col;
    return static_cast<size_t>(it - want.header.begin());
  };
  const size_t nf = model.features.size();
  double worst_raw = 0, worst_pred = 0, worst_contrib = 0;
  std::vector<double> one(k), reference(k);
  for (size_t r = 0; r < rows; ++r) {
    const auto& w = want.rows[r];
    // The single-row path and the IR's reference walk agree with the batch bit for bit.
    (*predictor)->PredictRawRow(x->row64(r), one.data());
    ReferenceRawMargins64(model, x->row64(r), reference.data());
    for (size_t o = 0; o < k; ++o) {
      ASSERT_EQ(one[o], raw[r * k + o]) << name << " row " << r;
      ASSERT_EQ(reference[o], raw[r * k + o]) << name << " row " << r;
      const double er = RelativeError(raw[r * k + o], w[column("raw_" + std::to_string(o))]);
      const double ep = RelativeError(pred[r * k + o], w[column("pred_" + std::to_string(o))]);
      worst_raw = std::max(worst_raw, er);
      worst_pred = std::max(worst_pred, ep);
      EXPECT_LE(er, 1e-9) << name << " row " << r << " raw " << o << ": keel " << raw[r * k + o]
                          << " lightgbm " << w[column("raw_" + std::to_string(o))];
      EXPECT_LE(ep, 1e-9) << name << " row " << r << " pred " << o << ": keel " << pred[r * k + o];
      for (size_t f = 0; f <= nf; ++f) {
        const std::string col = "contrib_" + std::to_string(o) + "_" +
                                (f == nf ? std::string("bias") : std::to_string(f));
        const double got = contrib[r * width + o * (nf + 1) + f];
        const double e = std::abs(got - w[column(col)]);
        worst_contrib = std::max(worst_contrib, e);
        EXPECT_LE(e, 1e-6) << name << " row " << r << " " << col << ": keel " << got << " lightgbm "
                           << w[column(col)];
      }
    }
  }
  std::printf(
      "%s: %zu rows; worst relative error raw %.3g, prediction %.3g; worst absolute "
      "contribution error %.3g\n",
      name.c_str(), rows, worst_raw, worst_pred, worst_contrib);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LightGBMFixture, ::testing::ValuesIn(fx::Cases()),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace keel
