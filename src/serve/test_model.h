// A tiny hand-built binary model for the serving tests (unit and end-to-end): small enough to
// compute its predictions and SHAP values by hand.
//
// Features: age (numeric, schema range 18..90), color (categorical red/green/blue), active
// (numeric from a boolean column), signup (numeric from a timestamp column).
// Schema columns besides the features: customer_id (id), email (pii), churned (target).
// Classes: "no", "yes" (positive). Trees (margins, base 0):
//   tree 0: age < 40 ? -1.0 : +1.0          (missing age goes left; covers 60 / 40)
//   tree 1: color == red ? +0.5             (cover 30; missing color goes right)
//           : active < 0.5 ? -0.25 : +0.75  (covers 50 / 20; missing goes left)
// e.g. age 30, red: margin -0.5, P(yes) = 1 / (1 + e^0.5) = 0.3775406687981454.
#pragma once

#include "model/model.h"

namespace keel::serve::testing {

Model TinyBinaryModel();

// The same model as a 3-class softmax model (classes a, b, c) over age and color, for the
// multiclass paths: class 0 gets tree 0, class 1 tree 1, class 2 a constant 0.
Model TinyMulticlassModel();

// A regression model: prediction = 10 + (age < 40 ? -2 : 3).
Model TinyRegressionModel();

}  // namespace keel::serve::testing
