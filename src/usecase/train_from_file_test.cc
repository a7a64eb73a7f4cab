// Training straight from the file (params.stream) against training on the table ReadTable
// gives: with exact bin edges the same model, and the binned rows decide every split as the
// raw values do (the margins the binned path computes are the model's predictions).
#include <gtest/gtest.h>

#include <cmath>

#include "data/schema_yaml.h"
#include "model/model_io.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"
#include "train/stream_bins.h"
#include "usecase/train.h"

namespace keel::usecase {
namespace {

TrainRequest CreditRequest(const std::string& stream) {
  TrainRequest r;
  r.input.path = std::string(KEEL_SHARED_DATA_DIR) + "/credit_data.csv";
  r.target = "Status";
  r.params.num_trees = 30;
  r.params.calibrate = "isotonic";
  r.params.stream = stream;
  r.params.folds = 0;  // the file path has no k-fold (it validates on a split)
  r.stream_piece_bytes = 40000;  // about 8 pieces
  return r;
}

// The model without its lineage, metrics and profile (times, and sums in another order).
std::string Trees(Model m) {
  m.sections.clear();
  return SerializeModel(m);
}

TEST(TrainFromFile, ExactEdgesGiveTheModelOfTheTable) {
  const Context ctx = Context().Quiet();
  auto streamed = TrainModel(CreditRequest("on"), ctx);
  ASSERT_TRUE(streamed.ok()) << streamed.status().ToString();
  auto table = TrainModel(CreditRequest("off"), ctx);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(streamed->model.sections.at("lineage")["data"]["read"], "streamed");
  EXPECT_FALSE(table->model.sections.at("lineage")["data"].contains("read"));
  EXPECT_GT(streamed->model.forest.trees.size(), 10u);
  EXPECT_TRUE(Trees(streamed->model) == Trees(table->model)) << "the models differ";
  EXPECT_EQ(SchemaToYaml(streamed->model.schema), SchemaToYaml(table->model.schema));
  EXPECT_EQ(streamed->report.excluded.size(), table->report.excluded.size());
  EXPECT_EQ(streamed->report.rows_total, table->report.rows_total);
  EXPECT_EQ(streamed->report.best_iteration, table->report.best_iteration);
  EXPECT_GT(table->report.leakage.test_rows_in_train, 0u);
  EXPECT_EQ(streamed->ToJson()["leakage"], table->ToJson()["leakage"]);
  EXPECT_EQ(streamed->report.warnings, table->report.warnings);
  // Split metrics (from binned margins) and the calibration equal the table's up to rounding.
  for (size_t s = 0; s < table->report.splits.size(); ++s) {
    const auto& a = streamed->report.splits[s].metrics;
    const auto& b = table->report.splits[s].metrics;
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
      EXPECT_NEAR(a[i].second, b[i].second, 1e-12) << a[i].first;
  }
  EXPECT_TRUE(streamed->model.sections.contains("profile"));
}

TEST(TrainFromFile, MessyFileSameRejectsCountsAndModel) {
  // Bad records across piece boundaries, mixed spellings, a notes column whose first piece
  // alone would look like ids: the same records rejected and the same model.
  const Context ctx = Context().Quiet();
  for (const char* name : {"credit_data_messy.csv", "wa_churn_messy.csv"}) {
    TrainRequest on = CreditRequest("on");
    on.input.path = std::string(KEEL_SHARED_DATA_DIR) + "/messy/" + name;
    on.target = std::string(name) == "credit_data_messy.csv" ? "Status" : "churn";
    on.params.calibrate = "none";
    on.stream_piece_bytes = 70000;
    TrainRequest off = on;
    off.params.stream = "off";
    auto a = TrainModel(on, ctx);
    ASSERT_TRUE(a.ok()) << name << ": " << a.status().ToString();
    auto b = TrainModel(off, ctx);
    ASSERT_TRUE(b.ok()) << name << ": " << b.status().ToString();
    const nlohmann::json& da = a->model.sections.at("lineage")["data"];
    const nlohmann::json& db = b->model.sections.at("lineage")["data"];
    EXPECT_GT(db["rows_rejected"].get<uint64_t>(), 0u) << name;
    for (const char* k : {"rows_read", "rows_used", "rows_rejected", "rows"}) {
      EXPECT_EQ(da[k], db[k]) << name << " " << k;
    }
    EXPECT_EQ(a->ToJson()["features"], b->ToJson()["features"]) << name;
    EXPECT_EQ(a->ToJson()["excluded_columns"], b->ToJson()["excluded_columns"]) << name;
    EXPECT_EQ(a->ToJson()["leakage"], b->ToJson()["leakage"]) << name;
    // The same schema, up to the wording of category_order notes (one read names the first
    // reason it finds in the file, a piecewise read the first piece's).
    Schema sa = a->model.schema;
    Schema sb = b->model.schema;
    for (Schema* s : {&sa, &sb}) {
      for (ColumnSchema& c : s->columns) c.category_order_note.clear();
    }
    EXPECT_EQ(SchemaToYaml(sa), SchemaToYaml(sb)) << name;
    EXPECT_TRUE(Trees(a->model) == Trees(b->model)) << name << ": the models differ";
  }
}

TEST(TrainFromFile, BinnedRowsTakeTheBranchesOfTheirValues) {
  // The test split's margins of the binned path against the saved model's predictions on the
  // same rows read as values.
  const Context ctx = Context().Quiet();
  TrainRequest request = CreditRequest("on");
  ReadOptions read;
  TrainOptions options = TrainOptionsOf(request, request.input.path, nlohmann::json::object());
  TrainReport report;
  auto s = StreamTrainingData(request.input.path, read, options, 40000, ctx, &report);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto trained =
      FitPreparedBins(s->rows, s->schema, options, s->data, std::move(s->bins), report, ctx);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  const std::vector<double>& binned = trained->margins.at("test");

  auto whole = ReadTable(request.input.path, read, ctx);
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(whole->table.num_rows(), s->rows.num_rows());
  const Table test_rows = whole->table.Take(trained->split.test);
  auto x = EncodeFeatures(trained->model, test_rows, {});
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  auto predictor = Predictor::Create(trained->model);
  ASSERT_TRUE(predictor.ok());
  std::vector<double> raw(test_rows.num_rows());
  ASSERT_TRUE((*predictor)->PredictBatch(*x, raw, /*raw=*/true, 1).ok());
  ASSERT_EQ(raw.size(), binned.size());
  ASSERT_GT(raw.size(), 500u);
  for (size_t i = 0; i < raw.size(); ++i) {
    ASSERT_NEAR(raw[i], binned[i], 1e-5 * std::max(1.0, std::abs(raw[i]))) << "test row " << i;
  }
}

}  // namespace
}  // namespace keel::usecase
