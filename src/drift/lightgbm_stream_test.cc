// `keel stream` with imported LightGBM models: the LightGBM 4.6.0 fixture rows (held-out and
// edge rows, values on thresholds written with 17 digits, model/lightgbm_fixture_cases.h) as
// JSON Lines give LightGBM's own predictions within 1e-9 relative: a float64 model predicts
// from the doubles of each line, not their float rounding.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/context.h"
#include "drift/stream_scorer.h"
#include "model/lightgbm_fixture_cases.h"
#include "model/lightgbm_import.h"
#include "predict/predictor.h"
#include "predict/table_prediction.h"

namespace keel::drift {
namespace {

namespace fx = lightgbm_fixtures;

class LightGBMStream : public ::testing::TestWithParam<fx::Case> {};

TEST_P(LightGBMStream, JsonLinesGiveLightGBMsPredictions) {
  const std::string name = GetParam().name;
  auto model = ImportLightGBMFile(fx::Path(name + ".txt"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto predictor = Predictor::Create(*model);
  ASSERT_TRUE(predictor.ok()) << predictor.status().ToString();
  ASSERT_EQ((*predictor)->input_precision(), InputPrecision::kFloat64);

  const TextCsv rows = fx::Rows(name);
  const std::vector<std::vector<double>> want = fx::Predictions(name);
  ASSERT_EQ(rows.rows.size(), want.size());
  const std::filesystem::path in_path =
      std::filesystem::temp_directory_path() /
      ("keel_lightgbm_stream_test_" + name + "_" +
       std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".jsonl");
  {
    // Each value as the CSV writes it (17 significant digits), empty = null.
    std::ofstream in(in_path);
    for (const auto& row : rows.rows) {
      in << '{';
      for (size_t j = 0; j < rows.header.size(); ++j) {
        in << (j > 0 ? "," : "") << '"' << rows.header[j]
           << "\":" << (row[j].empty() ? "null" : row[j]);
      }
      in << "}\n";
    }
  }
  const int fd = ::open(in_path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  StreamOptions options;
  options.batch_rows = 128;  // several batches
  Context ctx;
  auto summary = RunStream(*model, **predictor, nullptr, options, ctx, fd, out, nullptr);
  ::close(fd);
  std::filesystem::remove(in_path);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->rows_predicted, rows.rows.size());

  std::fflush(out);
  std::rewind(out);
  const std::vector<std::string> columns = PredictionColumns(*model, /*raw=*/false);
  char buf[1 << 16];
  size_t r = 0;
  while (std::fgets(buf, sizeof(buf), out) != nullptr) {
    ASSERT_LT(r, want.size());
    const nlohmann::json line = nlohmann::json::parse(buf);
    for (size_t o = 0; o < want[r].size(); ++o) {
      // Binary: {prob_<negative>, prob_<positive>}; LightGBM's pred_0 is the positive's.
      const std::string& col = model->task == Task::kBinary ? columns[1] : columns[o];
      const double got = line.at(col).get<double>();
      EXPECT_LE(fx::RelativeError(got, want[r][o]), 1e-9)
          << name << " row " << r << " " << col << ": keel " << got << " lightgbm " << want[r][o];
    }
    ++r;
  }
  std::fclose(out);
  EXPECT_EQ(r, want.size());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LightGBMStream, ::testing::ValuesIn(fx::Cases()),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace keel::drift
