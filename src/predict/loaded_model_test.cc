#include <gtest/gtest.h>

#include <cmath>

#include "keel/predictor.h"
#include "model/model_io.h"
#include "model/random_model.h"
#include "predict/predictor.h"

namespace keel {
namespace {

// A binary model on (age, plan) with a categorical dictionary.
std::string ModelBytes() {
  RandomModelOptions o;
  o.num_features = 2;
  o.num_categorical = 1;
  o.num_trees = 10;
  o.special_missing_rules = false;
  RandomModelMaker maker(11);
  Model m = maker.Make(o);
  m.features[0].name = "age";
  m.features[1].name = "plan";
  m.features[1].categories = {"basic", "gold", "pro", "c3", "c4",  "c5",
                              "c6",    "c7",   "c8",  "c9", "c10", "c11"};
  m.schema.columns[0].name = "age";
  m.schema.columns[1].name = "plan";
  return SerializeModel(m);
}

TEST(LoadedModel, PredictByNameEqualsPredictInOrder) {
  auto lm = LoadedModel::FromBytes(ModelBytes(), "mem");
  ASSERT_TRUE(lm.ok()) << lm.status().ToString();
  const LoadedModel& m = **lm;
  EXPECT_EQ(m.task(), "binary");
  EXPECT_EQ(m.output_names(), (std::vector<std::string>{"prob_no", "prob_yes"}));
  EXPECT_EQ(m.num_features(), 2u);
  EXPECT_EQ(m.FeatureIndex("plan"), 1);
  EXPECT_EQ(m.FeatureIndex("nope"), -1);
  EXPECT_TRUE(m.is_categorical(1));
  EXPECT_EQ(m.CategoryCode(1, "GOLD"), 1.0f);
  EXPECT_TRUE(std::isnan(m.CategoryCode(1, "platinum")));

  FeatureRow row = m.NewRow();
  ASSERT_TRUE(row.Set("age", 2.5).ok());
  ASSERT_TRUE(row.Set("plan", "gold").ok());
  EXPECT_EQ(row.Set("height", 1.0).code(), StatusCode::kNotFound);
  std::vector<double> by_name(2), in_order(2), margin(1);
  ASSERT_TRUE(m.PredictRow(row, by_name).ok());
  const std::vector<float> x = {2.5f, 1.0f};
  ASSERT_TRUE(m.PredictRow(x, in_order).ok());
  EXPECT_EQ(by_name, in_order);
  EXPECT_DOUBLE_EQ(by_name[0] + by_name[1], 1.0);
  ASSERT_TRUE(m.PredictRawRow(x, margin).ok());
  EXPECT_NEAR(by_name[1], 1 / (1 + std::exp(-margin[0])), 1e-15);

  // Text for a numeric feature; unseen category = missing.
  ASSERT_TRUE(row.Set("age", " 2.5 ").ok());
  EXPECT_EQ(row.Set("age", "old").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(row.Set("plan", "platinum").ok());
  EXPECT_TRUE(std::isnan(row.values()[1]));
  row.Clear();
  EXPECT_TRUE(std::isnan(row.values()[0]));

  // Size mismatches are errors, not crashes.
  std::vector<float> short_row = {1.0f};
  EXPECT_EQ(m.PredictRow(short_row, in_order).code(), StatusCode::kInvalidArgument);
  std::vector<double> small(1);
  EXPECT_EQ(m.PredictRow(x, small).code(), StatusCode::kInvalidArgument);
}

TEST(LoadedModel, BatchEqualsRows) {
  auto lm = LoadedModel::FromBytes(ModelBytes(), "mem");
  ASSERT_TRUE(lm.ok());
  RandomModelMaker maker(3);
  auto model = DeserializeModel(ModelBytes(), "mem");
  ASSERT_TRUE(model.ok());
  const size_t rows = 257;
  const auto x = maker.Rows(*model, rows);
  std::vector<double> batch(rows * 2);
  ASSERT_TRUE((*lm)->PredictBatch(x, rows, batch, 2).ok());
  for (size_t r = 0; r < rows; ++r) {
    std::vector<double> one(2);
    ASSERT_TRUE((*lm)->PredictRow(std::span<const float>(x).subspan(r * 2, 2), one).ok());
    EXPECT_EQ(one[0], batch[2 * r]);
    EXPECT_EQ(one[1], batch[2 * r + 1]);
  }
}

TEST(LoadedModel, CorruptBytesAreAnError) {
  std::string bytes = ModelBytes();
  bytes[bytes.size() / 2] ^= 1;
  auto lm = LoadedModel::FromBytes(bytes, "bad.keel");
  ASSERT_FALSE(lm.ok());
  EXPECT_EQ(lm.status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(LoadedModel::Load("/nonexistent/m.keel").status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace keel
