// The `monotone` and `interactions` training parameters: their text forms, and what they mean
// for a model's features.
//
// monotone:     "NAME=DIR,NAME=DIR", DIR one of +1, 1, -1, 0 (0 = unconstrained). keel.yaml's
//               map {NAME: DIR} and repeated --monotone flags are joined into this form.
// interactions: "a,b;c,d,e": groups separated by ';', names by ','. keel.yaml's list of lists
//               and repeated --interactions flags are joined into this form.
// Spaces around names are ignored; names themselves cannot hold ',', ';' or (monotone) '='.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keel/status.h"
#include "model/constraint_check.h"
#include "model/model.h"
#include "train/feature_set.h"
#include "train/tree_learner.h"

namespace keel {

// Parses the monotone text into (name, direction) pairs. Errors: InvalidArgument naming the
// item for a missing '=', an empty name, a direction other than +1/1/-1/0, or a name given twice.
Status ParseMonotone(std::string_view text, std::vector<std::pair<std::string, int>>* out);

// Parses the interactions text into groups of names. Errors: InvalidArgument for an empty
// group or name, or a name listed twice in one group.
Status ParseInteractions(std::string_view text, std::vector<std::vector<std::string>>* out);

// The constraints `monotone_text` and `interactions_text` put on `features` (model feature
// order). Errors: InvalidArgument, message starting "parameter monotone" or "parameter
// interactions" (IsParamError), naming the feature: a name that is not a feature (saying why
// when the column was left out, else the nearest feature name), or a monotone constraint on a
// categorical feature.
Result<ModelConstraints> ResolveConstraints(std::string_view monotone_text,
                                            std::string_view interactions_text,
                                            std::span<const FeatureSpec> features,
                                            std::span<const ExcludedColumn> excluded);

// Puts `c` into the tree learner's settings (the ungrouped features as one more group).
void SetTreeConstraints(const ModelConstraints& c, size_t num_features, TreeConfig* tree);

// Checks `c` on a trained model's trees and records its "constraints" section (nothing when `c`
// is empty). Errors: Internal when they do not hold: training is built so that they do.
Status VerifyTrainedConstraints(const ModelConstraints& c, Model* model);

}  // namespace keel
