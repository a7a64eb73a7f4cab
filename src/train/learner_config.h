// The learners' settings from the training parameters: the one place a TrainParams becomes a
// GbdtConfig or a LinearConfig. The parameter table (train/params.h) declares every default;
// the learner config structs have none of their own, so what `keel train`, keel.yaml and the
// fairness reduction fit is exactly what the table says.
#pragma once

#include "model/model.h"
#include "train/gbdt_trainer.h"
#include "train/linear_trainer.h"
#include "train/params.h"

namespace keel {

// Boosting under `params` for a target whose loss is `objective` with `num_outputs` margins.
GbdtConfig GbdtConfigOf(const TrainParams& params, Objective objective, int num_outputs);

// The linear baseline under `params`.
LinearConfig LinearConfigOf(const TrainParams& params);

}  // namespace keel
