// Known-answer tests of the GBDT trainer, and the exactness of its IR output.
#include "train/gbdt_trainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "core/random.h"
#include "train/learner_config.h"
#include "train/metrics.h"

namespace keel {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

struct Problem {
  std::vector<RawFeature> raw;
  std::vector<double> y;
  size_t n() const { return y.size(); }
};

RawFeature Numeric(std::vector<float> v) {
  RawFeature f;
  f.values = std::move(v);
  return f;
}

RawFeature Categorical(std::vector<int32_t> codes, int32_t num_codes) {
  RawFeature f;
  f.categorical = true;
  f.codes = std::move(codes);
  f.num_codes = num_codes;
  return f;
}

// The IR's semantics (model/model.h), written independently of the trainer: walks one tree
// on float32 feature values.
double WalkTree(const Tree& t, const std::vector<float>& x) {
  int32_t i = 0;
  while (!t.nodes[static_cast<size_t>(i)].is_leaf()) {
    const TreeNode& n = t.nodes[static_cast<size_t>(i)];
    const float v = x[static_cast<size_t>(n.feature)];
    bool left;
    if (std::isnan(v)) {
      left = n.default_left;
    } else if (n.is_categorical) {
      const bool listed =
          std::binary_search(n.categories.begin(), n.categories.end(), static_cast<int32_t>(v));
      left = listed == n.categories_left;
    } else {
      left = n.less_equal ? v <= n.threshold : v < n.threshold;
    }
    i = left ? n.left : n.right;
  }
  return t.nodes[static_cast<size_t>(i)].value;
}

std::vector<float> RowValues(const Problem& p, uint32_t r) {
  std::vector<float> x;
  for (const RawFeature& f : p.raw) {
    if (f.categorical) {
      x.push_back(f.codes[r] < 0 ? kNaN : static_cast<float>(f.codes[r]));
    } else {
      x.push_back(f.values[r]);
    }
  }
  return x;
}

std::vector<double> IrMargins(const GbdtResult& g, const Problem& p,
                              const std::vector<uint32_t>& rows) {
  const size_t k_out = g.base_margin.size();
  std::vector<double> m(rows.size() * k_out);
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::vector<float> x = RowValues(p, rows[i]);
    for (size_t k = 0; k < k_out; ++k) m[i * k_out + k] = g.base_margin[k];
    for (const Tree& t : g.forest.trees) {
      m[i * k_out + static_cast<size_t>(t.class_index)] += WalkTree(t, x);
    }
  }
  return m;
}

struct Fitted {
  GbdtResult result;
  std::vector<BinMapper> mappers;
  std::vector<uint32_t> train_rows, test_rows;
  std::vector<double> test_margins;  // IR margins of the test rows
  std::vector<double> test_labels;
};

// The parameter table's settings with small trees, a small minimum hessian and no early
// stopping.
GbdtConfig SmallConfig(Objective objective, int outputs = 1) {
  GbdtConfig c = GbdtConfigOf(DefaultParams(), objective, outputs);
  c.tree.num_leaves = 15;
  c.tree.split.min_data_in_leaf = 5;
  c.tree.split.min_sum_hessian = 1e-3;
  c.num_trees = 50;
  c.learning_rate = 0.2;
  c.early_stopping_rounds = 0;
  return c;
}

// Two threads, no progress bar.
const Context& Ctx(int threads = 2) {
  static const Context one = Context{}.WithThreads(1).Quiet();
  static const Context two = Context{}.WithThreads(2).Quiet();
  return threads == 1 ? one : two;
}

// Trains on the even rows and predicts the odd rows through the IR.
Fitted Fit(const Problem& p, const GbdtConfig& cfg, int max_bins = 255, int threads = 2) {
  Fitted f;
  for (uint32_t r = 0; r < p.n(); ++r) (r % 2 == 0 ? f.train_rows : f.test_rows).push_back(r);
  for (const RawFeature& raw : p.raw) {
    f.mappers.push_back(raw.categorical ? BinMapper::FitCategorical(raw, f.train_rows, 254)
                                        : BinMapper::FitNumeric(raw, f.train_rows, max_bins));
  }
  auto bins = BinRows(p.raw, f.mappers, f.train_rows, 2);
  EXPECT_TRUE(bins.ok());
  std::vector<double> ytr;
  for (uint32_t r : f.train_rows) ytr.push_back(p.y[r]);
  for (uint32_t r : f.test_rows) f.test_labels.push_back(p.y[r]);
  auto g = TrainGbdt({&*bins, ytr, {}}, {}, f.mappers, cfg, Ctx(threads));
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  f.result = std::move(*g);
  f.test_margins = IrMargins(f.result, p, f.test_rows);
  EXPECT_TRUE(ValidateModel([&] {
                Model m;
                m.task = TaskOf(cfg.objective.objective);
                m.objective = cfg.objective.objective;
                m.num_outputs = cfg.objective.num_outputs;
                m.base_margin = f.result.base_margin;
                for (size_t i = 0; i < p.raw.size(); ++i) {
                  FeatureSpec s;
                  s.name = "f" + std::to_string(i);
                  s.kind = p.raw[i].categorical ? FeatureSpec::Kind::kCategorical
                                                : FeatureSpec::Kind::kNumeric;
                  for (int32_t c = 0; c < p.raw[i].num_codes; ++c) {
                    s.categories.push_back("c" + std::to_string(c));
                  }
                  m.features.push_back(s);
                }
                if (m.task != Task::kRegression) {
                  for (int k = 0; k < std::max(2, m.num_outputs); ++k) {
                    m.labels.classes.push_back("k" + std::to_string(k));
                  }
                }
                m.forest = f.result.forest;
                return m;
              }())
                  .ok());
  return f;
}

TEST(Gbdt, SeparableProblemReachesAucOne) {
  Rng rng(1);
  Problem p;
  std::vector<float> x;
  for (int i = 0; i < 2000; ++i) {
    x.push_back(static_cast<float>(rng.Uniform()));
    p.y.push_back(x.back() > 0.6f ? 1 : 0);
  }
  p.raw.push_back(Numeric(x));
  Fitted f = Fit(p, SmallConfig(Objective::kBinaryLogistic));
  EXPECT_DOUBLE_EQ(Auc(f.test_margins, f.test_labels), 1.0);
}

TEST(Gbdt, SingleSplitStumpHasHandComputedValues) {
  // 50 rows x=0 (y=0) and 50 rows x=1 (y=1); base margin 0 so p = 0.5 everywhere:
  // left G = 50 * 0.5 = 25, H = 50 * 0.25 = 12.5; leaf = -25 / (12.5 + 1) * lr.
  Problem p;
  std::vector<float> x;
  for (int i = 0; i < 200; ++i) {
    x.push_back(static_cast<float>((i / 2) % 2));
    p.y.push_back((i / 2) % 2);
  }
  p.raw.push_back(Numeric(x));
  GbdtConfig cfg = SmallConfig(Objective::kBinaryLogistic);
  cfg.num_trees = 1;
  cfg.tree.num_leaves = 2;
  cfg.learning_rate = 0.1;
  cfg.tree.split.lambda_l2 = 1.0;
  Fitted f = Fit(p, cfg);
  ASSERT_EQ(f.result.forest.trees.size(), 1u);
  const Tree& t = f.result.forest.trees[0];
  ASSERT_EQ(t.nodes.size(), 3u);
  EXPECT_DOUBLE_EQ(f.result.base_margin[0], 0.0);
  const TreeNode& root = t.nodes[0];
  EXPECT_EQ(root.feature, 0);
  EXPECT_GT(root.threshold, 0.0);
  EXPECT_LE(root.threshold, 1.0);
  EXPECT_FALSE(root.less_equal);
  EXPECT_NEAR(root.gain, 2 * 25.0 * 25.0 / 13.5, 1e-9);
  EXPECT_NEAR(root.cover, 25.0, 1e-9);
  const TreeNode& left = t.nodes[static_cast<size_t>(root.left)];
  const TreeNode& right = t.nodes[static_cast<size_t>(root.right)];
  EXPECT_NEAR(left.value, -25.0 / 13.5 * 0.1, 1e-7);
  EXPECT_NEAR(right.value, 25.0 / 13.5 * 0.1, 1e-7);
  EXPECT_NEAR(left.cover, 12.5, 1e-7);
}

TEST(Gbdt, PureNoiseGivesAucNearHalf) {
  Rng rng(2);
  Problem p;
  for (int j = 0; j < 5; ++j) {
    std::vector<float> x;
    for (int i = 0; i < 8000; ++i) x.push_back(static_cast<float>(rng.Uniform()));
    p.raw.push_back(Numeric(x));
  }
  for (int i = 0; i < 8000; ++i) p.y.push_back(rng.Uniform() < 0.5 ? 1 : 0);
  Fitted f = Fit(p, SmallConfig(Objective::kBinaryLogistic));
  EXPECT_NEAR(Auc(f.test_margins, f.test_labels), 0.5, 0.04);
}

TEST(Gbdt, MonotoneSignalGivesIncreasingPredictions) {
  Rng rng(3);
  Problem p;
  std::vector<float> x;
  for (int i = 0; i < 4000; ++i) {
    x.push_back(static_cast<float>(rng.Uniform()));
    p.y.push_back(x.back());
  }
  p.raw.push_back(Numeric(x));
  GbdtConfig cfg = SmallConfig(Objective::kSquaredError);
  cfg.num_trees = 100;
  Fitted f = Fit(p, cfg);
  // Predictions on a grid 0.05 apart increase strictly.
  double prev = -1e9;
  for (int g = 1; g < 20; ++g) {
    std::vector<float> row = {static_cast<float>(g * 0.05)};
    double m = f.result.base_margin[0];
    for (const Tree& t : f.result.forest.trees) m += WalkTree(t, row);
    EXPECT_GT(m, prev) << "at x = " << g * 0.05;
    EXPECT_NEAR(m, g * 0.05, 0.02);
    prev = m;
  }
}

TEST(Gbdt, MissingValuesCarrySignal) {
  Rng rng(4);
  Problem p;
  std::vector<float> x;
  for (int i = 0; i < 4000; ++i) {
    const bool missing = rng.Uniform() < 0.3;
    x.push_back(missing ? kNaN : static_cast<float>(rng.Uniform()));
    p.y.push_back(missing ? 1 : 0);
  }
  p.raw.push_back(Numeric(x));
  Fitted f = Fit(p, SmallConfig(Objective::kBinaryLogistic));
  EXPECT_DOUBLE_EQ(Auc(f.test_margins, f.test_labels), 1.0);
}

TEST(Gbdt, RareCategoryCarriesSignal) {
  Rng rng(5);
  Problem p;
  std::vector<int32_t> c;
  std::vector<float> noise;
  for (int i = 0; i < 10000; ++i) {
    const bool rare = rng.Uniform() < 0.02;
    const int32_t code = rare ? 17 : static_cast<int32_t>(rng.Below(29));
    c.push_back(code == 17 && !rare ? 29 : code);
    noise.push_back(static_cast<float>(rng.Uniform()));
    p.y.push_back(rng.Uniform() < (rare ? 0.9 : 0.1) ? 1 : 0);
  }
  p.raw.push_back(Numeric(noise));
  p.raw.push_back(Categorical(c, 30));
  Fitted f = Fit(p, SmallConfig(Objective::kBinaryLogistic));
  double rare_mean = 0, other_mean = 0;
  int rare_n = 0, other_n = 0;
  for (size_t i = 0; i < f.test_rows.size(); ++i) {
    const double prob = 1 / (1 + std::exp(-f.test_margins[i]));
    if (c[f.test_rows[i]] == 17) {
      rare_mean += prob;
      ++rare_n;
    } else {
      other_mean += prob;
      ++other_n;
    }
  }
  ASSERT_GT(rare_n, 50);
  EXPECT_GT(rare_mean / rare_n, 0.7);
  EXPECT_LT(other_mean / other_n, 0.2);
}

TEST(Gbdt, RegressionOnKnownFunction) {
  Rng rng(6);
  Problem p;
  std::vector<float> a, b;
  for (int i = 0; i < 10000; ++i) {
    a.push_back(static_cast<float>(rng.Uniform() * 2 - 1));
    b.push_back(static_cast<float>(rng.Uniform() * 2 - 1));
    p.y.push_back(std::sin(3 * a.back()) + b.back() * b.back());
  }
  p.raw.push_back(Numeric(a));
  p.raw.push_back(Numeric(b));
  GbdtConfig cfg = SmallConfig(Objective::kSquaredError);
  cfg.num_trees = 300;
  cfg.tree.num_leaves = 31;
  Fitted f = Fit(p, cfg);
  const auto m = SplitMetrics({Objective::kSquaredError, 1}, f.test_margins, f.test_labels);
  EXPECT_EQ(m[0].first, "rmse");
  EXPECT_LT(m[0].second, 0.05);
  EXPECT_GT(m[2].second, 0.99);  // r2
}

TEST(Gbdt, AbsoluteLossFitsTheMedian) {
  // y = x plus rare huge outliers: the absolute loss ignores them, so predictions track x.
  Rng rng(7);
  Problem p;
  std::vector<float> x;
  for (int i = 0; i < 4000; ++i) {
    x.push_back(static_cast<float>(rng.Uniform()));
    p.y.push_back(x.back() + (rng.Uniform() < 0.05 ? 1000.0 : 0.0));
  }
  p.raw.push_back(Numeric(x));
  GbdtConfig cfg = SmallConfig(Objective::kAbsoluteError);
  cfg.num_trees = 100;
  Fitted f = Fit(p, cfg);
  double worst = 0;
  for (size_t i = 0; i < f.test_rows.size(); ++i) {
    worst = std::max(worst, std::abs(f.test_margins[i] - x[f.test_rows[i]]));
  }
  EXPECT_LT(worst, 0.1);
}

TEST(Gbdt, MulticlassSoftmaxSeparatesThreeClasses) {
  Rng rng(8);
  Problem p;
  std::vector<float> x;
  for (int i = 0; i < 3000; ++i) {
    x.push_back(static_cast<float>(rng.Uniform() * 3));
    p.y.push_back(std::floor(x.back()));
  }
  p.raw.push_back(Numeric(x));
  Fitted f = Fit(p, SmallConfig(Objective::kMultiSoftmax, 3));
  EXPECT_EQ(f.result.forest.trees.size(), 150u);
  const auto m = SplitMetrics({Objective::kMultiSoftmax, 3}, f.test_margins, f.test_labels);
  EXPECT_GT(m[2].second, 0.98);  // accuracy
}

// The saved IR must reproduce the training-form (binned) predictions exactly: thresholds on
// float32 values, categorical sets with an "other" bin, missing values both ways.
TEST(Gbdt, IrPredictionsEqualBinnedPredictions) {
  Rng rng(9);
  Problem p;
  std::vector<float> a, b;
  std::vector<int32_t> c;
  for (int i = 0; i < 6000; ++i) {
    a.push_back(rng.Uniform() < 0.1 ? kNaN : static_cast<float>(std::exp(rng.Uniform() * 10)));
    b.push_back(static_cast<float>(rng.Below(7)) * 0.1f);
    c.push_back(rng.Uniform() < 0.05 ? -1 : static_cast<int32_t>(rng.Below(40)));
    const double z = (std::isnan(a.back()) ? 1.0 : std::log(a.back()) / 5 - 1) +
                     (c.back() % 3 == 0 ? 1.0 : -0.5) + b.back();
    p.y.push_back(rng.Uniform() < 1 / (1 + std::exp(-z)) ? 1 : 0);
  }
  p.raw.push_back(Numeric(a));
  p.raw.push_back(Numeric(b));
  p.raw.push_back(Categorical(c, 40));
  GbdtConfig cfg = SmallConfig(Objective::kBinaryLogistic);
  cfg.tree.split.max_cat_to_onehot = 2;
  cfg.tree.split.min_data_per_group = 5;
  Fitted f;
  {
    // Cap the categorical bins so an "other" bin exists.
    for (uint32_t r = 0; r < p.n(); ++r) (r % 2 == 0 ? f.train_rows : f.test_rows).push_back(r);
    f.mappers = {BinMapper::FitNumeric(p.raw[0], f.train_rows, 32),
                 BinMapper::FitNumeric(p.raw[1], f.train_rows, 255),
                 BinMapper::FitCategorical(p.raw[2], f.train_rows, 12)};
    ASSERT_GE(f.mappers[2].other_bin(), 0);
    auto bins = BinRows(p.raw, f.mappers, f.train_rows, 2);
    ASSERT_TRUE(bins.ok());
    std::vector<double> ytr;
    for (uint32_t r : f.train_rows) ytr.push_back(p.y[r]);
    auto g = TrainGbdt({&*bins, ytr, {}}, {}, f.mappers, cfg, Ctx());
    ASSERT_TRUE(g.ok());
    f.result = std::move(*g);
  }
  bool saw_other_listed_side = false;
  for (const Tree& t : f.result.forest.trees) {
    for (const TreeNode& n : t.nodes) {
      if (n.is_categorical && !n.categories_left) saw_other_listed_side = true;
    }
  }
  EXPECT_TRUE(saw_other_listed_side) << "no split sent the 'other' bin left";
  for (const auto* rows : {&f.train_rows, &f.test_rows}) {
    auto bins = BinRows(p.raw, f.mappers, *rows, 2);
    ASSERT_TRUE(bins.ok());
    const auto binned =
        PredictBinned(*bins, f.result.binned_trees, f.result.base_margin, cfg.learning_rate, 2);
    const auto ir = IrMargins(f.result, p, *rows);
    for (size_t i = 0; i < rows->size(); ++i) {
      ASSERT_NEAR(binned[i], ir[i], 1e-12) << "row " << (*rows)[i];
    }
  }
  // The training margins the trainer kept are the binned predictions of its own rows.
  auto bins = BinRows(p.raw, f.mappers, f.train_rows, 2);
  const auto binned =
      PredictBinned(*bins, f.result.binned_trees, f.result.base_margin, cfg.learning_rate, 1);
  for (size_t i = 0; i < f.train_rows.size(); ++i) {
    ASSERT_NEAR(binned[i], f.result.train_margins[i], 1e-9);
  }
}

TEST(Gbdt, EarlyStoppingKeepsTheBestIteration) {
  Rng rng(10);
  Problem p;
  std::vector<float> x;
  for (int i = 0; i < 3000; ++i) {
    x.push_back(static_cast<float>(rng.Uniform()));
    p.y.push_back(rng.Uniform() < (x.back() > 0.5 ? 0.7 : 0.3) ? 1 : 0);
  }
  p.raw.push_back(Numeric(x));
  std::vector<uint32_t> tr, va;
  for (uint32_t r = 0; r < p.n(); ++r) (r % 3 == 0 ? va : tr).push_back(r);
  std::vector<BinMapper> maps = {BinMapper::FitNumeric(p.raw[0], tr, 255)};
  auto tb = BinRows(p.raw, maps, tr, 1);
  auto vb = BinRows(p.raw, maps, va, 1);
  std::vector<double> ytr, yva;
  for (uint32_t r : tr) ytr.push_back(p.y[r]);
  for (uint32_t r : va) yva.push_back(p.y[r]);
  GbdtConfig cfg = SmallConfig(Objective::kBinaryLogistic);
  cfg.num_trees = 500;
  cfg.learning_rate = 0.3;
  cfg.tree.num_leaves = 63;
  cfg.tree.split.min_data_in_leaf = 1;
  cfg.early_stopping_rounds = 10;
  auto g = TrainGbdt({&*tb, ytr, {}}, {&*vb, yva, {}}, maps, cfg, Ctx());
  ASSERT_TRUE(g.ok());
  EXPECT_LT(g->valid_loss.size(), 500u);
  ASSERT_GE(g->best_iteration, 0);
  EXPECT_EQ(g->iterations, g->best_iteration + 1);
  EXPECT_EQ(g->forest.trees.size(), static_cast<size_t>(g->iterations));
  const double best = *std::min_element(g->valid_loss.begin(), g->valid_loss.end());
  EXPECT_EQ(g->valid_loss[static_cast<size_t>(g->best_iteration)], best);
  // The returned margins are those the kept trees gave at the best iteration, to the bit (the
  // report's metrics come from them and must equal the saved model's).
  EXPECT_EQ(StoppingLoss({Objective::kBinaryLogistic, 1}, g->valid_margins, yva), best);
}

TEST(Gbdt, SeededSubsamplingRepeatsExactly) {
  Rng rng(11);
  Problem p;
  for (int j = 0; j < 4; ++j) {
    std::vector<float> x;
    for (int i = 0; i < 3000; ++i) x.push_back(static_cast<float>(rng.Uniform()));
    p.raw.push_back(Numeric(x));
  }
  for (int i = 0; i < 3000; ++i) {
    p.y.push_back(
        p.raw[0].values[static_cast<size_t>(i)] + p.raw[1].values[static_cast<size_t>(i)] > 1 ? 1
                                                                                              : 0);
  }
  GbdtConfig cfg = SmallConfig(Objective::kBinaryLogistic);
  cfg.subsample = 0.7;
  cfg.colsample = 0.5;
  Fitted a = Fit(p, cfg);
  Fitted b = Fit(p, cfg);
  EXPECT_EQ(a.test_margins, b.test_margins);
  cfg.seed = 43;
  Fitted c = Fit(p, cfg);
  EXPECT_NE(a.test_margins, c.test_margins);
  EXPECT_GT(Auc(a.test_margins, a.test_labels), 0.97);
}

TEST(Gbdt, ThreadCountDoesNotChangeTheModel) {
  Rng rng(12);
  Problem p;
  std::vector<float> x, z;
  for (int i = 0; i < 60000; ++i) {
    x.push_back(static_cast<float>(rng.Uniform()));
    z.push_back(static_cast<float>(rng.Below(50)));
    p.y.push_back(rng.Uniform() < x.back() ? 1 : 0);
  }
  p.raw.push_back(Numeric(x));
  p.raw.push_back(Numeric(z));
  GbdtConfig cfg = SmallConfig(Objective::kBinaryLogistic);
  cfg.num_trees = 10;
  Fitted a = Fit(p, cfg, 255, 1);
  Fitted b = Fit(p, cfg, 255, 2);
  ASSERT_EQ(a.result.forest.trees.size(), b.result.forest.trees.size());
  for (size_t i = 0; i < a.test_margins.size(); ++i) {
    ASSERT_NEAR(a.test_margins[i], b.test_margins[i], 1e-9);
  }
}

// Quantized training: a problem where several features carry signal.
Problem SignalProblem(int rows, uint64_t seed) {
  Rng rng(seed);
  Problem p;
  std::vector<std::vector<float>> x(5);
  for (int i = 0; i < rows; ++i) {
    double z = 0;
    for (size_t f = 0; f < x.size(); ++f) {
      x[f].push_back(static_cast<float>(rng.Uniform() * 2 - 1));
      z += (f % 2 ? -1.0 : 1.0) * (f + 1) * x[f].back() * (f == 2 ? x[f].back() : 1.0);
    }
    p.y.push_back(rng.Uniform() < 1 / (1 + std::exp(-z)) ? 1 : 0);
  }
  for (auto& v : x) p.raw.push_back(Numeric(v));
  return p;
}

TEST(Gbdt, QuantizedGradientsAreInRangeUnbiasedAndThreadFree) {
  Rng rng(4);
  std::vector<GradPair> grads(100000);
  for (auto& gp : grads) {
    gp.g = static_cast<float>(rng.Uniform() * 3 - 1);
    gp.h = static_cast<float>(rng.Uniform() * 0.25);
  }
  std::vector<QGradPair> one(grads.size()), two(grads.size());
  const QuantScales s1 = QuantizeGradients(grads, {}, 8, 77, one, 1);
  const QuantScales s2 = QuantizeGradients(grads, {}, 8, 77, two, 3);
  EXPECT_EQ(s1.g, s2.g);
  EXPECT_EQ(s1.h, s2.h);
  double g = 0, h = 0, qg = 0, qh = 0;
  for (size_t r = 0; r < grads.size(); ++r) {
    ASSERT_EQ(one[r].g, two[r].g);
    ASSERT_EQ(one[r].h, two[r].h);
    ASSERT_GE(one[r].g, -4);
    ASSERT_LE(one[r].g, 4);
    ASSERT_GE(one[r].h, 0);
    ASSERT_LE(one[r].h, 8);
    // Each rounding is one of the two levels around the value.
    ASSERT_LE(std::fabs(one[r].g * s1.g - grads[r].g), s1.g * (1 + 1e-6));
    g += grads[r].g;
    h += grads[r].h;
    qg += one[r].g * s1.g;
    qh += one[r].h * s1.h;
  }
  // Stochastic rounding: sums agree to a few standard deviations (sqrt(n) / 2 levels).
  EXPECT_NEAR(qg, g, 4 * std::sqrt(grads.size()) * 0.5 * s1.g);
  EXPECT_NEAR(qh, h, 4 * std::sqrt(grads.size()) * 0.5 * s1.h);
}

TEST(Gbdt, QuantizedTrainingDoesNotDependOnTheThreadCount) {
  const Problem p = SignalProblem(80000, 21);
  GbdtConfig cfg = SmallConfig(Objective::kBinaryLogistic);
  cfg.num_trees = 8;
  cfg.tree.quantized_grad = 16;
  Fitted a = Fit(p, cfg, 255, 1);
  Fitted b = Fit(p, cfg, 255, 2);
  ASSERT_EQ(a.result.forest.trees.size(), b.result.forest.trees.size());
  for (size_t t = 0; t < a.result.binned_trees.size(); ++t) {
    const auto& na = a.result.binned_trees[t].nodes;
    const auto& nb = b.result.binned_trees[t].nodes;
    ASSERT_EQ(na.size(), nb.size());
    for (size_t i = 0; i < na.size(); ++i) {
      ASSERT_EQ(na[i].feature, nb[i].feature) << "tree " << t << " node " << i;
      ASSERT_EQ(na[i].threshold_bin, nb[i].threshold_bin) << "tree " << t << " node " << i;
      ASSERT_EQ(na[i].value, nb[i].value) << "tree " << t << " node " << i;
    }
  }
  for (size_t i = 0; i < a.test_margins.size(); ++i) {
    ASSERT_EQ(a.test_margins[i], b.test_margins[i]);
  }
}

TEST(Gbdt, QuantizedTrainingKeepsTheAuc) {
  const Problem p = SignalProblem(40000, 5);
  GbdtConfig cfg = SmallConfig(Objective::kBinaryLogistic);
  cfg.learning_rate = 0.1;
  Fitted exact = Fit(p, cfg);
  for (int levels : {4, 16}) {
    cfg.tree.quantized_grad = levels;
    Fitted q = Fit(p, cfg);
    EXPECT_NEAR(Auc(q.test_margins, q.test_labels), Auc(exact.test_margins, exact.test_labels),
                0.002)
        << levels << " levels";
  }
}

// The first tree sees one gradient per class of label (every margin is the base margin), so
// its leaf values can be computed by hand from the rows each leaf holds: they must be those
// of the exact gradients, not of the quantized ones.
TEST(Gbdt, QuantizedLeafValuesAreRefitFromTheExactGradients) {
  const Problem p = SignalProblem(5000, 8);
  GbdtConfig cfg = SmallConfig(Objective::kBinaryLogistic);
  cfg.num_trees = 1;
  cfg.tree.quantized_grad = 2;  // gradients in {-1, 0, 1}: far from the exact ones
  Fitted f = Fit(p, cfg);
  auto bins = BinRows(p.raw, f.mappers, f.train_rows, 1);
  ASSERT_TRUE(bins.ok());
  const BinnedTree& tree = f.result.binned_trees[0];
  const double prob = 1 / (1 + std::exp(-f.result.base_margin[0]));
  std::vector<double> g(tree.nodes.size(), 0), h(tree.nodes.size(), 0);
  for (size_t i = 0; i < f.train_rows.size(); ++i) {
    const auto leaf = static_cast<size_t>(tree.LeafOf(bins->row(i)));
    g[leaf] += prob - p.y[f.train_rows[i]];
    h[leaf] += prob * (1 - prob);
  }
  size_t leaves = 0;
  for (size_t i = 0; i < tree.nodes.size(); ++i) {
    if (!tree.nodes[i].is_leaf()) continue;
    ++leaves;
    EXPECT_NEAR(tree.nodes[i].value, -g[i] / (h[i] + cfg.tree.split.lambda_l2), 1e-5)
        << "leaf " << i;
    EXPECT_NEAR(tree.nodes[i].stats.h, h[i], 1e-6 * h[i]) << "leaf " << i;
  }
  EXPECT_GT(leaves, 4u);
}

TEST(Gbdt, NoTrainingRowsIsAnError) {
  BinnedMatrix empty;
  std::vector<BinMapper> maps;
  EXPECT_FALSE(
      TrainGbdt({&empty, {}, {}}, {}, maps, SmallConfig(Objective::kSquaredError), Ctx()).ok());
}

// reg:logistic comes only from imported models: the trainer refuses it with a clear error
// instead of fitting it with another loss.
TEST(Gbdt, ImportOnlyObjectivesAreRefusedNotTrained) {
  Problem p;
  std::vector<float> a;
  for (int i = 0; i < 200; ++i) {
    a.push_back(static_cast<float>(i % 17));
    p.y.push_back(1 + i % 3);
  }
  p.raw.push_back(Numeric(a));
  std::vector<uint32_t> rows(p.n());
  std::iota(rows.begin(), rows.end(), 0u);
  std::vector<BinMapper> maps = {BinMapper::FitNumeric(p.raw[0], rows, 255)};
  auto bins = BinRows(p.raw, maps, rows, 2);
  ASSERT_TRUE(bins.ok());
  const Objective o = Objective::kRegLogistic;
  EXPECT_FALSE(Trainable(o));
  auto g = TrainGbdt({&*bins, p.y, {}}, {}, maps, SmallConfig(o), Ctx());
  ASSERT_FALSE(g.ok()) << ObjectiveName(o);
  EXPECT_EQ(g.status().code(), StatusCode::kUnsupported) << g.status().ToString();
  EXPECT_NE(g.status().message().find(ObjectiveName(o)), std::string::npos)
      << g.status().ToString();
  std::vector<double> margins(p.n(), 0.0);
  std::vector<GradPair> grads(p.n());
  EXPECT_EQ(ComputeGradients({o, 1, 0}, p.y, {}, margins, grads, 1).code(),
            StatusCode::kUnsupported);
  for (Objective t :
       {Objective::kBinaryLogistic, Objective::kMultiSoftmax, Objective::kSquaredError,
        Objective::kAbsoluteError, Objective::kHuber, Objective::kQuantile, Objective::kPoisson,
        Objective::kGamma, Objective::kTweedie}) {
    EXPECT_TRUE(Trainable(t)) << ObjectiveName(t);
  }
}

// The regression metrics of a log-link objective are on the predictions (the margins through
// the link), and its own deviance follows them.
TEST(Gbdt, RegressionMetricsOfALinkObjectiveAreOnPredictions) {
  const std::vector<double> margins = {std::log(2.0), std::log(4.0)};
  const std::vector<double> labels = {2, 5};
  for (Objective o : {Objective::kPoisson, Objective::kGamma, Objective::kTweedie}) {
    const auto m = SplitMetrics({o, 1}, margins, labels);
    ASSERT_EQ(m.size(), 4u);
    EXPECT_EQ(m[0].first, "rmse");
    EXPECT_NEAR(m[0].second, std::sqrt(0.5), 1e-12) << ObjectiveName(o);
    EXPECT_NEAR(m[1].second, 0.5, 1e-12) << ObjectiveName(o);  // mae
    EXPECT_EQ(m[3].first, StoppingLossName(o));
    EXPECT_NEAR(StoppingLoss({o, 1}, margins, labels), m[3].second, 1e-12);
  }
  const std::vector<double> logits = {0.0, std::log(3.0)};  // 0.5, 0.75
  const auto m = SplitMetrics({Objective::kRegLogistic, 1}, logits, std::vector<double>{0.5, 1});
  EXPECT_NEAR(m[1].second, 0.125, 1e-12);  // mae: (0 + 0.25) / 2
  EXPECT_STREQ(StoppingLossName(Objective::kRegLogistic), "rmse");
}

// --- counts, costs and quantiles --------------------------------------------------------

// Draws from the distributions the log-link objectives model, by their textbook constructions.
double DrawPoisson(Rng& rng, double mean) {
  // Knuth: count uniforms until their product falls below e^-mean.
  const double limit = std::exp(-mean);
  int k = 0;
  for (double prod = rng.Uniform(); prod > limit; prod *= rng.Uniform()) ++k;
  return k;
}
double DrawGamma2(Rng& rng, double mean) {  // shape 2: the sum of two exponentials
  return -mean / 2 * (std::log(1 - rng.Uniform()) + std::log(1 - rng.Uniform()));
}
double DrawNormal(Rng& rng) {  // Box-Muller
  return std::sqrt(-2 * std::log(1 - rng.Uniform())) * std::cos(2 * M_PI * rng.Uniform());
}

// The mean of the log-link problems: from about 0.07 to 27 over the features' range.
double TrueMean(double a, double b) {
  return std::exp(0.3 + 1.5 * std::sin(3 * a) + 1.5 * b);
}

// Two features in [-1, 1] and a target of mean TrueMean(a, b) whose noise comes from `draw`.
Problem LogLinkProblem(uint64_t seed, const std::function<double(Rng&, double)>& draw) {
  Rng rng(seed);
  Problem p;
  std::vector<float> a, b;
  for (int i = 0; i < 8000; ++i) {
    a.push_back(static_cast<float>(rng.Uniform() * 2 - 1));
    b.push_back(static_cast<float>(rng.Uniform() * 2 - 1));
    p.y.push_back(draw(rng, TrueMean(a.back(), b.back())));
  }
  p.raw.push_back(Numeric(a));
  p.raw.push_back(Numeric(b));
  return p;
}

// Test-row deviance of `objective` and of the squared loss trained with the same settings
// (its predictions floored at 1e-3: a deviance needs a positive mean).
std::pair<double, double> DevianceVsSquared(const Problem& p, const ObjectiveConfig& objective) {
  GbdtConfig cfg = GbdtConfigOf(DefaultParams(), objective.objective, 1);
  cfg.objective = objective;
  cfg.tree.num_leaves = 15;
  cfg.num_trees = 100;
  cfg.early_stopping_rounds = 0;
  Fitted f = Fit(p, cfg);
  GbdtConfig sq_cfg = cfg;
  sq_cfg.objective = {Objective::kSquaredError, 1};
  Fitted sq = Fit(p, sq_cfg);
  std::vector<double> mu(f.test_margins.size()), mu_sq(sq.test_margins.size());
  for (size_t i = 0; i < mu.size(); ++i) {
    mu[i] = std::exp(f.test_margins[i]);
    mu_sq[i] = std::max(sq.test_margins[i], 1e-3);
  }
  return {MeanDeviance(objective, mu, f.test_labels),
          MeanDeviance(objective, mu_sq, f.test_labels)};
}

TEST(Gbdt, PoissonBeatsSquaredOnPoissonDeviance) {
  const Problem p = LogLinkProblem(21, DrawPoisson);
  const auto [dev, dev_sq] = DevianceVsSquared(p, {Objective::kPoisson, 1});
  EXPECT_LT(dev, dev_sq);
  // Close to the deviance of the true means (the noise floor).
  std::vector<double> truth;
  std::vector<double> y;
  for (uint32_t r = 1; r < p.n(); r += 2) {
    truth.push_back(TrueMean(p.raw[0].values[r], p.raw[1].values[r]));
    y.push_back(p.y[r]);
  }
  const double floor = MeanDeviance({Objective::kPoisson, 1}, truth, y);
  EXPECT_LT(dev, floor * 1.05) << "floor " << floor;
  RecordProperty("poisson_deviance", std::to_string(dev) + " vs squared " + std::to_string(dev_sq) +
                                         ", truth " + std::to_string(floor));
}

TEST(Gbdt, GammaBeatsSquaredOnGammaDeviance) {
  const Problem p = LogLinkProblem(22, DrawGamma2);
  const auto [dev, dev_sq] = DevianceVsSquared(p, {Objective::kGamma, 1});
  EXPECT_LT(dev, dev_sq);
}

TEST(Gbdt, TweedieBeatsSquaredOnTweedieDeviance) {
  // Compound Poisson-gamma: a Poisson number of gamma amounts, so many rows are exactly 0:
  // 0.3 sqrt(mean) claims of mean sqrt(mean) / 0.3 each: variance 5 mean^1.5 (Tweedie's
  // power 1.5), most rows 0 and a heavy tail.
  const Problem p = LogLinkProblem(23, [](Rng& rng, double mean) {
    const double n = DrawPoisson(rng, 0.3 * std::sqrt(mean));
    double y = 0;
    for (int i = 0; i < n; ++i) y += DrawGamma2(rng, std::sqrt(mean) / 0.3);
    return y;
  });
  size_t zeros = 0;
  for (double v : p.y) zeros += v == 0 ? 1 : 0;
  EXPECT_GT(zeros, p.n() / 10);
  ObjectiveConfig t{Objective::kTweedie, 1};
  t.tweedie_variance_power = 1.5;
  const auto [dev, dev_sq] = DevianceVsSquared(p, t);
  EXPECT_LT(dev, dev_sq);
}

TEST(Gbdt, QuantileCoversAlphaOfTestRows) {
  // Noise that grows with x: the 0.9 quantile is x + 1.2816 (0.1 + x) for a normal.
  Rng rng(24);
  Problem p;
  std::vector<float> x;
  for (int i = 0; i < 8000; ++i) {
    x.push_back(static_cast<float>(rng.Uniform()));
    p.y.push_back(x.back() + (0.1 + x.back()) * DrawNormal(rng));
  }
  p.raw.push_back(Numeric(x));
  GbdtConfig cfg = GbdtConfigOf(DefaultParams(), Objective::kQuantile, 1);
  cfg.early_stopping_rounds = 0;
  cfg.objective.quantile_alpha = 0.9;
  cfg.learning_rate = 0.1;
  cfg.num_trees = 100;
  Fitted f = Fit(p, cfg);
  // 4000 test rows: coverage within 3 binomial standard errors of 0.9 (about 0.014).
  const double cover = Coverage(f.test_margins, f.test_labels);
  EXPECT_NEAR(cover, 0.9, 3 * std::sqrt(0.9 * 0.1 / 4000.0));
  // Near the true quantile on average (the mean, which the squared loss fits, is 0.77 off
  // on average; single rows are noisier: a leaf's quantile rests on its few rows).
  double off = 0;
  for (size_t i = 0; i < f.test_rows.size(); ++i) {
    const double xi = x[f.test_rows[i]];
    off += std::abs(f.test_margins[i] - (xi + 1.2816 * (0.1 + xi)));
  }
  EXPECT_LT(off / f.test_rows.size(), 0.2);
  // The squared loss's mean covers about half: the quantile loss is what moves it.
  GbdtConfig sq_cfg = cfg;
  sq_cfg.objective = {Objective::kSquaredError, 1};
  Fitted sq = Fit(p, sq_cfg);
  EXPECT_LT(Coverage(sq.test_margins, sq.test_labels), 0.6);
  EXPECT_LT(PinballLoss(0.9, f.test_margins, f.test_labels),
            PinballLoss(0.9, sq.test_margins, sq.test_labels));
}

}  // namespace
}  // namespace keel
