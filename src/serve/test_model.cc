#include "serve/test_model.h"

namespace keel::serve::testing {
namespace {

TreeNode Leaf(double value, double cover) {
  TreeNode n;
  n.value = value;
  n.cover = cover;
  return n;
}

TreeNode Split(int32_t feature, double threshold, int32_t left, int32_t right, double cover) {
  TreeNode n;
  n.feature = feature;
  n.threshold = threshold;
  n.left = left;
  n.right = right;
  n.default_left = true;
  n.cover = cover;
  n.gain = 1.0;
  return n;
}

Tree AgeTree(double lo, double hi, int32_t class_index) {
  Tree t;
  t.class_index = class_index;
  t.nodes = {Split(0, 40.0, 1, 2, 100), Leaf(lo, 60), Leaf(hi, 40)};
  return t;
}

Tree ColorActiveTree(int32_t class_index) {
  Tree t;
  t.class_index = class_index;
  TreeNode root = Split(1, 0, 1, 2, 100);
  root.is_categorical = true;
  root.categories = {0};
  root.categories_left = true;
  root.default_left = false;
  t.nodes = {root, Leaf(0.5, 30), Split(2, 0.5, 3, 4, 70), Leaf(-0.25, 50), Leaf(0.75, 20)};
  return t;
}

void AddFeaturesAndSchema(Model* m) {
  m->features = {
      {"age", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric},
      {"color",
       FeatureSpec::Kind::kCategorical,
       {"red", "green", "blue"},
       ColumnKind::kCategorical},
      {"active", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kBoolean},
      {"signup", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kTimestamp},
  };
  auto col = [](std::string name, ColumnKind kind, Role role) {
    ColumnSchema c;
    c.name = std::move(name);
    c.kind = kind;
    c.role = role;
    return c;
  };
  ColumnSchema age = col("age", ColumnKind::kNumeric, Role::kFeature);
  age.min = 18;
  age.max = 90;
  ColumnSchema color = col("color", ColumnKind::kCategorical, Role::kFeature);
  color.categories = {"red", "green", "blue"};
  m->schema.columns = {col("customer_id", ColumnKind::kString, Role::kId),
                       col("email", ColumnKind::kString, Role::kPii),
                       age,
                       color,
                       col("active", ColumnKind::kBoolean, Role::kFeature),
                       col("signup", ColumnKind::kTimestamp, Role::kFeature),
                       col("churned", ColumnKind::kCategorical, Role::kTarget)};
}

}  // namespace

Model TinyBinaryModel() {
  Model m;
  m.task = Task::kBinary;
  m.objective = Objective::kBinaryLogistic;
  m.num_outputs = 1;
  m.base_margin = {0.0};
  AddFeaturesAndSchema(&m);
  m.target = "churned";
  m.labels.classes = {"no", "yes"};
  m.schema.labels = m.labels;
  m.forest.trees = {AgeTree(-1.0, 1.0, 0), ColorActiveTree(0)};
  return m;
}

Model TinyMulticlassModel() {
  Model m;
  m.task = Task::kMulticlass;
  m.objective = Objective::kMultiSoftmax;
  m.num_outputs = 3;
  m.base_margin = {0.0, 0.0, 0.0};
  AddFeaturesAndSchema(&m);
  m.target = "churned";
  m.labels.classes = {"a", "b", "c"};
  m.schema.labels = m.labels;
  Tree constant;
  constant.class_index = 2;
  constant.nodes = {Leaf(0.0, 100)};
  m.forest.trees = {AgeTree(-1.0, 1.0, 0), ColorActiveTree(1), constant};
  return m;
}

Model TinyRegressionModel() {
  Model m;
  m.task = Task::kRegression;
  m.objective = Objective::kSquaredError;
  m.num_outputs = 1;
  m.base_margin = {10.0};
  AddFeaturesAndSchema(&m);
  m.target = "churned";
  m.forest.trees = {AgeTree(-2.0, 3.0, 0)};
  return m;
}

}  // namespace keel::serve::testing
