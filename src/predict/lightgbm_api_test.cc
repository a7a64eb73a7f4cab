// The C++ API (include/keel/predictor.h) with imported LightGBM models: the LightGBM 4.6.0
// fixture rows (held-out and edge rows, values on thresholds written with 17 digits,
// model/lightgbm_fixture_cases.h) through FeatureRow, the double row overloads and the double
// batch give LightGBM's own predictions within 1e-9 relative.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "keel/predictor.h"
#include "model/lightgbm_fixture_cases.h"
#include "model/lightgbm_import.h"
#include "model/model_io.h"

namespace keel {
namespace {

namespace fx = lightgbm_fixtures;

class LightGBMApi : public ::testing::TestWithParam<fx::Case> {};

TEST_P(LightGBMApi, RowsAndBatchesOfDoublesGiveLightGBMsPredictions) {
  const std::string name = GetParam().name;
  auto imported = ImportLightGBMFile(fx::Path(name + ".txt"));
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  auto model = LoadedModel::FromBytes(SerializeModel(*imported), name);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const LoadedModel& m = **model;
  EXPECT_TRUE(m.reads_doubles());

  const TextCsv rows = fx::Rows(name);
  const std::vector<std::vector<double>> want = fx::Predictions(name);
  ASSERT_EQ(rows.rows.size(), want.size());
  const size_t nf = m.num_features();
  const size_t k = m.num_outputs();
  // The rows as doubles in feature order, parsed from the CSV's 17-digit text.
  std::vector<double> x(rows.rows.size() * nf, std::numeric_limits<double>::quiet_NaN());
  FeatureRow row = m.NewRow();
  std::vector<double> by_row(k), by_feature_row(k);
  std::vector<std::vector<double>> got(rows.rows.size());
  for (size_t r = 0; r < rows.rows.size(); ++r) {
    row.Clear();
    for (size_t j = 0; j < rows.header.size(); ++j) {
      const int64_t f = m.FeatureIndex(rows.header[j]);
      ASSERT_GE(f, 0) << rows.header[j];
      const std::string& cell = rows.rows[r][j];
      if (cell.empty()) continue;
      double v = 0;
      ASSERT_EQ(std::from_chars(cell.data(), cell.data() + cell.size(), v).ec, std::errc()) << cell;
      x[r * nf + static_cast<size_t>(f)] = v;
      ASSERT_TRUE(row.Set(rows.header[j], v).ok());
    }
    ASSERT_TRUE(m.PredictRow(row, by_feature_row).ok());
    ASSERT_TRUE(m.PredictRow(std::span<const double>(x.data() + r * nf, nf), by_row).ok());
    EXPECT_EQ(by_row, by_feature_row) << name << " row " << r;
    got[r] = by_row;
  }
  std::vector<double> batch(rows.rows.size() * k);
  ASSERT_TRUE(m.PredictBatch(std::span<const double>(x), rows.rows.size(), batch, 2).ok());
  for (size_t r = 0; r < rows.rows.size(); ++r) {
    for (size_t o = 0; o < k; ++o) EXPECT_EQ(batch[r * k + o], got[r][o]) << name << " row " << r;
    for (size_t o = 0; o < want[r].size(); ++o) {
      // Binary: {P(negative), P(positive)}; LightGBM's pred_0 is the positive's.
      const double g = m.task() == "binary" ? got[r][1] : got[r][o];
      EXPECT_LE(fx::RelativeError(g, want[r][o]), 1e-9)
          << name << " row " << r << " output " << o << ": keel " << g << " lightgbm "
          << want[r][o];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LightGBMApi, ::testing::ValuesIn(fx::Cases()),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace keel
