// Partial dependence: the model's average prediction as one feature is set to each value of a
// grid while every other feature keeps its observed value (Friedman 2001).
//
// Grid: numeric features take up to `grid_points` quantiles of their observed (non-missing)
// values, distinct and ascending; categorical features take every category of the model's
// dictionary (or, for a model taking codes, the distinct observed codes, at most
// `max_categories`). With include_missing, a last point sets the feature to missing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "keel/status.h"
#include "model/model.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"

namespace keel {

struct PartialDependenceOptions {
  int grid_points = 20;         // numeric: at most this many quantiles (>= 2)
  int max_categories = 100;     // categorical without a dictionary: at most this many codes
  size_t max_rows = 2000;       // rows averaged; more rows are sampled evenly (deterministic)
  bool include_missing = true;  // add a grid point where the feature is missing
  int threads = 1;
};

struct PartialDependence {
  int32_t feature = -1;
  std::string name;
  bool categorical = false;
  std::vector<float> grid;          // encoded values (NaN: the missing point)
  std::vector<std::string> labels;  // the grid values as text (category names, "missing")
  int num_outputs = 1;
  size_t rows = 0;  // rows averaged
  // Per grid point g and output k, at [g * num_outputs + k]: the mean final prediction
  // (probability, or value for regression) and the mean raw margin.
  std::vector<double> mean_prediction;
  std::vector<double> mean_margin;
};

// Partial dependence of `model` on feature `feature` over the rows of `x` (encoded for
// `model`), predicted with `predictor` (compiled from `model`). Errors: InvalidArgument for a
// feature index out of range or a matrix of the wrong width; FailedPrecondition when `x` has
// no rows.
Result<PartialDependence> ComputePartialDependence(const Model& model, const Predictor& predictor,
                                                   const FeatureMatrix& x, int feature,
                                                   const PartialDependenceOptions& options = {});

}  // namespace keel
