// What an explanations report needs, as plain data: feature importance bars and a SHAP summary
// plot (one dot per row per feature: x = the attribution, colour = the feature's value, low to
// high). The report module draws it; this module decides what is in it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "explain/explainer.h"
#include "explain/global_importance.h"
#include "model/model.h"
#include "predict/feature_matrix.h"

namespace keel {

struct ShapSummaryOptions {
  size_t max_rows = 1000;  // rows shown as dots; more are sampled evenly (deterministic)
  int max_features = 20;   // the most important features, by mean |SHAP| of `output`
  int output = 0;          // the output plotted (a class of a multiclass model)
};

struct ShapSummaryFeature {
  int32_t feature = -1;
  std::string name;
  bool categorical = false;
  double mean_abs_shap = 0;  // over all explained rows, for the plotted output
  // Per shown row (ShapSummary::rows order):
  std::vector<double> shap;   // the attribution (raw margin units)
  std::vector<double> value;  // the encoded value (category code for categorical; NaN missing)
  // The value's colour position in [0, 1]: its mid-rank among the shown rows' non-missing
  // values (robust to outliers; categorical codes are ranked too); NaN for missing.
  std::vector<double> color;
};

struct ShapSummary {
  int output = 0;
  std::string output_name;                    // the class (multiclass) or the score name
  double expected_value = 0;                  // the bias of that output
  std::vector<size_t> rows;                   // indices of the shown rows in the explained matrix
  std::vector<ShapSummaryFeature> features;   // most important first
  std::vector<FeatureImportance> importance;  // every feature (ComputeImportance order)
};

// Builds the summary from `x` (encoded for `model`) and its attributions (x.rows rows of
// `explainer`'s output). Options out of range are clamped (output to [0, outputs)).
ShapSummary BuildShapSummary(const Model& model, const Explainer& explainer, const FeatureMatrix& x,
                             std::span<const double> attributions,
                             const ShapSummaryOptions& options = {});

}  // namespace keel
