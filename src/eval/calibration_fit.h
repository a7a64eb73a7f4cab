// Fitting a probability calibration (model/calibration.h) on held-out rows.
//
// Isotonic: pool-adjacent-violators on (probability, label) pairs sorted by probability, ties
// pooled first; the knots are each block's lowest and highest probability at the block's mean
// label (what scikit-learn's IsotonicRegression interpolates between).
// Sigmoid (Platt): a, b minimising the log loss of sigmoid(a * logit(p) + b) against Platt's
// smoothed targets ((N+ + 1) / (N+ + 2) for positives, 1 / (N- + 2) for negatives), by
// Newton's method from the identity (a = 1, b = 0).
// Rows count once each (sample weights are not used). Pure and thread-safe.
#pragma once

#include <span>

#include "keel/status.h"
#include "model/calibration.h"
#include "model/model.h"

namespace keel {

// One binary map from probabilities p and 0/1 labels y (same length, >= 1 row).
Calibration::Map FitIsotonicMap(std::span<const double> p, std::span<const double> y);
Calibration::Map FitSigmoidMap(std::span<const double> p, std::span<const double> y);

// The calibration of `model`'s outputs: `outputs` holds the uncalibrated final predictions of
// the held-out rows (rows x num_outputs, as Predictor::Finalize gives them without a
// calibration), `labels` their class indices. Binary: one map of P(classes[1]); multiclass: one
// per class, one-vs-rest. Errors: InvalidArgument for a regression model, for no rows, and
// for method none.
Result<Calibration> FitCalibration(Calibration::Method method, const Model& model,
                                   std::span<const double> outputs, std::span<const double> labels);

}  // namespace keel
