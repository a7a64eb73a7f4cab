// Models of several quantiles (`keel train --objective quantile --quantiles 0.05,0.95`): a
// reg:quantileerror model with num_outputs = K > 1, output k fitting the k-th level (ascending)
// of its "quantiles" section ({"levels": [0.05, 0.95]}, docs/model_format.md). Its predictions
// are the K margins sorted per row (model/link_function.h), so they never cross; its
// conformal scores are CQR's (model/conformal.h). Pure functions; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "keel/status.h"
#include "model/model.h"

namespace keel {

// A reg:quantileerror model with more than one output.
inline bool HasQuantileOutputs(const Model& model) {
  return model.objective == Objective::kQuantile && model.num_outputs > 1;
}

// The levels of a model of several quantiles, ascending. Errors: Corrupt when the "quantiles"
// section is missing or malformed (levels not numbers strictly increasing within (0, 1)).
Result<std::vector<double>> QuantileLevels(const Model& model);

// Stores `levels` (ascending, in (0, 1)) as the model's "quantiles" section.
void SetQuantileLevels(const std::vector<double>& levels, Model* model);

// The predict column of a level: "quantile_0.05".
std::string QuantileColumn(double level);

// A regression row's conformal interval at q (model/conformal.h) from the predictor's final
// outputs: {value - q, value + q}; for several quantiles (conformalized quantile regression,
// Romano, Patterson and Candes 2019) {lo - q, hi + q} with lo and hi the lowest and highest
// sorted outputs, or the midpoint of lo and hi twice when a negative q would turn the
// interval inside out. Never lower > upper.
std::pair<double, double> RegressionInterval(const Model& model, const double* outputs, double q);

// The conformal score's name for reports and the model's section: "absolute_residual",
// "lac" (classification) or "cqr" (several quantiles).
const char* ConformalScoreName(const Model& model);

}  // namespace keel
