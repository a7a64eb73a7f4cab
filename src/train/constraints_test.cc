// Monotone and interaction constraints: their parameters, and trees grown under them, checked
// by walking the trees independently of the trainer and by CheckConstraints.
#include "train/constraints.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <limits>
#include <set>

#include "core/random.h"
#include "model/split_rule.h"
#include "train/gbdt_trainer.h"
#include "train/learner_config.h"

namespace keel {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(ConstraintParams, MonotoneAcceptsEveryDirectionSpelling) {
  std::vector<std::pair<std::string, int>> m;
  ASSERT_TRUE(ParseMonotone(" Income=-1, Debt=+1,Age=1,Time=0", &m).ok());
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0], (std::pair<std::string, int>{"Income", -1}));
  EXPECT_EQ(m[1], (std::pair<std::string, int>{"Debt", 1}));
  EXPECT_EQ(m[2], (std::pair<std::string, int>{"Age", 1}));
  EXPECT_EQ(m[3], (std::pair<std::string, int>{"Time", 0}));
  ASSERT_TRUE(ParseMonotone("", &m).ok());
  EXPECT_TRUE(m.empty());
}

TEST(ConstraintParams, MonotoneRejectsBadItemsNamingThem) {
  std::vector<std::pair<std::string, int>> m;
  Status s = ParseMonotone("Income=2", &m);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("direction '2' of Income"), std::string::npos) << s.message();
  s = ParseMonotone("Income", &m);
  EXPECT_NE(s.message().find("'Income' is not NAME=DIRECTION"), std::string::npos);
  s = ParseMonotone("=1", &m);
  EXPECT_NE(s.message().find("names no feature"), std::string::npos);
  s = ParseMonotone("Income=1,Income=-1", &m);
  EXPECT_NE(s.message().find("Income is given twice"), std::string::npos);
  EXPECT_TRUE(IsParamError(s));
}

TEST(ConstraintParams, InteractionsParseGroups) {
  std::vector<std::vector<std::string>> g;
  ASSERT_TRUE(ParseInteractions("a,b; c,d,e", &g).ok());
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0], (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(g[1], (std::vector<std::string>{"c", "d", "e"}));
  EXPECT_FALSE(ParseInteractions("a,,b", &g).ok());
  EXPECT_FALSE(ParseInteractions("a,b;", &g).ok());
  EXPECT_FALSE(ParseInteractions("a,a", &g).ok());
}

std::vector<FeatureSpec> Specs() {
  std::vector<FeatureSpec> s(3);
  s[0].name = "Income";
  s[1].name = "Debt";
  s[2].name = "Home";
  s[2].kind = FeatureSpec::Kind::kCategorical;
  s[2].categories = {"rent", "own"};
  return s;
}

TEST(ConstraintParams, ResolveNamesFeaturesAndRefusesOthers) {
  const auto specs = Specs();
  const std::vector<ExcludedColumn> excluded = {{"Id", "role id"}};
  auto c = ResolveConstraints("Debt=+1,Income=-1", "Income,Home", specs, excluded);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->monotone, (std::vector<int8_t>{-1, 1, 0}));
  ASSERT_EQ(c->interactions.size(), 1u);
  EXPECT_EQ(c->interactions[0], (std::vector<int32_t>{0, 2}));
  // The ungrouped feature (Debt) forms a group of its own.
  EXPECT_EQ(WithUngroupedFeatures(c->interactions, 3),
            (std::vector<std::vector<int32_t>>{{0, 2}, {1}}));

  auto typo = ResolveConstraints("Incme=-1", "", specs, excluded);
  ASSERT_FALSE(typo.ok());
  EXPECT_TRUE(IsParamError(typo.status()));
  EXPECT_NE(typo.status().message().find("did you mean 'Income'"), std::string::npos);
  auto cat = ResolveConstraints("Home=1", "", specs, excluded);
  ASSERT_FALSE(cat.ok());
  EXPECT_NE(cat.status().message().find("Home is a categorical feature"), std::string::npos);
  auto dropped = ResolveConstraints("", "Income,Id", specs, excluded);
  ASSERT_FALSE(dropped.ok());
  EXPECT_NE(dropped.status().message().find("'Id', which is not a feature: role id"),
            std::string::npos)
      << dropped.status().message();
  // A direction of 0 on a categorical feature constrains nothing and is allowed.
  auto zero = ResolveConstraints("Home=0", "", specs, excluded);
  ASSERT_TRUE(zero.ok());
  EXPECT_TRUE(zero->monotone.empty());
}

// A problem whose target rises with x0 overall but wiggles (sin), so an unconstrained model
// is not monotone in x0; x0 is 10% missing, x2 categorical, rows weighted.
struct Problem {
  std::vector<RawFeature> raw;
  std::vector<double> y;
  std::vector<float> w;
};

Problem MakeProblem(Objective objective) {
  Rng rng(7);
  Problem p;
  p.raw.resize(4);
  p.raw[2].categorical = true;
  p.raw[2].num_codes = 4;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    const double x0 = rng.Uniform();
    const double x1 = rng.Uniform();
    const double x3 = rng.Uniform();
    const auto code = static_cast<int32_t>(rng.Below(4));
    const bool miss = rng.Uniform() < 0.1;
    p.raw[0].values.push_back(miss ? kNaN : static_cast<float>(x0));
    p.raw[1].values.push_back(static_cast<float>(x1));
    p.raw[2].codes.push_back(code);
    p.raw[3].values.push_back(static_cast<float>(x3));
    const double score =
        2 * x0 + std::sin(14 * x0) + x1 * (code - 1.5) + 0.5 * x3 + 0.3 * (rng.Uniform() - 0.5);
    double y = score;
    if (objective == Objective::kBinaryLogistic) y = score > 1.2 ? 1 : 0;
    if (objective == Objective::kMultiSoftmax) y = score < 0.8 ? 0 : score < 1.6 ? 1 : 2;
    p.y.push_back(y);
    p.w.push_back(static_cast<float>(0.5 + 1.5 * rng.Uniform()));
  }
  return p;
}

struct Trained {
  GbdtResult g;
  Model model;
};

Trained TrainOn(const Problem& p, Objective objective, int outputs, std::vector<int8_t> monotone,
                std::vector<std::vector<int32_t>> groups) {
  GbdtConfig cfg = GbdtConfigOf(DefaultParams(), objective, outputs);
  cfg.num_trees = 30;
  cfg.tree.num_leaves = 15;
  cfg.tree.split.min_data_in_leaf = 5;
  cfg.tree.split.min_sum_hessian = 1e-3;
  cfg.early_stopping_rounds = 0;
  cfg.tree.monotone = std::move(monotone);
  cfg.tree.interaction_groups = WithUngroupedFeatures(groups, p.raw.size());
  std::vector<uint32_t> rows(p.y.size());
  for (uint32_t r = 0; r < rows.size(); ++r) rows[r] = r;
  std::vector<BinMapper> mappers;
  for (const RawFeature& raw : p.raw) {
    mappers.push_back(raw.categorical ? BinMapper::FitCategorical(raw, rows, 254)
                                      : BinMapper::FitNumeric(raw, rows, 255));
  }
  auto bins = BinRows(p.raw, mappers, rows, 2);
  EXPECT_TRUE(bins.ok());
  const Context ctx = Context{}.WithThreads(2).Quiet();
  auto g = TrainGbdt({&*bins, p.y, p.w}, {}, mappers, cfg, ctx);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  Trained t;
  t.g = std::move(*g);
  t.model.kind = Model::Kind::kForest;
  t.model.num_outputs = outputs;
  for (size_t f = 0; f < p.raw.size(); ++f) {
    FeatureSpec s;
    s.name = "x" + std::to_string(f);
    s.kind = p.raw[f].categorical ? FeatureSpec::Kind::kCategorical : FeatureSpec::Kind::kNumeric;
    t.model.features.push_back(s);
  }
  t.model.forest = t.g.forest;
  return t;
}

// Margin k of row x, by the IR's split rule.
double Margin(const Model& m, const std::vector<float>& x, int k) {
  double s = 0;
  for (const Tree& t : m.forest.trees) {
    if (t.class_index != k) continue;
    int32_t i = 0;
    while (!t.nodes[static_cast<size_t>(i)].is_leaf()) {
      const TreeNode& n = t.nodes[static_cast<size_t>(i)];
      i = GoesLeft(n, x[static_cast<size_t>(n.feature)]) ? n.left : n.right;
    }
    s += t.nodes[static_cast<size_t>(i)].value;
  }
  return s;
}

// Rows (of 100) along whose 80-point grid of feature f some margin moves against `dir`.
int GridViolations(const Model& m, const Problem& p, size_t f, int dir) {
  int bad = 0;
  for (uint32_t r = 0; r < 100; ++r) {
    std::vector<float> x;
    for (const RawFeature& raw : p.raw) {
      x.push_back(raw.categorical ? static_cast<float>(raw.codes[r]) : raw.values[r]);
    }
    bool broke = false;
    for (int k = 0; k < m.num_outputs && !broke; ++k) {
      double prev = -dir * std::numeric_limits<double>::infinity();
      for (int i = 0; i < 80; ++i) {
        x[f] = static_cast<float>(-0.05 + 1.1 * i / 79.0);
        const double v = Margin(m, x, k);
        if (dir * (v - prev) < 0) broke = true;
        prev = v;
      }
    }
    bad += broke ? 1 : 0;
  }
  return bad;
}

struct ObjectiveCase {
  Objective objective;
  int outputs;
};

class MonotoneTraining : public ::testing::TestWithParam<ObjectiveCase> {};

TEST_P(MonotoneTraining, EveryRowIsMonotoneAlongTheGridAndTheCheckAgrees) {
  const auto [objective, outputs] = GetParam();
  const Problem p = MakeProblem(objective);
  for (int dir : {+1, -1}) {
    const Trained t = TrainOn(p, objective, outputs, {static_cast<int8_t>(dir), 0, 0, 0}, {});
    EXPECT_EQ(GridViolations(t.model, p, 0, dir), 0) << "direction " << dir;
    ModelConstraints c;
    c.monotone = {static_cast<int8_t>(dir), 0, 0, 0};
    const ConstraintCheck check = CheckConstraints(t.model, c);
    EXPECT_TRUE(check.holds()) << (check.violations.empty() ? "" : check.violations[0]);
  }
  // Without the constraint the same data gives wiggles, and the check sees them.
  const Trained free = TrainOn(p, objective, outputs, {}, {});
  EXPECT_GT(GridViolations(free.model, p, 0, +1), 0);
  ModelConstraints c;
  c.monotone = {1, 0, 0, 0};
  EXPECT_FALSE(CheckConstraints(free.model, c).monotone_holds);
}

INSTANTIATE_TEST_SUITE_P(Objectives, MonotoneTraining,
                         ::testing::Values(ObjectiveCase{Objective::kBinaryLogistic, 1},
                                           ObjectiveCase{Objective::kMultiSoftmax, 3},
                                           ObjectiveCase{Objective::kSquaredError, 1},
                                           ObjectiveCase{Objective::kAbsoluteError, 1},
                                           ObjectiveCase{Objective::kHuber, 1}),
                         [](const auto& info) {
                           std::string name(ObjectiveName(info.param.objective));
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// The features on each root-to-leaf path of every tree.
std::vector<std::set<int32_t>> PathFeatures(const Model& m) {
  std::vector<std::set<int32_t>> out;
  for (const Tree& t : m.forest.trees) {
    std::vector<std::pair<int32_t, std::set<int32_t>>> stack = {{0, {}}};
    while (!stack.empty()) {
      auto [node, used] = stack.back();
      stack.pop_back();
      const TreeNode& n = t.nodes[static_cast<size_t>(node)];
      if (n.is_leaf()) {
        out.push_back(used);
        continue;
      }
      used.insert(n.feature);
      stack.push_back({n.left, used});
      stack.push_back({n.right, used});
    }
  }
  return out;
}

TEST(InteractionTraining, NoPathMixesGroups) {
  const Problem p = MakeProblem(Objective::kSquaredError);
  // x0 and x1 interact; x2 alone; x3 (listed nowhere) forms a group of its own.
  const std::vector<std::vector<int32_t>> groups = {{0, 1}, {2}};
  const Trained t = TrainOn(p, Objective::kSquaredError, 1, {}, groups);
  const auto all = WithUngroupedFeatures(groups, 4);
  size_t mixed = 0;
  size_t paths_with_two = 0;
  for (const auto& used : PathFeatures(t.model)) {
    bool inside = false;
    for (const auto& g : all) {
      inside |= std::all_of(used.begin(), used.end(),
                            [&](int32_t f) { return std::find(g.begin(), g.end(), f) != g.end(); });
    }
    mixed += inside ? 0 : 1;
    paths_with_two += used.size() >= 2 ? 1 : 0;
  }
  EXPECT_EQ(mixed, 0u);
  EXPECT_GT(paths_with_two, 0u);  // x0 and x1 still interact
  ModelConstraints c;
  c.interactions = groups;
  EXPECT_TRUE(CheckConstraints(t.model, c).holds());
  // Unconstrained, the x1 * code interaction mixes the groups, and the check says so.
  const Trained free = TrainOn(p, Objective::kSquaredError, 1, {}, {});
  const ConstraintCheck check = CheckConstraints(free.model, c);
  EXPECT_FALSE(check.interactions_hold);
  ASSERT_FALSE(check.violations.empty());
  EXPECT_NE(check.violations[0].find("shares no group"), std::string::npos);
}

TEST(InteractionTraining, MonotoneAndInteractionsTogether) {
  const Problem p = MakeProblem(Objective::kBinaryLogistic);
  const Trained t = TrainOn(p, Objective::kBinaryLogistic, 1, {-1, 0, 0, 0}, {{0, 3}, {1, 2}});
  EXPECT_EQ(GridViolations(t.model, p, 0, -1), 0);
  ModelConstraints c;
  c.monotone = {-1, 0, 0, 0};
  c.interactions = {{0, 3}, {1, 2}};
  EXPECT_TRUE(CheckConstraints(t.model, c).holds());
}

}  // namespace
}  // namespace keel
