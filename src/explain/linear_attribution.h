// Attributions of a linear model (Model::kind == kLinear), relative to the training mean.
//
// The score of output k is base_margin[k] + sum_t weight[t][k] * term_t(x) (model.h). Each
// term is measured against its reference value r_t, the value it takes on the training-mean
// row:
//     numeric term            r = 0 (a numeric input at its center; missing reads as center)
//     missing indicator,      r = LinearTerm::center, which trainers set to the term's
//     category, other         training mean (the share of rows where it is 1); 0 when unset,
//                             which makes "absent" the reference
// and feature f receives the sum over its terms of weight[t][k] * (term_t(x) - r_t): the
// one-hot and missing-indicator terms are folded back into the one original feature. The
// bias of output k is the score of the reference row, base_margin[k] + sum_t weight * r_t,
// so bias + attributions = the raw margin, exactly as for TreeSHAP. For a linear model with
// independent inputs these are the exact (interventional) Shapley values.
#pragma once

#include <memory>

#include "explain/explainer.h"
#include "keel/status.h"
#include "model/model.h"

namespace keel {

// Builds the explainer of a linear model. Errors: InvalidArgument when `model` is not linear
// or its weights do not match its terms and outputs.
Result<std::unique_ptr<Explainer>> CreateLinearAttribution(const Model& model);

}  // namespace keel
