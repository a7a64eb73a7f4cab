// Global explanations: which features matter to a model overall.
//
//   mean |SHAP|   the mean over explained rows of |attribution| (raw margin units), per output
//                 and summed over outputs; from any Explainer's output
//   gain          the total loss reduction of the splits on the feature (forests)
//   splits        how many splits use the feature (forests)
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "model/model.h"

namespace keel {

struct FeatureImportance {
  int32_t feature = -1;
  std::string name;
  bool used = false;         // the model can use it (a split, or a non-zero linear weight)
  double mean_abs_shap = 0;  // summed over outputs
  std::vector<double> mean_abs_shap_by_output;  // one per output
  double gain = 0;                              // forests: total split gain; linear: 0
  uint64_t splits = 0;                          // forests: number of splits; linear: 0
};

// Total gain and split count of every feature of a forest (zeros for a linear model).
void SplitImportance(const Model& model, std::vector<double>* gain, std::vector<uint64_t>* splits);

// Importance of every model feature, sorted by mean |SHAP| (then gain, then feature order).
// `attributions` holds `rows` rows of an Explainer's output for `model`; `used` is
// Explainer::used_features(). With rows == 0 the mean |SHAP| values are 0.
std::vector<FeatureImportance> ComputeImportance(const Model& model,
                                                 std::span<const double> attributions, size_t rows,
                                                 const std::vector<uint8_t>& used);

// JSON list of the importances ({"feature", "mean_abs_shap", "gain", "splits", "used", and
// for multiclass "mean_abs_shap_by_class": {class: value}}), in the given order.
nlohmann::json ImportanceToJson(const Model& model,
                                const std::vector<FeatureImportance>& importance);

}  // namespace keel
