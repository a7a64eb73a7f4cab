#include "eval/model_cost.h"

#include <gtest/gtest.h>

#include <cmath>

#include "eval/eval_test_models.h"

namespace keel {
namespace {

TEST(Quantile, LinearInterpolationLikeNumpy) {
  std::vector<double> v = {4, 1, 3, 2, 5};
  EXPECT_DOUBLE_EQ(Quantile(&v, 0.5), 3);
  EXPECT_DOUBLE_EQ(Quantile(&v, 0.99), 4.96);
  EXPECT_DOUBLE_EQ(Quantile(&v, 0), 1);
  std::vector<double> none;
  EXPECT_TRUE(std::isnan(Quantile(&none, 0.5)));
}

TEST(MeasureCosts, TimesEveryModelOnItsRows) {
  const Model m = testing::LogisticOn("x", 1.0);
  auto p = Predictor::Create(m);
  ASSERT_TRUE(p.ok());
  FeatureMatrix x;
  x.rows = 50;
  x.cols = 1;
  x.values.assign(50, 0.5f);
  CostOptions o;
  o.latency_rows = 250;
  o.warmup_rows = 10;
  o.min_batch_seconds = 0.001;
  const CostSubject subjects[2] = {{p->get(), &x}, {p->get(), &x}};
  auto costs = MeasureCosts(subjects, o, Context().WithThreads(1));
  ASSERT_TRUE(costs.ok()) << costs.status().ToString();
  ASSERT_EQ(costs->size(), 2u);
  for (const auto& c : *costs) {
    EXPECT_EQ(c.latency_rows, 250u);
    EXPECT_GT(c.p50_us, 0);
    EXPECT_LE(c.p50_us, c.p99_us);
    EXPECT_GT(c.mean_us, 0);
    EXPECT_GT(c.rows_per_second, 0);
    EXPECT_EQ(c.batch_threads, 1);
  }
}

TEST(MeasureCosts, RejectsEmptyOrMisshapenData) {
  const Model m = testing::LogisticOn("x", 1.0);
  auto p = Predictor::Create(m);
  ASSERT_TRUE(p.ok());
  FeatureMatrix empty;
  empty.cols = 1;
  const CostSubject none[1] = {{p->get(), &empty}};
  EXPECT_FALSE(MeasureCosts(none, {}, Context()).ok());
  FeatureMatrix wide;
  wide.rows = 1;
  wide.cols = 2;
  wide.values.assign(2, 0.f);
  const CostSubject mismatch[1] = {{p->get(), &wide}};
  EXPECT_FALSE(MeasureCosts(mismatch, {}, Context()).ok());
}

}  // namespace
}  // namespace keel
