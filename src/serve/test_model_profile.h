// The tiny test model (test_model.h) with a training profile, for the serving tests of drift
// against a model's profile (challenger variants, the challenger report). Kept apart from
// test_model.h, whose end-to-end users link no drift code.
#pragma once

#include "model/model.h"

namespace keel::serve::testing {

// P(yes) of TinyBinaryModel with base margin `shift` for a red customer of this age.
double TinyRedProb(int age, double shift = 0);

// `m` (a TinyBinaryModel, base margin `shift`) with a training profile: red, active customers
// aged 20..79, once each, and the model's own predictions for them (a third below 40). Aborts
// when the profile cannot be built (a broken test model).
Model WithTrainingProfile(Model m, double shift = 0);

}  // namespace keel::serve::testing
