// Monotone and interaction constraints of a forest, and the proof that they hold.
//
// A trained or imported forest may declare constraints (train/constraints.h, the importers);
// CheckConstraints then verifies them on the trees themselves, not on the training procedure,
// and the model's "constraints" section records the declaration and the verdict
// (`keel inspect` shows it).
//
// Monotone: feature f constrained +1 (-1) means that for any two rows that differ only in f,
// both non-missing, the one with the larger f gets a margin at least (at most) as large, for
// every output. Margins are sums of trees, so it suffices that every tree is monotone. The check
// is exact per tree: for every pair of leaves A, B whose regions can hold two such rows (their
// conditions on every other feature intersect, missing values included, and some f-value of A
// is below some f-value of B) it requires value(A) <= value(B) (>= for -1). Missing values of
// f are not on its scale, so rows with f missing are not compared.
//
// Interactions: groups of features; along every root-to-leaf path all split features belong to
// one common group. Features named in no group form one further group of their own (as
// scikit-learn documents it), so an unlisted feature may interact with other unlisted ones
// but with no listed one.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.h"
#include "model/model.h"

namespace keel {

struct ModelConstraints {
  std::vector<int8_t> monotone;                    // per model feature (+1, -1, 0), or empty
  std::vector<std::vector<int32_t>> interactions;  // feature indices per group, or empty
  std::string source;                              // "training", "xgboost", "lightgbm"

  bool empty() const;
};

// `groups` plus one group of the features in [0, num_features) that no group lists (when there
// are any); empty when `groups` is empty.
std::vector<std::vector<int32_t>> WithUngroupedFeatures(
    const std::vector<std::vector<int32_t>>& groups, size_t num_features);

struct ConstraintCheck {
  bool monotone_holds = true;
  bool interactions_hold = true;
  // Violations for people, e.g. "tree 3: leaves 7 and 12 break Income -1 (0.21 > -0.05)";
  // at most a few of each kind.
  std::vector<std::string> violations;

  bool holds() const { return monotone_holds && interactions_hold; }
};

// Verifies `c` on `model`'s trees (a linear model, or a forest without constraints, holds
// trivially). Splits whose missing rule reads 0 as missing on a monotone feature cannot be put
// on the feature's scale and count as violations, naming the rule.
ConstraintCheck CheckConstraints(const Model& model, const ModelConstraints& c);

// An imported model's monotone directions as its library writes them: "(1,0,-1)" (XGBoost's
// monotone_constraints) or "1,0,-1" (LightGBM's), one per feature in feature order; a shorter
// list leaves the remaining features unconstrained (as XGBoost does). Empty text or "()" is no
// constraint (an empty vector). Errors: InvalidArgument naming the item, or for more items
// than `num_features`.
Result<std::vector<int8_t>> ParseDirectionList(std::string_view text, size_t num_features);

// An imported model's interaction groups as its library writes them: XGBoost's
// interaction_constraints "[[0,1],[2,3]]" and LightGBM's "[0,1],[2,3]" (its model text drops
// the outer brackets); an item is a feature index or a quoted feature name. Within a group
// indices are sorted and repeats dropped; empty groups are dropped. Empty text, "[]" or "[[]]"
// is no constraint (an empty vector). Errors: InvalidArgument for text that is not such a
// list, or an item that is not an index in [0, number of features) or a feature's name, naming
// the item.
Result<std::vector<std::vector<int32_t>>> ParseInteractionGroups(std::string_view text,
                                                                 const Model& model);

// For importers: checks `c` on `model` and records the section (nothing when `c` is empty).
// An imported model that breaks its declared constraints is not an error; the section says so.
void RecordImportedConstraints(const ModelConstraints& c, Model* model);

// The model's "constraints" section: {"source", "monotone": {name: +1/-1}, "interactions":
// [[names]], "monotone_verified", "interactions_verified", "verified", "violations"}; only the
// kinds that are declared appear.
nlohmann::json ConstraintsSection(const Model& model, const ModelConstraints& c,
                                  const ConstraintCheck& check);

}  // namespace keel
