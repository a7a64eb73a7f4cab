// Distributed training's one-process case: training through the Collective interface (a job of
// one rank, SingleProcess) must give the model of training without it, and what distributed
// training does not support is refused by name. (Several ranks: tests/e2e/mpi_e2e_test.cc.)
#include "train/distributed.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/random.h"
#include "train/trainer.h"

namespace keel {
namespace {

// x (signal), noise, w (weights), color (categorical), y (0/1).
Table MakeTable(size_t n) {
  Rng rng(7);
  std::vector<double> x(n), noise(n), w(n);
  std::vector<int32_t> color(n), y(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = rng.Uniform();
    noise[i] = i % 17 == 0 ? std::nan("") : rng.Uniform();
    w[i] = 0.5 + rng.Uniform();
    color[i] = static_cast<int32_t>(rng.Below(3));
    y[i] = rng.Uniform() < 1 / (1 + std::exp(-4 * (x[i] - 0.5))) ? 1 : 0;
  }
  Table t;
  EXPECT_TRUE(t.AddColumn(Column::Numeric("x", x)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("noise", noise)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("w", w)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("color", color, {"r", "g", "b"})).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("y", y, {"0", "1"})).ok());
  return t;
}

TrainOptions Options() {
  TrainOptions o;
  o.target = "y";
  o.positive = "1";
  o.weight_column = "w";
  o.exclude = {"color"};
  o.params.num_trees = 20;
  return o;
}

TEST(Distributed, OneRankThroughTheInterfaceGivesTheOneProcessModel) {
  const Table t = MakeTable(4000);
  const Context ctx = Context{}.WithThreads(1).Quiet();
  auto plain = Train(t, Schema{}, Options(), ctx);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  SingleProcess one;
  TrainOptions o = Options();
  o.collective = &one;
  auto shared = Train(t, Schema{}, o, ctx);
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();

  EXPECT_EQ(shared->model.base_margin, plain->model.base_margin);
  const auto& a = plain->model.forest.trees;
  const auto& b = shared->model.forest.trees;
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].nodes.size(), b[i].nodes.size()) << "tree " << i;
    for (size_t k = 0; k < a[i].nodes.size(); ++k) {
      EXPECT_EQ(a[i].nodes[k].feature, b[i].nodes[k].feature);
      EXPECT_EQ(a[i].nodes[k].threshold, b[i].nodes[k].threshold);
      EXPECT_EQ(a[i].nodes[k].value, b[i].nodes[k].value) << "tree " << i << " node " << k;
    }
  }
}

TEST(Distributed, UnsupportedSettingsAreRefusedByName) {
  const Table t = MakeTable(500);
  const Context ctx = Context{}.WithThreads(1).Quiet();
  SingleProcess one;
  auto refused = [&](TrainOptions o) {
    o.collective = &one;
    auto r = Train(t, Schema{}, o, ctx);
    return r.ok() ? std::string() : r.status().message();
  };
  TrainOptions o = Options();
  o.exclude.clear();
  EXPECT_NE(refused(o).find("categorical features"), std::string::npos);
  o = Options();
  o.params.valid_size = 0.2;
  EXPECT_NE(refused(o).find("validation split"), std::string::npos);
  o = Options();
  o.params.subsample = 0.5;
  EXPECT_NE(refused(o).find("subsample"), std::string::npos);
  o = Options();
  o.params.algo = "linear";
  EXPECT_NE(refused(o).find("linear"), std::string::npos);
  o = Options();
  o.params.quantized_grad = 16;
  EXPECT_NE(refused(o).find("quantized_grad"), std::string::npos);
}

}  // namespace
}  // namespace keel
