// Import of LightGBM models saved in LightGBM's text format (Booster.save_model("m.txt")).
//
// Supported objectives: binary (with its sigmoid scale folded into the leaves), multiclass
// (softmax), cross_entropy (as binary), and the identity-link regressions regression,
// regression_l1, huber, fair, quantile and mape, and the log-link regressions poisson, gamma
// and tweedie (prediction = exp(raw score)); average_output (random-forest mode).
// Splits follow LightGBM's NumericalDecision / CategoricalDecision exactly:
//   numeric      left iff x <= threshold (a double); decision_type bit 1 = default left,
//                bits 2-3 = missing type: None (NaN read as 0 -> kNaNAsZero), Zero (0 and
//                NaN go the default way -> kZeroOrNaN), NaN (-> kNaN)
//   categorical  decision_type bit 0; the categories in the bitset
//                cat_threshold[cat_boundaries[i]..cat_boundaries[i+1]) go left, everything
//                else right, and missing values always go right (as LightGBM does on x86)
// Known difference: Keel reads features as float32 and treats only exact zeros as zero,
// while LightGBM compares doubles and treats |x| <= 1e-35 as zero; they differ only for
// values within one float32 rounding of a threshold or within 1e-35 of zero.
// Errors: ParseError for malformed text, Unsupported for linear trees and other
// objectives, Corrupt for inconsistent arrays; messages name the source, line and key.
#pragma once

#include <string>
#include <string_view>

#include "keel/status.h"
#include "model/imported_model.h"
#include "model/model.h"

namespace keel {

Result<Model> ImportLightGBMText(std::string_view text, std::string_view source_name,
                                 const ImportOptions& options = {});

Result<Model> ImportLightGBMFile(const std::string& path, const ImportOptions& options = {});

}  // namespace keel
