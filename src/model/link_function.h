// The objective's link: how raw margins become predictions (model/model.h, "Output").
//
//   binary:logistic   one margin m (log-odds of classes[1]) -> P(classes[1]) = 1 / (1 + e^-m)
//   multi:softmax     K margins -> K class probabilities, softmax (shifted by the max margin so
//                     large margins do not overflow)
//   reg:squarederror, reg:absoluteerror, reg:huber, reg:quantileerror
//                     prediction = margin; a quantile model of K > 1 levels
//                     (Model::quantile_levels) sorts its K margins ascending: the
//                     rearrangement, which never crosses and never raises a row's pinball loss
//   reg:logistic      prediction = 1 / (1 + e^-m), a value in (0, 1)
//   count:poisson, reg:gamma, reg:tweedie
//                     prediction = e^m (log link; overflows to +inf past m ~ 709.78)
// Pure functions; thread-safe.
#pragma once

#include "model/model.h"

namespace keel {

// Logistic sigmoid, accurate for large |m| (no overflow, no 1 - tiny cancellation).
double Sigmoid(double margin);

// Writes `num_outputs` predictions for `num_outputs` margins (in and out may alias).
void MarginsToPredictions(Objective objective, int num_outputs, const double* margins, double* out);

}  // namespace keel
