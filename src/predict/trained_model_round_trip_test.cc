// Keel-trained models predict identically before and after a save/load round trip (issue 4).
//
// The model comes from Train() (this test links the trainer; the predict library itself never
// does), on a table with numeric, categorical and missing values, for every task and both
// algorithms. Predictions of the in-memory model and of the model read back from its .keel
// bytes must be the same bits, through the single-row path, the batch path and PredictTable.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/random.h"
#include "model/model_io.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"
#include "predict/table_prediction.h"
#include "train/trainer.h"

namespace keel {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// x (numeric, 10% missing), z (numeric), color (categorical, some rows missing), and the
// targets: yes/no, a three-way class and a real value.
Table MakeTable(size_t n) {
  Rng rng(7);
  std::vector<double> x(n), z(n), value(n);
  std::vector<int32_t> color(n), yes(n), kind(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = rng.Uniform() < 0.1 ? kNaN : rng.Uniform() * 10 - 5;
    z[i] = rng.Uniform();
    color[i] = rng.Uniform() < 0.05 ? kMissingCode : static_cast<int32_t>(rng.Below(4));
    const double sx = std::isnan(x[i]) ? 1.0 : x[i];
    const double s = 0.8 * sx + 2 * z[i] + (color[i] == 2 ? 1.5 : 0.0) - 1;
    yes[i] = rng.Uniform() < 1 / (1 + std::exp(-s)) ? 1 : 0;
    const double noise = rng.Uniform() + rng.Uniform() - 1;
    kind[i] = s + noise < -1 ? 0 : (s + noise < 1.5 ? 1 : 2);
    value[i] = s + 0.3 * noise;
  }
  Table t;
  EXPECT_TRUE(t.AddColumn(Column::Numeric("x", x)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("z", z)).ok());
  EXPECT_TRUE(
      t.AddColumn(Column::Categorical("color", color, {"red", "green", "blue", "grey"})).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("yes", yes, {"no", "yes"})).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("kind", kind, {"a", "b", "c"})).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("value", value)).ok());
  return t;
}

void ExpectSamePredictionsAfterSaveLoad(const std::string& target, const std::string& algo) {
  SCOPED_TRACE(target + " " + algo);
  const Table table = MakeTable(1500);
  TrainOptions o;
  o.target = target;
  o.exclude = {"yes", "kind", "value"};
  std::erase(o.exclude, target);
  o.params.algo = algo;
  o.params.num_trees = 25;
  auto trained = Train(table, Schema{}, o, Context{}.WithThreads(2).Quiet());
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  const Model& before = trained->model;
  ASSERT_EQ(before.features.size(), 3u);

  const std::string bytes = SerializeModel(before);
  auto after = DeserializeModel(bytes, "trained.keel");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(SerializeModel(*after), bytes);

  auto p1 = Predictor::Create(before);
  auto p2 = Predictor::Create(*after);
  ASSERT_TRUE(p1.ok() && p2.ok());
  auto x1 = EncodeFeatures(before, table);
  auto x2 = EncodeFeatures(*after, table);
  ASSERT_TRUE(x1.ok() && x2.ok());
  ASSERT_EQ(x1->values.size(), x2->values.size());
  ASSERT_EQ(std::memcmp(x1->values.data(), x2->values.data(), x1->values.size() * sizeof(float)),
            0);
  size_t missing = 0;
  for (float v : x1->values) missing += std::isnan(v) ? 1 : 0;
  EXPECT_GT(missing, 100u);  // the rows do exercise missing values

  const size_t k = static_cast<size_t>(before.num_outputs);
  for (bool raw : {true, false}) {
    std::vector<double> a(x1->rows * k), b(x1->rows * k);
    ASSERT_TRUE((*p1)->PredictBatch(*x1, a, raw, 2).ok());
    ASSERT_TRUE((*p2)->PredictBatch(*x2, b, raw, 2).ok());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)), 0) << "raw=" << raw;
    std::vector<double> one(k);
    for (size_t r = 0; r < x1->rows; r += 97) {
      if (raw) {
        (*p2)->PredictRawRow(x2->row(r), one.data());
      } else {
        (*p2)->PredictRow(x2->row(r), one.data());
      }
      for (size_t c = 0; c < k; ++c) EXPECT_EQ(one[c], a[r * k + c]) << "row " << r;
    }
  }
  TablePredictionOptions po;
  po.raw = true;
  auto t1 = PredictTable(before, **p1, table, po, Context{});
  auto t2 = PredictTable(*after, **p2, table, po, Context{});
  ASSERT_TRUE(t1.ok() && t2.ok());
  EXPECT_EQ(t1->columns, t2->columns);
  ASSERT_EQ(t1->values.size(), t2->values.size());
  EXPECT_EQ(std::memcmp(t1->values.data(), t2->values.data(), t1->values.size() * sizeof(double)),
            0);
}

TEST(TrainedModelRoundTrip, BinaryGbdtPredictsIdenticallyAfterSaveLoad) {
  ExpectSamePredictionsAfterSaveLoad("yes", "gbdt");
}

TEST(TrainedModelRoundTrip, MulticlassGbdtPredictsIdenticallyAfterSaveLoad) {
  ExpectSamePredictionsAfterSaveLoad("kind", "gbdt");
}

TEST(TrainedModelRoundTrip, RegressionGbdtPredictsIdenticallyAfterSaveLoad) {
  ExpectSamePredictionsAfterSaveLoad("value", "gbdt");
}

TEST(TrainedModelRoundTrip, LinearBaselinePredictsIdenticallyAfterSaveLoad) {
  ExpectSamePredictionsAfterSaveLoad("yes", "linear");
  ExpectSamePredictionsAfterSaveLoad("value", "linear");
}

}  // namespace
}  // namespace keel
