// The model IR: the contract between training (or import) and everything that uses a model.
//
// Trainers and importers produce a Model; the predictor, TreeSHAP, audits, drift, ranking
// and serving consume it and nothing else. The IR is plain data with simple, exact
// semantics, documented here and in docs/model_format.md; compiled forms (the fast
// predictor layout) are derived from it at load time and never stored.
//
// Feature vector: a model reads a row as a vector of `features.size()` values, float32 or
// double per Model::input_precision (model/split_rule.h decides splits for both):
//   numeric feature      the value; NaN = missing
//   categorical feature  the category code (index into FeatureSpec::categories); NaN =
//                        missing. Codes are integers; a code no split lists is "other".
// Output: one raw margin per output (1 for binary and regression, K for K classes):
//   margin[k] = base_margin[k] + sum of the leaf values of the trees with class_index k
// (or the linear score), turned into predictions by the objective's link function.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "data/label_mapping.h"
#include "data/schema.h"
#include "keel/status.h"
#include "keel/table.h"

namespace keel {

enum class Task : uint8_t { kBinary, kMulticlass, kRegression };

enum class Objective : uint8_t {
  kBinaryLogistic,  // margin = log-odds of the positive class; p = sigmoid(margin)
  kMultiSoftmax,    // one margin per class; p = softmax(margins)
  kSquaredError,    // prediction = margin
  kAbsoluteError,   // prediction = margin
  kHuber,           // prediction = margin
  // Regressions with a non-identity link (XGBoost reg:logistic, count:poisson, reg:gamma,
  // reg:tweedie; LightGBM poisson, gamma, tweedie). Keel trains all but reg:logistic.
  kRegLogistic,  // prediction = sigmoid(margin), a value in (0, 1)
  kPoisson,      // prediction = exp(margin) (log link)
  kGamma,        // prediction = exp(margin) (log link)
  kTweedie,      // prediction = exp(margin) (log link)
  kQuantile,     // prediction = margin: the Model::quantile_alpha quantile (pinball loss)
};

std::string_view TaskName(Task task);
std::string_view ObjectiveName(Objective objective);
bool ParseObjective(std::string_view text, Objective* objective);
Task TaskOf(Objective objective);

// One input of the model, in feature-vector order.
struct FeatureSpec {
  enum class Kind : uint8_t { kNumeric, kCategorical };
  std::string name;
  Kind kind = Kind::kNumeric;
  // Categorical: code i stands for categories[i]. Input text maps to its code; text not in
  // the list is an unseen category, treated as missing (and reported by validation). Empty
  // when the model takes integer codes directly (an imported model without a dictionary).
  std::vector<std::string> categories;
  // Kind of the data column this feature is read from (numeric, boolean, timestamp or
  // categorical); booleans read as 0/1 and timestamps as seconds since the epoch.
  ColumnKind source_kind = ColumnKind::kNumeric;
};

// What a numeric split does with missing and zero values.
enum class MissingRule : uint8_t {
  kNaN,        // NaN goes the default direction (Keel, XGBoost, LightGBM missing_type=NaN)
  kZeroOrNaN,  // NaN and 0 go the default direction (LightGBM missing_type=Zero)
  kNaNAsZero,  // NaN is read as the value 0 (LightGBM missing_type=None)
};

struct TreeNode {
  // Children: indices into Tree::nodes; both -1 for a leaf.
  int32_t left = -1;
  int32_t right = -1;
  // Split feature: index into Model::features; -1 for a leaf.
  int32_t feature = -1;
  // Numeric split: left if x < threshold, or x <= threshold when less_equal is set.
  double threshold = 0;
  bool less_equal = false;
  MissingRule missing_rule = MissingRule::kNaN;
  // Missing values (NaN, and per missing_rule) go left when set, else right.
  bool default_left = true;
  // Categorical split: the codes in `categories` (sorted, distinct, >= 0) go left when
  // categories_left is set, else right; every other code, including negative or
  // out-of-range ones, goes the other way. Missing goes per default_left.
  bool is_categorical = false;
  bool categories_left = true;
  std::vector<int32_t> categories;
  // Leaf value in margin units, learning rate already applied.
  double value = 0;
  // Sum of the hessians (for squared error: the count) of the training rows reaching this
  // node; TreeSHAP's path-dependent weights come from it. Must be > 0 for a reachable node.
  double cover = 0;
  // Loss reduction of the split (0 for leaves); for gain importance.
  double gain = 0;

  bool is_leaf() const { return left < 0; }
};

struct Tree {
  std::vector<TreeNode> nodes;  // nodes[0] is the root
  int32_t class_index = 0;      // which output this tree adds to
};

struct Forest {
  std::vector<Tree> trees;
};

// A linear model over standardised numerics, missing indicators and one-hot categories.
struct LinearTerm {
  enum class Kind : uint8_t {
    kNumeric,           // (x - center) / scale, with missing x read as center
    kMissingIndicator,  // 1 if the feature is missing, else 0
    kCategory,          // 1 if the feature's code == category, else 0
    kOtherCategory,     // 1 if the code is present but not one of the feature's kCategory terms
  };
  int32_t feature = 0;
  Kind kind = Kind::kNumeric;
  int32_t category = -1;
  // kNumeric: the value the input is centred on (the training mean). Other kinds: the term's
  // training mean (the share of rows where it is 1), which linear attributions use as the
  // reference value (explain/linear_attribution.h); 0 when unset. Predictions do not read it
  // for those kinds.
  double center = 0;
  double scale = 1;
};

struct LinearModel {
  std::vector<LinearTerm> terms;
  // weights[t * num_outputs + k]: weight of term t for output k.
  std::vector<double> weights;
  double l2 = 0;  // the regularisation it was fitted with (informational)
};

// The precision a model reads its inputs in, with the split rules that go with it
// (model/split_rule.h). Keel-trained and XGBoost models read float32; LightGBM models read
// doubles, as LightGBM does, with LightGBM's rules for tiny values and category codes.
enum class InputPrecision : uint8_t {
  kFloat32,  // the value rounded to float32, compared exactly with the double threshold
  kFloat64,  // the double itself; |x| <= kZeroThreshold reads as 0; codes as LightGBM casts
};

std::string_view InputPrecisionName(InputPrecision precision);

struct Model {
  enum class Kind : uint8_t { kForest, kLinear };

  Task task = Task::kBinary;
  Objective objective = Objective::kBinaryLogistic;
  Kind kind = Kind::kForest;
  // What the model reads a feature value as (forests; linear models always read float32).
  InputPrecision input_precision = InputPrecision::kFloat32;
  // Number of raw outputs: 1 for binary and regression, the class count for multiclass.
  int32_t num_outputs = 1;
  std::vector<double> base_margin = {0.0};  // one per output
  // Parameters of the loss, read by evaluation (the pinball loss, the Tweedie deviance) and
  // shown by inspect; prediction does not read them. Meaningful for their objective only.
  double quantile_alpha = 0.5;          // reg:quantileerror: the quantile level, in (0, 1)
  double tweedie_variance_power = 1.5;  // reg:tweedie: the variance power, in (1, 2)

  std::vector<FeatureSpec> features;
  // The schema of the data the model was trained on (all columns and roles), used to
  // validate inputs and to pass id columns through.
  Schema schema;
  // Target name and label mapping (classification).
  std::string target;
  LabelMapping labels;

  Forest forest;       // when kind == kForest
  LinearModel linear;  // when kind == kLinear

  // Named metadata sections, stored as JSON: "lineage" (data hash, rows, parameters,
  // created, keel version), "metrics", "profile" (the drift reference), "fairness",
  // "audit", ... Sections a reader does not know are kept and written back unchanged.
  std::map<std::string, nlohmann::json> sections;

  // Index of the feature called `name`, or -1.
  int32_t FeatureIndex(std::string_view name) const;
};

// Checks the structural invariants a consumer relies on (children in range and acyclic,
// feature indices valid, outputs consistent). Every loader and importer calls it, so a
// model that passes cannot make the predictor read out of bounds.
Status ValidateModel(const Model& model);

}  // namespace keel
