#include "predict/predictor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "model/link_function.h"
#include "model/model_io.h"
#include "model/random_model.h"
#include "predict/compiled_forest.h"
#include "predict/reference_evaluator.h"

namespace keel {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// A one-split model: feature 0 against `threshold`; left leaf -1, right leaf +1.
Model Stump(double threshold, bool less_equal, bool default_left,
            MissingRule rule = MissingRule::kNaN) {
  Model m;
  m.objective = Objective::kSquaredError;
  m.task = Task::kRegression;
  m.features.push_back({"x", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  Tree t;
  TreeNode root;
  root.left = 1;
  root.right = 2;
  root.feature = 0;
  root.threshold = threshold;
  root.less_equal = less_equal;
  root.default_left = default_left;
  root.missing_rule = rule;
  TreeNode l, r;
  l.value = -1;
  r.value = 1;
  t.nodes = {root, l, r};
  m.forest.trees.push_back(t);
  return m;
}

double PredictOne(const Model& m, float x) {
  auto p = Predictor::Create(m);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  double out = 0;
  (*p)->PredictRawRow(&x, &out);
  return out;
}

TEST(Predictor, FloatInputAgainstDoubleThresholdComparesExactly) {
  // 0.1f is 0.100000001490116..., above the double 0.1.
  EXPECT_EQ(PredictOne(Stump(0.1, false, true), 0.1f), 1);
  EXPECT_EQ(PredictOne(Stump(0.1, true, true), 0.1f), 1);
  EXPECT_EQ(PredictOne(Stump(static_cast<double>(0.1f), true, true), 0.1f), -1);
  EXPECT_EQ(PredictOne(Stump(static_cast<double>(0.1f), false, true), 0.1f), 1);
  // A threshold between two floats: x < t and x <= t agree for every float.
  const double between = std::nextafter(static_cast<double>(0.1f), 1.0);
  EXPECT_EQ(PredictOne(Stump(between, false, false), 0.1f), -1);
  EXPECT_EQ(PredictOne(Stump(between, true, false), 0.1f), -1);
  EXPECT_EQ(PredictOne(Stump(between, false, false), std::nextafter(0.1f, 1.0f)), 1);
}

TEST(Predictor, InfiniteThresholdsAndInputs) {
  const float inf = std::numeric_limits<float>::infinity();
  const double dinf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(PredictOne(Stump(dinf, true, false), inf), -1);  // inf <= inf
  EXPECT_EQ(PredictOne(Stump(dinf, false, false), inf), 1);  // !(inf < inf)
  EXPECT_EQ(PredictOne(Stump(dinf, true, false), kNaN), 1);  // missing goes right
  EXPECT_EQ(PredictOne(Stump(dinf, true, true), kNaN), -1);
  EXPECT_EQ(PredictOne(Stump(-dinf, false, true), -inf), 1);  // nothing is < -inf
  EXPECT_EQ(PredictOne(Stump(-dinf, false, true), kNaN), -1);
  EXPECT_EQ(PredictOne(Stump(-dinf, true, true), -inf), -1);
  EXPECT_EQ(PredictOne(Stump(1e300, false, false), std::numeric_limits<float>::max()), -1);
  EXPECT_EQ(PredictOne(Stump(1e300, false, false), inf), 1);
  EXPECT_EQ(PredictOne(Stump(-1e300, true, false), -inf), -1);
  EXPECT_EQ(PredictOne(Stump(-1e300, true, false), -std::numeric_limits<float>::max()), 1);
}

TEST(Predictor, MissingRules) {
  // kNaN: NaN default, zero compared.
  EXPECT_EQ(PredictOne(Stump(0.5, false, false), kNaN), 1);
  EXPECT_EQ(PredictOne(Stump(0.5, false, false), 0.0f), -1);
  // kZeroOrNaN: zero (either sign) goes the default way even though 0 < 0.5.
  EXPECT_EQ(PredictOne(Stump(0.5, false, false, MissingRule::kZeroOrNaN), 0.0f), 1);
  EXPECT_EQ(PredictOne(Stump(0.5, false, false, MissingRule::kZeroOrNaN), -0.0f), 1);
  EXPECT_EQ(PredictOne(Stump(0.5, false, false, MissingRule::kZeroOrNaN), kNaN), 1);
  EXPECT_EQ(PredictOne(Stump(0.5, false, false, MissingRule::kZeroOrNaN), 0.25f), -1);
  // kNaNAsZero: NaN compares as 0; the default direction is irrelevant.
  EXPECT_EQ(PredictOne(Stump(0.5, false, false, MissingRule::kNaNAsZero), kNaN), -1);
  EXPECT_EQ(PredictOne(Stump(-0.5, false, true, MissingRule::kNaNAsZero), kNaN), 1);
  EXPECT_EQ(PredictOne(Stump(0.0, true, false, MissingRule::kNaNAsZero), kNaN), -1);
}

TEST(Predictor, CategoricalSplit) {
  Model m = Stump(0, false, false);
  m.features[0].kind = FeatureSpec::Kind::kCategorical;
  auto& root = m.forest.trees[0].nodes[0];
  root.is_categorical = true;
  root.categories = {1, 3, 100000};
  root.categories_left = true;
  EXPECT_EQ(PredictOne(m, 1.0f), -1);
  EXPECT_EQ(PredictOne(m, 3.0f), -1);
  EXPECT_EQ(PredictOne(m, 3.7f), -1);  // truncated to code 3
  EXPECT_EQ(PredictOne(m, 100000.0f), -1);
  EXPECT_EQ(PredictOne(m, 2.0f), 1);
  EXPECT_EQ(PredictOne(m, -1.0f), 1);  // no category: the other way
  EXPECT_EQ(PredictOne(m, -0.5f), 1);
  EXPECT_EQ(PredictOne(m, 1e10f), 1);
  EXPECT_EQ(PredictOne(m, kNaN), 1);  // missing: default (right)
  root.categories_left = false;
  root.default_left = true;
  EXPECT_EQ(PredictOne(m, 1.0f), 1);
  EXPECT_EQ(PredictOne(m, 2.0f), -1);
  EXPECT_EQ(PredictOne(m, kNaN), -1);
}

struct Case {
  const char* name;
  RandomModelOptions options;
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  RandomModelOptions o;
  cases.push_back({"binary", o});
  o.special_missing_rules = false;
  o.categorical_splits = false;
  cases.push_back({"plain numeric", o});
  o.objective = Objective::kMultiSoftmax;
  o.num_classes = 3;
  o.num_trees = 45;
  cases.push_back({"plain numeric multiclass", o});
  o = {};
  o.objective = Objective::kMultiSoftmax;
  o.num_classes = 4;
  cases.push_back({"multiclass", o});
  o = {};
  o.objective = Objective::kSquaredError;
  o.max_depth = 13;
  o.leaf_probability = 0.35;
  cases.push_back({"deep regression", o});
  o = {};
  o.max_depth = 3;
  o.num_trees = 7;
  o.leaf_probability = 0.6;
  cases.push_back({"shallow with constant trees", o});
  o = {};
  o.special_missing_rules = false;
  o.huge_category_codes = false;
  o.num_category_codes = 30;  // every categorical split takes the small-mask path
  o.num_categorical = 3;
  cases.push_back({"small categorical", o});
  o.objective = Objective::kMultiSoftmax;
  o.num_classes = 3;
  cases.push_back({"small categorical multiclass", o});
  o.objective = Objective::kSquaredError;
  o.max_depth = 12;  // sparse layout
  o.leaf_probability = 0.3;
  cases.push_back({"deep small categorical", o});
  o = {};
  o.num_features = 5000;  // extended row beyond the single-row stack buffer
  o.num_categorical = 10;
  o.num_trees = 5;
  cases.push_back({"wide", o});
  return cases;
}

TEST(Predictor, CompiledForestMatchesReferenceEvaluator) {
  for (const Case& c : Cases()) {
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      RandomModelMaker maker(seed);
      const Model m = maker.Make(c.options);
      ASSERT_TRUE(ValidateModel(m).ok()) << c.name;
      auto p = Predictor::Create(m);
      ASSERT_TRUE(p.ok()) << c.name << ": " << p.status().ToString();
      const size_t rows = 300;
      const auto x = maker.Rows(m, rows);
      const size_t k = static_cast<size_t>(m.num_outputs);
      std::vector<double> got(k), want(k);
      for (size_t r = 0; r < rows; ++r) {
        const float* row = x.data() + r * m.features.size();
        (*p)->PredictRawRow(row, got.data());
        ReferenceRawMargins(m, row, want.data());
        for (size_t o = 0; o < k; ++o) {
          ASSERT_NEAR(got[o], want[o], 1e-12 * (1 + std::abs(want[o])))
              << c.name << " seed " << seed << " row " << r << " output " << o;
        }
      }
    }
  }
}

// Float64 models (imported LightGBM): the compiled float64 form equals the IR's float64 walk
// bit for bit (both sum in model order) on double rows that add, to the random inputs, values
// one double away from them, tiny values around LightGBM's kZeroThreshold and odd category
// codes; batch and single-row paths agree, and float rows are the same as widened doubles.
TEST(Predictor, Float64FormEqualsReferenceWalkBitForBit) {
  constexpr double kOdd[] = {1e-36, -1e-36,       1e-35,        -1e-35,       2e-35, -0.5,  -0.99,
                             -1.0,  2147483647.0, 2147483648.0, 4294967297.0, 1e300, -1e300};
  for (const Case& c : Cases()) {
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      RandomModelMaker maker(seed);
      Model m = maker.Make(c.options);
      m.input_precision = InputPrecision::kFloat64;
      auto p = Predictor::Create(m);
      ASSERT_TRUE(p.ok()) << c.name << ": " << p.status().ToString();
      ASSERT_EQ((*p)->input_precision(), InputPrecision::kFloat64);
      const size_t rows = 300, nf = m.features.size();
      const auto x = maker.Rows(m, rows);
      std::vector<double> x64(x.begin(), x.end());
      for (size_t i = 0; i < x64.size(); ++i) {
        if (i % 5 == 1) x64[i] = std::nextafter(x64[i], 1e308);
        if (i % 7 == 2) x64[i] = kOdd[(i / 7) % std::size(kOdd)];
      }
      const size_t k = static_cast<size_t>(m.num_outputs);
      std::vector<double> batch(rows * k), got(k), want(k), widened(k);
      ASSERT_TRUE((*p)->PredictBatch(x64, rows, batch, true, 2).ok());
      for (size_t r = 0; r < rows; ++r) {
        (*p)->PredictRawRow(x64.data() + r * nf, got.data());
        ReferenceRawMargins64(m, x64.data() + r * nf, want.data());
        (*p)->PredictRawRow(x.data() + r * nf, widened.data());
        std::vector<double> widened_want(k);
        ReferenceRawMargins(m, x.data() + r * nf, widened_want.data());
        for (size_t o = 0; o < k; ++o) {
          ASSERT_EQ(got[o], want[o]) << c.name << " seed " << seed << " row " << r;
          ASSERT_EQ(batch[r * k + o], got[o]) << c.name << " seed " << seed << " row " << r;
          ASSERT_EQ(widened[o], widened_want[o]) << c.name << " seed " << seed << " row " << r;
        }
      }
      std::vector<double> again(rows * k);
      ASSERT_TRUE((*p)->PredictBatch(x64, rows, again, true, 1).ok());
      for (size_t r = 0; r < rows; ++r) {
        (*p)->PredictRawRow(x64.data() + r * nf, got.data());
        for (size_t o = 0; o < k; ++o) ASSERT_EQ(again[r * k + o], got[o]) << c.name;
      }
    }
  }
}

// The float64 rules on hand-picked values (LightGBM 4.6's NumericalDecision and
// CategoricalDecision on x86), where they differ from the float32 rules.
TEST(Predictor, Float64RulesOnTinyValuesAndCategoryCodes) {
  auto one = [](const Model& m, double x) {
    auto p = Predictor::Create(m);
    EXPECT_TRUE(p.ok());
    double out = 0;
    (*p)->PredictRawRow(&x, &out);
    return out;
  };
  // x <= 5e-36: a float32 model compares 1e-36 itself; LightGBM reads it as 0 first, and
  // -1e-35 too (|x| <= 1e-35f), but not -2e-35.
  Model m = Stump(-5e-36, true, false, MissingRule::kNaN);
  EXPECT_EQ(PredictOne(m, 1e-36f), 1);
  m.input_precision = InputPrecision::kFloat64;
  EXPECT_EQ(one(m, 1e-36), 1);    // 0 <= -5e-36 is false
  EXPECT_EQ(one(m, -1e-35), 1);   // read as 0
  EXPECT_EQ(one(m, -2e-35), -1);  // a real value
  // Zero-or-NaN: the tiny value is a zero, so it goes the default way (left here).
  m = Stump(-1, true, true, MissingRule::kZeroOrNaN);
  m.input_precision = InputPrecision::kFloat64;
  EXPECT_EQ(one(m, 1e-36), -1);
  EXPECT_EQ(one(m, 2e-35), 1);
  // Categorical: -0.5 truncates to code 0; 2^31 and beyond are no code (INT_MIN on x86).
  m = Stump(0, false, false);
  m.features[0].kind = FeatureSpec::Kind::kCategorical;
  auto& root = m.forest.trees[0].nodes[0];
  root.is_categorical = true;
  root.categories = {0, 1};
  root.categories_left = true;
  EXPECT_EQ(PredictOne(m, -0.5f), 1);
  m.input_precision = InputPrecision::kFloat64;
  EXPECT_EQ(one(m, -0.5), -1);
  EXPECT_EQ(one(m, -1.0), 1);
  EXPECT_EQ(one(m, 1.99), -1);
  EXPECT_EQ(one(m, 2147483648.0), 1);
  EXPECT_EQ(one(m, 4294967297.0), 1);  // not code 1
  EXPECT_EQ(one(m, std::numeric_limits<double>::quiet_NaN()), 1);
}

// Runs a test once per kernel set: the portable loops, and the AVX-512 kernels (reported as
// skipped, with the reason, on a CPU without AVX-512F/DQ rather than passing on the
// portable loops).
class KernelTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam() && !CompiledForest::SimdSupported()) {
      GTEST_SKIP() << "this CPU lacks AVX-512F/DQ, so the AVX-512 kernels cannot run";
    }
    before_ = CompiledForest::SetSimdEnabled(GetParam());
    set_ = true;
  }
  void TearDown() override {
    if (set_) CompiledForest::SetSimdEnabled(before_);
  }

 private:
  bool before_ = false;
  bool set_ = false;
};

INSTANTIATE_TEST_SUITE_P(Kernels, KernelTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "Avx512" : "Portable";
                         });

// Single rows of x through p (raw margins or predictions), with the kernels now enabled.
std::vector<double> SingleRows(const Predictor& p, const Model& m, const std::vector<float>& x,
                               size_t rows, bool raw) {
  const size_t k = static_cast<size_t>(m.num_outputs);
  std::vector<double> out(rows * k);
  for (size_t r = 0; r < rows; ++r) {
    const float* row = x.data() + r * m.features.size();
    if (raw) {
      p.PredictRawRow(row, out.data() + r * k);
    } else {
      p.PredictRow(row, out.data() + r * k);
    }
  }
  return out;
}

TEST_P(KernelTest, BatchEqualsSingleRowBitForBitOnAnyThreadCount) {
  for (const Case& c : Cases()) {
    RandomModelMaker maker(99);
    const Model m = maker.Make(c.options);
    auto p = Predictor::Create(m);
    ASSERT_TRUE(p.ok());
    const size_t rows = c.options.num_features > 100 ? 50 : 5000;
    const auto x = maker.Rows(m, rows);
    for (bool raw : {true, false}) {
      // The portable single-row loop is the yardstick for this kernel set's paths.
      const bool kernels = CompiledForest::SetSimdEnabled(false);
      const std::vector<double> portable = SingleRows(**p, m, x, rows, raw);
      CompiledForest::SetSimdEnabled(kernels);
      const std::vector<double> single = SingleRows(**p, m, x, rows, raw);
      ASSERT_EQ(std::memcmp(single.data(), portable.data(), single.size() * sizeof(double)), 0)
          << c.name << " raw=" << raw;
      for (int threads : {1, 2}) {
        std::vector<double> batch(single.size());
        ASSERT_TRUE((*p)->PredictBatch(x, rows, batch, raw, threads).ok());
        ASSERT_EQ(std::memcmp(batch.data(), portable.data(), batch.size() * sizeof(double)), 0)
            << c.name << " raw=" << raw << " threads=" << threads;
      }
    }
  }
}

// Deep (sparse-layout) trees on the single-row path, which walks several trees in lockstep
// (AVX-512: 16 per vector, by depth within chunks of kSparseLaneChunk trees, the last vector
// partly filled, the row in registers or gathered; portable: 8 at a time): the same bits as the
// block path, which walks one tree at a time in model order, and the IR's walk up to rounding.
TEST_P(KernelTest, DeepTreesSingleRowEqualsBlockPathBitForBit) {
  struct DeepCase {
    const char* name;
    RandomModelOptions options;
    size_t min_sparse;  // deep trees the case needs
  };
  std::vector<DeepCase> cases;
  RandomModelOptions o;
  o.leaf_probability = 0.2;
  o.objective = Objective::kSquaredError;
  o.special_missing_rules = false;
  o.categorical_splits = false;
  o.num_categorical = 0;
  o.num_trees = 408;  // more than one lane chunk of deep trees
  cases.push_back({"deep plain", o, CompiledForest::kSparseLaneChunk + 1});
  o.categorical_splits = true;
  o.num_categorical = 3;
  o.huge_category_codes = false;
  o.num_category_codes = 30;  // small categorical masks only
  o.num_trees = 54;
  cases.push_back({"deep small categorical", o, 33});
  o.num_features = 40;  // an extended row beyond 32 floats: gathered, not held in registers
  o.num_trees = 66;
  cases.push_back({"deep wide", o, 33});
  o = {};
  o.leaf_probability = 0.2;
  o.num_trees = 36;  // out-of-line splits: the portable lockstep loop on either kernel set
  cases.push_back({"deep special", o, 17});
  for (const DeepCase& c : cases) {
    // Trees of depths 9..14 taken in turn, so the trees walked together differ in depth.
    RandomModelMaker maker(7);
    std::vector<Model> parts;
    RandomModelOptions part = c.options;
    part.num_trees = c.options.num_trees / 6;
    for (int depth = 9; depth <= 14; ++depth) {
      part.max_depth = depth;
      parts.push_back(maker.Make(part));
    }
    Model m = parts[0];
    m.forest.trees.clear();
    for (int t = 0; t < part.num_trees; ++t) {
      for (const Model& p : parts) m.forest.trees.push_back(p.forest.trees[static_cast<size_t>(t)]);
    }
    ASSERT_TRUE(ValidateModel(m).ok()) << c.name;
    auto cf = CompiledForest::Compile(m);
    ASSERT_TRUE(cf.ok()) << c.name;
    const CompiledForest& f = **cf;
    ASSERT_GE(f.num_sparse_trees(), c.min_sparse) << c.name;
    ASSERT_NE(f.num_sparse_trees() % 16, 0u)
        << c.name << ": " << f.num_sparse_trees() << " deep trees fill whole vectors";
    if (c.options.special_missing_rules) {
      ASSERT_GT(f.num_special_nodes(), 0u) << c.name;
    }
    const size_t rows = 300, width = f.ext_width(), nf = m.features.size();
    const auto x = maker.Rows(m, rows);
    std::vector<float> ext(rows * width);
    for (size_t r = 0; r < rows; ++r) f.ExtendRow(x.data() + r * nf, ext.data() + r * width);
    std::vector<double> block(rows), acc(rows * 4);
    f.RawBlock(ext.data(), rows, block.data(), acc.data());
    for (size_t r = 0; r < rows; ++r) {
      double single = 0, want = 0;
      f.RawRow(ext.data() + r * width, &single);
      ASSERT_EQ(std::memcmp(&single, &block[r], sizeof(double)), 0)
          << c.name << " row " << r << ": " << single << " vs " << block[r];
      ReferenceRawMargins(m, x.data() + r * nf, &want);
      ASSERT_NEAR(single, want, 1e-12 * (1 + std::abs(want))) << c.name << " row " << r;
    }
  }
}

TEST(Predictor, SaveLoadRoundTripGivesIdenticalPredictions) {
  for (const Case& c : Cases()) {
    RandomModelMaker maker(21);
    const Model m = maker.Make(c.options);
    auto back = DeserializeModel(SerializeModel(m), "mem");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    auto p1 = Predictor::Create(m);
    auto p2 = Predictor::Create(*back);
    ASSERT_TRUE(p1.ok() && p2.ok());
    const size_t rows = 200;
    const auto x = maker.Rows(m, rows);
    const size_t k = static_cast<size_t>(m.num_outputs);
    std::vector<double> a(rows * k), b(rows * k);
    ASSERT_TRUE((*p1)->PredictBatch(x, rows, a, false, 1).ok());
    ASSERT_TRUE((*p2)->PredictBatch(x, rows, b, false, 1).ok());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)), 0) << c.name;
  }
}

TEST(Predictor, OutputsAreLinkOfMargins) {
  RandomModelOptions o;
  o.objective = Objective::kMultiSoftmax;
  o.num_classes = 3;
  RandomModelMaker maker(5);
  const Model m = maker.Make(o);
  auto p = Predictor::Create(m);
  ASSERT_TRUE(p.ok());
  const auto x = maker.Rows(m, 10);
  for (size_t r = 0; r < 10; ++r) {
    double margins[3], probs[3];
    (*p)->PredictRawRow(x.data() + r * m.features.size(), margins);
    (*p)->PredictRow(x.data() + r * m.features.size(), probs);
    const double z = std::exp(margins[0]) + std::exp(margins[1]) + std::exp(margins[2]);
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(probs[k], std::exp(margins[k]) / z, 1e-15);
  }
  EXPECT_NEAR(Sigmoid(0.3), 1 / (1 + std::exp(-0.3)), 1e-16);
  EXPECT_EQ(Sigmoid(-1000), 0.0);
  EXPECT_EQ(Sigmoid(1000), 1.0);
}

Model LinearModelForTest() {
  Model m;
  m.kind = Model::Kind::kLinear;
  m.features.push_back({"age", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  m.features.push_back(
      {"plan", FeatureSpec::Kind::kCategorical, {"a", "b", "c"}, ColumnKind::kCategorical});
  m.base_margin = {0.5};
  LinearTerm age{0, LinearTerm::Kind::kNumeric, -1, 40, 10};
  LinearTerm age_missing{0, LinearTerm::Kind::kMissingIndicator, -1, 0, 1};
  LinearTerm plan_b{1, LinearTerm::Kind::kCategory, 1, 0, 1};
  LinearTerm plan_other{1, LinearTerm::Kind::kOtherCategory, -1, 0, 1};
  m.linear.terms = {age, age_missing, plan_b, plan_other};
  m.linear.weights = {2.0, -1.0, 0.25, 3.0};
  return m;
}

TEST(Predictor, LinearModelHandComputed) {
  const Model m = LinearModelForTest();
  auto p = Predictor::Create(m);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto raw = [&](float age, float plan) {
    const float x[2] = {age, plan};
    double out = 0;
    (*p)->PredictRawRow(x, &out);
    return out;
  };
  EXPECT_DOUBLE_EQ(raw(50, 1), 0.5 + 2.0 * 1.0 + 0.25);  // plan b
  EXPECT_DOUBLE_EQ(raw(30, 0), 0.5 + 2.0 * -1.0 + 3.0);  // plan a: "other" than b
  EXPECT_DOUBLE_EQ(raw(kNaN, kNaN), 0.5 - 1.0);          // missing age reads as center
  EXPECT_DOUBLE_EQ(raw(40, -1), 0.5 + 3.0);              // negative code: other
  double prob = 0;
  const float x[2] = {50, 1};
  (*p)->PredictRow(x, &prob);
  EXPECT_DOUBLE_EQ(prob, Sigmoid(2.75));
}

TEST(Predictor, BatchShapeMismatchIsAnError) {
  const Model m = Stump(0.5, false, true);
  auto p = Predictor::Create(m);
  ASSERT_TRUE(p.ok());
  FeatureMatrix x;
  x.rows = 2;
  x.cols = 2;
  x.values.assign(4, 0.0f);
  std::vector<double> out(2);
  EXPECT_EQ((*p)->PredictBatch(x, out, false, 1).code(), StatusCode::kInvalidArgument);
  x.cols = 1;
  x.values.assign(2, 0.0f);
  std::vector<double> small(1);
  EXPECT_EQ((*p)->PredictBatch(x, small, false, 1).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE((*p)->PredictBatch(x, out, false, 1).ok());
}

TEST(Predictor, RejectsInvalidModel) {
  Model m = Stump(0.5, false, true);
  m.forest.trees[0].nodes[0].right = 9;
  EXPECT_EQ(Predictor::Create(m).status().code(), StatusCode::kCorrupt);
}

TEST(CompiledForest, SmallCategoricalTreesAreNotSpecial) {
  RandomModelOptions o;
  o.special_missing_rules = false;
  o.huge_category_codes = false;
  o.num_category_codes = 30;
  RandomModelMaker maker(5);
  const Model m = maker.Make(o);
  auto cf = CompiledForest::Compile(m);
  ASSERT_TRUE(cf.ok());
  EXPECT_EQ((*cf)->num_special_nodes(), 0u);
  EXPECT_GT((*cf)->num_small_cat_trees(), 0u);
  // A split listing code 30 or more is decided out of line.
  o.num_category_codes = 31;
  const Model big = RandomModelMaker(5).Make(o);
  auto cf_big = CompiledForest::Compile(big);
  ASSERT_TRUE(cf_big.ok());
  EXPECT_GT((*cf_big)->num_special_nodes(), 0u);
}

TEST(CompiledForest, DeepTreesUseSparseLayoutShallowOnesPerfect) {
  RandomModelOptions o;
  o.max_depth = 12;
  o.leaf_probability = 0.0;
  o.num_trees = 2;
  o.num_features = 3;
  o.num_categorical = 0;
  RandomModelMaker maker(3);
  Model m = maker.Make(o);
  RandomModelOptions shallow = o;
  shallow.max_depth = 4;
  Model s = maker.Make(shallow);
  for (auto& t : s.forest.trees) m.forest.trees.push_back(t);
  auto cf = CompiledForest::Compile(m);
  ASSERT_TRUE(cf.ok());
  EXPECT_EQ((*cf)->num_sparse_trees(), 2u);
  EXPECT_EQ((*cf)->num_perfect_trees(), 2u);
}

}  // namespace
}  // namespace keel
