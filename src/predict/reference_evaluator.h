// A direct, unoptimised evaluation of the model IR: walks Model::forest node by node (via
// model/split_rule.h) or sums the linear terms, in model order, in double precision.
//
// It is the oracle the compiled predictor is tested against, and a readable statement of
// what a prediction is. It is slow; serving and batch prediction use Predictor.
// Thread-safe (reads the model only).
#pragma once

#include "model/model.h"

namespace keel {

// The value of linear term `term` for feature vector x (see LinearTerm in model/model.h).
double LinearTermValue(const Model& model, const LinearTerm& term, const float* x);

// margins[0..num_outputs) for feature vector x[0..features.size()). `model` must pass
// ValidateModel. A float64 model reads the floats widened to double.
void ReferenceRawMargins(const Model& model, const float* x, double* margins);
// The same for a row of doubles: exact for a float64 model, rounded to float otherwise.
void ReferenceRawMargins64(const Model& model, const double* x, double* margins);

}  // namespace keel
