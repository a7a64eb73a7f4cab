#include "explain/tree_shap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/random.h"
#include "explain/explainer.h"
#include "model/random_model.h"
#include "model/split_rule.h"

namespace keel {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// ---- Reference: the path-dependent value function and exact Shapley values by enumeration,
// on the IR trees with the IR's one split decision (model/split_rule.h), independently of
// tree_shap.cc's compiled form.

// v(S): features in `known` follow the row; the others average both children by cover.
double RefValue(const Tree& tree, int32_t i, const float* x, uint32_t known) {
  const TreeNode& n = tree.nodes[static_cast<size_t>(i)];
  if (n.is_leaf()) return n.value;
  if ((known >> n.feature) & 1u) {
    return RefValue(tree, GoesLeft(n, x[n.feature]) ? n.left : n.right, x, known);
  }
  const TreeNode& l = tree.nodes[static_cast<size_t>(n.left)];
  const TreeNode& r = tree.nodes[static_cast<size_t>(n.right)];
  return (l.cover * RefValue(tree, n.left, x, known) +
          r.cover * RefValue(tree, n.right, x, known)) /
         n.cover;
}

double ForestValue(const Model& m, int output, const float* x, uint32_t known) {
  double v = m.base_margin[static_cast<size_t>(output)];
  for (const Tree& t : m.forest.trees) {
    if (t.class_index == output) v += RefValue(t, 0, x, known);
  }
  return v;
}

// Exact Shapley values of every feature plus v(empty set), for every output; same layout as
// Explainer::ExplainRows.
std::vector<double> BruteForceShap(const Model& m, const float* x) {
  const int nf = static_cast<int>(m.features.size());
  const uint32_t all = (1u << nf) - 1;
  std::vector<double> fact(static_cast<size_t>(nf) + 1, 1.0);
  for (int i = 1; i <= nf; ++i) fact[static_cast<size_t>(i)] = fact[static_cast<size_t>(i - 1)] * i;
  std::vector<double> out;
  for (int k = 0; k < m.num_outputs; ++k) {
    std::vector<double> v(size_t{1} << nf);
    for (uint32_t s = 0; s <= all; ++s) v[s] = ForestValue(m, k, x, s);
    for (int i = 0; i < nf; ++i) {
      double phi = 0;
      for (uint32_t s = 0; s <= all; ++s) {
        if ((s >> i) & 1u) continue;
        const int size = std::popcount(s);
        const double w = fact[static_cast<size_t>(size)] *
                         fact[static_cast<size_t>(nf - size - 1)] / fact[static_cast<size_t>(nf)];
        phi += w * (v[s | (1u << i)] - v[s]);
      }
      out.push_back(phi);
    }
    out.push_back(v[0]);
  }
  return out;
}

// ---- Random models and rows.

struct RandomSpec {
  int features = 6;
  int categorical_features = 2;  // the last ones
  int max_depth = 4;
  int trees = 3;
  int outputs = 1;
  bool zero_cover = false;  // let some child covers be 0
};

constexpr int kCodes = 5;

int32_t AddRandomNode(Rng& rng, const RandomSpec& spec, Tree* tree, int depth) {
  const auto id = static_cast<int32_t>(tree->nodes.size());
  tree->nodes.emplace_back();
  const bool leaf = depth >= spec.max_depth || (depth > 0 && rng.Uniform() < 0.25);
  if (leaf) {
    tree->nodes[static_cast<size_t>(id)].value = rng.Uniform() * 4 - 2;
    return id;
  }
  TreeNode n;
  n.feature = static_cast<int32_t>(rng.Below(static_cast<uint64_t>(spec.features)));
  n.default_left = rng.Below(2) == 0;
  if (n.feature >= spec.features - spec.categorical_features) {
    n.is_categorical = true;
    n.categories_left = rng.Below(2) == 0;
    for (int c = 0; c < kCodes; ++c) {
      if (rng.Below(2) == 0) n.categories.push_back(c);
    }
  } else {
    n.threshold = static_cast<double>(rng.Below(5)) - 2.0 + (rng.Below(3) == 0 ? 0.5 : 0.0);
    n.less_equal = rng.Below(2) == 0;
    n.missing_rule = static_cast<MissingRule>(rng.Below(3));
  }
  n.gain = rng.Uniform();
  const int32_t l = AddRandomNode(rng, spec, tree, depth + 1);
  const int32_t r = AddRandomNode(rng, spec, tree, depth + 1);
  n.left = l;
  n.right = r;
  tree->nodes[static_cast<size_t>(id)] = n;
  return id;
}

// Covers: each node's cover is the sum of its children's (as training produces), with
// random leaf covers; with zero_cover some leaves get 0.
double AssignCovers(Rng& rng, const RandomSpec& spec, Tree* tree, int32_t i) {
  TreeNode& n = tree->nodes[static_cast<size_t>(i)];
  if (n.is_leaf()) {
    n.cover = (spec.zero_cover && rng.Below(4) == 0) ? 0.0 : 0.5 + rng.Uniform() * 10;
    return n.cover;
  }
  const double c = AssignCovers(rng, spec, tree, n.left) + AssignCovers(rng, spec, tree, n.right);
  tree->nodes[static_cast<size_t>(i)].cover = c > 0 ? c : 1.0;
  return tree->nodes[static_cast<size_t>(i)].cover;
}

Model RandomForest(uint64_t seed, const RandomSpec& spec) {
  Rng rng(seed);
  Model m;
  m.task = spec.outputs > 1 ? Task::kMulticlass : Task::kBinary;
  m.objective = spec.outputs > 1 ? Objective::kMultiSoftmax : Objective::kBinaryLogistic;
  m.num_outputs = spec.outputs;
  m.base_margin.clear();
  for (int k = 0; k < spec.outputs; ++k) m.base_margin.push_back(rng.Uniform() - 0.5);
  for (int f = 0; f < spec.features; ++f) {
    FeatureSpec fs;
    fs.name = fmt::format("f{}", f);
    if (f >= spec.features - spec.categorical_features) fs.kind = FeatureSpec::Kind::kCategorical;
    m.features.push_back(fs);
  }
  for (int t = 0; t < spec.trees; ++t) {
    Tree tree;
    tree.class_index = t % spec.outputs;
    AddRandomNode(rng, spec, &tree, 0);
    AssignCovers(rng, spec, &tree, 0);
    m.forest.trees.push_back(std::move(tree));
  }
  return m;
}

// Rows with values on and around thresholds, zeros, NaNs, and categorical codes that are
// listed, unlisted, negative or not integers.
std::vector<float> RandomRows(uint64_t seed, const RandomSpec& spec, size_t rows) {
  Rng rng(seed);
  std::vector<float> x;
  static constexpr float kNumeric[] = {-2.5f, -2, -1.5f, -1, 0, 0.5f, 1, 1.5f, 2, 3, kNaN};
  static constexpr float kCategorical[] = {0, 1, 2, 3, 4, 7, -1, 1.5f, kNaN};
  for (size_t r = 0; r < rows; ++r) {
    for (int f = 0; f < spec.features; ++f) {
      if (f >= spec.features - spec.categorical_features) {
        x.push_back(kCategorical[rng.Below(std::size(kCategorical))]);
      } else {
        x.push_back(kNumeric[rng.Below(std::size(kNumeric))]);
      }
    }
  }
  return x;
}

std::vector<double> Explain(const Explainer& e, const std::vector<float>& x, size_t rows) {
  std::vector<double> out(rows * e.row_width());
  ExplainScratch scratch = e.NewScratch();
  for (size_t r = 0; r < rows; ++r) {
    e.ExplainRows(x.data() + r * static_cast<size_t>(e.num_features()), 1,
                  static_cast<size_t>(e.num_features()), out.data() + r * e.row_width(), &scratch);
  }
  return out;
}

// `tolerance` is relative to the row's scale, max(1, largest |value|): models whose child
// covers exceed their parent's (random covers) weight leaves by products far above 1, so
// attributions are large and cancel, and both sides round.
void ExpectRowsMatchBruteForce(const Model& m, const std::vector<float>& x, uint64_t seed,
                               TreeShapAlgorithm algorithm, TreeShapStats* stats = nullptr,
                               double tolerance = 1e-10) {
  ASSERT_TRUE(ValidateModel(m).ok()) << ValidateModel(m).ToString();
  ExplainerOptions opt;
  opt.tree_algorithm = algorithm;
  auto e = CreateTreeShap(m, opt, stats);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  const int nf = static_cast<int>(m.features.size());
  const size_t rows = x.size() / static_cast<size_t>(nf);
  const auto got = Explain(**e, x, rows);
  for (size_t r = 0; r < rows; ++r) {
    const float* row = x.data() + r * static_cast<size_t>(nf);
    const auto want = BruteForceShap(m, row);
    ASSERT_EQ(want.size(), (*e)->row_width());
    double scale = 1;
    for (double v : want) scale = std::max(scale, std::abs(v));
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_NEAR(got[r * want.size() + i], want[i], tolerance * scale)
          << "seed " << seed << " row " << r << " entry " << i;
    }
    // Efficiency: attributions + bias = the model's raw margin.
    const uint32_t all = (1u << nf) - 1;
    for (int k = 0; k < m.num_outputs; ++k) {
      double sum = 0;
      for (int f = 0; f <= nf; ++f) {
        sum += got[r * want.size() + static_cast<size_t>(k * (nf + 1) + f)];
      }
      ASSERT_NEAR(sum, ForestValue(m, k, row, all), tolerance * scale);
    }
  }
}

void ExpectMatchesBruteForce(const Model& m, const RandomSpec& spec, uint64_t seed,
                             TreeShapAlgorithm algorithm, TreeShapStats* stats = nullptr,
                             size_t rows = 40) {
  ExpectRowsMatchBruteForce(m, RandomRows(seed * 7 + 1, spec, rows), seed, algorithm, stats);
}

// ---- Hand-computed cases.

Model OneSplitModel() {
  Model m;
  m.features = {{"a", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric}};
  m.base_margin = {0.5};
  Tree t;
  t.nodes.resize(3);
  t.nodes[0].feature = 0;
  t.nodes[0].threshold = 1.0;
  t.nodes[0].left = 1;
  t.nodes[0].right = 2;
  t.nodes[0].cover = 4;
  t.nodes[0].default_left = false;
  t.nodes[1].value = 2.0;
  t.nodes[1].cover = 1;
  t.nodes[2].value = -1.0;
  t.nodes[2].cover = 3;
  m.forest.trees.push_back(t);
  return m;
}

TEST(TreeShap, OneSplitGivesLeafMinusCoverWeightedMean) {
  const Model m = OneSplitModel();
  auto e = CreateTreeShap(m);
  ASSERT_TRUE(e.ok());
  // E = 0.5 + (1 * 2 + 3 * -1) / 4 = 0.25.
  EXPECT_DOUBLE_EQ((*e)->expected_value()[0], 0.25);
  const std::vector<float> x = {0.0f, 5.0f, kNaN};  // left, right, missing -> right
  const auto out = Explain(**e, x, 3);
  EXPECT_DOUBLE_EQ(out[0], 2.0 - (-0.25));  // leaf 2 vs tree mean -0.25
  EXPECT_DOUBLE_EQ(out[1], 0.25);
  EXPECT_DOUBLE_EQ(out[2], -1.0 + 0.25);
  EXPECT_DOUBLE_EQ(out[4], -0.75);
}

// Two features, x1 then x2 under the left child; hand-computed from the definition.
TEST(TreeShap, TwoFeatureTreeMatchesHandComputedShapleyValues) {
  Model m;
  m.features = {{"x1", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric},
                {"x2", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric}};
  Tree t;
  t.nodes.resize(5);
  t.nodes[0] = {.left = 1, .right = 2, .feature = 0, .threshold = 0.5, .cover = 10};
  t.nodes[1] = {.left = 3, .right = 4, .feature = 1, .threshold = 0.5, .cover = 6};
  t.nodes[2].value = 3;
  t.nodes[2].cover = 4;
  t.nodes[3].value = 1;
  t.nodes[3].cover = 2;
  t.nodes[4].value = 0;
  t.nodes[4].cover = 4;
  m.forest.trees.push_back(t);
  auto e = CreateTreeShap(m);
  ASSERT_TRUE(e.ok());
  // Row (0, 0) reaches the value-1 leaf. v({}) = 0.6*(1/3) + 0.4*3 = 1.4,
  // v({x1}) = 1/3, v({x2}) = 0.6*1 + 0.4*3 = 1.8, v({x1,x2}) = 1.
  // phi1 = 0.5*(1/3 - 1.4) + 0.5*(1 - 1.8) = -0.9333..., phi2 = 0.5*(1.8-1.4) + 0.5*(1-1/3).
  const std::vector<float> x = {0.0f, 0.0f};
  const auto out = Explain(**e, x, 1);
  EXPECT_NEAR(out[0], 0.5 * (1.0 / 3 - 1.4) + 0.5 * (1 - 1.8), 1e-15);
  EXPECT_NEAR(out[1], 0.5 * (1.8 - 1.4) + 0.5 * (1 - 1.0 / 3), 1e-15);
  EXPECT_NEAR(out[2], 1.4, 1e-15);
}

TEST(TreeShap, ConstantTreesOnlyAddToTheBias) {
  Model m = OneSplitModel();
  Tree constant;
  constant.nodes.resize(1);
  constant.nodes[0].value = 0.125;
  constant.nodes[0].cover = 4;
  m.forest.trees.push_back(constant);
  TreeShapStats stats;
  auto e = CreateTreeShap(m, {}, &stats);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(stats.constant_trees, 1u);
  EXPECT_DOUBLE_EQ((*e)->expected_value()[0], 0.375);
}

// ---- Brute force on random trees.

TEST(TreeShap, SubsetTablesEqualBruteForceShapleyValues) {
  RandomSpec spec;
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    const Model m = RandomForest(seed, spec);
    TreeShapStats stats;
    ExpectMatchesBruteForce(m, spec, seed, TreeShapAlgorithm::kSubsetTable, &stats);
    EXPECT_EQ(stats.polynomial_trees, 0u);
  }
}

TEST(TreeShap, LeafPolynomialsEqualBruteForceShapleyValues) {
  RandomSpec spec;
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    const Model m = RandomForest(seed, spec);
    TreeShapStats stats;
    ExpectMatchesBruteForce(m, spec, seed, TreeShapAlgorithm::kLeafPolynomial, &stats);
    EXPECT_EQ(stats.table_trees, 0u);
  }
}

// The shared random IR models: thresholds on, between and beyond float32 values, infinities,
// huge category codes, every missing rule; inputs with ties, signed zeros, infinities,
// negative and non-integer codes.
TEST(TreeShap, RandomIrModelsEqualBruteForceShapleyValues) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    RandomModelMaker maker(seed);
    RandomModelOptions o;
    o.num_trees = 8;
    o.objective = seed % 3 == 0 ? Objective::kMultiSoftmax : Objective::kBinaryLogistic;
    const Model m = maker.Make(o);
    const auto x = maker.Rows(m, 30);
    ExpectRowsMatchBruteForce(m, x, seed, TreeShapAlgorithm::kSubsetTable, nullptr, 1e-9);
    ExpectRowsMatchBruteForce(m, x, seed, TreeShapAlgorithm::kLeafPolynomial, nullptr, 1e-9);
  }
}

TEST(TreeShap, MulticlassTreesExplainTheirOwnClass) {
  RandomSpec spec;
  spec.outputs = 3;
  spec.trees = 7;
  for (uint64_t seed = 100; seed < 110; ++seed) {
    ExpectMatchesBruteForce(RandomForest(seed, spec), spec, seed, TreeShapAlgorithm::kAuto);
  }
}

TEST(TreeShap, DeepPathsWithManyFeaturesUsePolynomialsAndStayExact) {
  RandomSpec spec;
  spec.features = 13;
  spec.categorical_features = 3;
  spec.max_depth = 20;
  spec.trees = 1;
  int deepest = 0;
  size_t polynomial = 0;
  for (uint64_t seed = 200; seed < 203; ++seed) {
    TreeShapStats stats;
    const Model m = RandomForest(seed, spec);
    ExpectMatchesBruteForce(m, spec, seed, TreeShapAlgorithm::kAuto, &stats, 6);
    deepest = std::max(deepest, stats.max_path_features);
    polynomial += stats.polynomial_trees;
  }
  EXPECT_EQ(deepest, 13);  // beyond the subset tables' 12 path features
  EXPECT_GT(polynomial, 0u);
}

TEST(TreeShap, ZeroCoverChildrenFallBackToPolynomialsAndStayExact) {
  RandomSpec spec;
  spec.zero_cover = true;
  size_t polynomial = 0;
  for (uint64_t seed = 300; seed < 315; ++seed) {
    TreeShapStats stats;
    ExpectMatchesBruteForce(RandomForest(seed, spec), spec, seed, TreeShapAlgorithm::kSubsetTable,
                            &stats);
    polynomial += stats.polynomial_trees;
  }
  EXPECT_GT(polynomial, 0u);
}

TEST(TreeShap, TableMemoryCapMovesTreesToPolynomialsWithTheSameValues) {
  RandomSpec spec;
  spec.trees = 6;
  const Model m = RandomForest(77, spec);
  ExplainerOptions capped;
  capped.max_table_bytes = 600;
  TreeShapStats stats;
  auto a = CreateTreeShap(m, capped, &stats);
  auto b = CreateTreeShap(m);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_GT(stats.polynomial_trees, 0u);
  EXPECT_LE(stats.table_bytes, 600u);
  const auto x = RandomRows(5, spec, 30);
  const auto ea = Explain(**a, x, 30);
  const auto eb = Explain(**b, x, 30);
  for (size_t i = 0; i < ea.size(); ++i) ASSERT_NEAR(ea[i], eb[i], 1e-12);
}

TEST(TreeShap, ParallelMatrixEqualsRowByRow) {
  RandomSpec spec;
  spec.trees = 10;
  const Model m = RandomForest(9, spec);
  auto e = CreateTreeShap(m);
  ASSERT_TRUE(e.ok());
  const size_t rows = 1000;
  FeatureMatrix x;
  x.rows = rows;
  x.cols = static_cast<size_t>(spec.features);
  x.values = RandomRows(10, spec, rows);
  std::vector<double> par(rows * (*e)->row_width());
  ASSERT_TRUE((*e)->ExplainMatrix(x, 2, par).ok());
  const auto seq = Explain(**e, x.values, rows);
  EXPECT_EQ(par, seq);
}

TEST(TreeShap, ExplainMatrixRejectsWrongShapes) {
  auto e = CreateTreeShap(OneSplitModel());
  ASSERT_TRUE(e.ok());
  FeatureMatrix x;
  x.rows = 2;
  x.cols = 3;
  x.values.assign(6, 0.0f);
  std::vector<double> out(4);
  EXPECT_EQ((*e)->ExplainMatrix(x, 1, out).code(), StatusCode::kInvalidArgument);
  x.cols = 1;
  x.values.assign(2, 0.0f);
  std::vector<double> small(3);
  EXPECT_EQ((*e)->ExplainMatrix(x, 1, small).code(), StatusCode::kInvalidArgument);
}

TEST(TreeShap, MissingCoverIsAClearError) {
  Model m = OneSplitModel();
  m.forest.trees[0].nodes[0].cover = 0;
  auto e = CreateTreeShap(m);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(e.status().message().find("tree 0 node 0"), std::string::npos);
  m.forest.trees[0].nodes[0].cover = NAN;
  EXPECT_FALSE(CreateTreeShap(m).ok());
  m.forest.trees[0].nodes[0].cover = 4;
  m.forest.trees[0].nodes[2].cover = -1;
  EXPECT_FALSE(CreateTreeShap(m).ok());
}

TEST(TreeShap, UsedFeaturesAreThoseWithSplits) {
  RandomSpec spec;
  const Model m = RandomForest(3, spec);
  auto e = CreateTreeShap(m);
  ASSERT_TRUE(e.ok());
  std::vector<uint8_t> want(static_cast<size_t>(spec.features), 0);
  for (const Tree& t : m.forest.trees) {
    for (const TreeNode& n : t.nodes) {
      if (!n.is_leaf()) want[static_cast<size_t>(n.feature)] = 1;
    }
  }
  EXPECT_EQ((*e)->used_features(), want);
}

}  // namespace
}  // namespace keel
