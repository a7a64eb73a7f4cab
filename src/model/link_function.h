// The objective's link: how raw margins become predictions (model/model.h, "Output").
//
//   binary:logistic   one margin m (log-odds of classes[1]) -> P(classes[1]) = 1 / (1 + e^-m)
//   multi:softmax     K margins -> K class probabilities, softmax (shifted by the max margin so
//                     large margins do not overflow)
//   regression        prediction = margin
// Pure functions; thread-safe.
#pragma once

#include "model/model.h"

namespace keel {

// Logistic sigmoid, accurate for large |m| (no overflow, no 1 - tiny cancellation).
double Sigmoid(double margin);

// Writes `num_outputs` predictions for `num_outputs` margins (in and out may alias).
void MarginsToPredictions(Objective objective, int num_outputs, const double* margins, double* out);

}  // namespace keel
