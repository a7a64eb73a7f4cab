// What a finished model learns from its held-out validation rows (never its training rows; with
// k-fold cross-validation, from the out-of-fold predictions of the training rows, which no
// model that made them had seen, as scikit-learn's CalibratedClassifierCV(ensemble=False)):
// the probability calibration asked for (`--calibrate`, model/calibration.h) and the
// split-conformal scores behind `keel predict --interval` (model/conformal.h), with what the
// train report says of them:
//   calibration  reliability (10 equal-width bins) and ECE before and after, on the
//                validation rows and on the test rows (binary: P(positive); multiclass: the
//                top class's probability against whether it is right)
//   intervals    coverage on the test rows at levels 0.8, 0.9 and 0.95, overall and per
//                group of each sensitive-role column, with a 95% Wilson interval; a warning
//                when the level lies above a group's interval (the group is under-covered)
// Called by FinishTrainedModel (usecase/train.h) for every trained model.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/context.h"
#include "keel/status.h"
#include "keel/table.h"
#include "train/params.h"
#include "train/trainer.h"

namespace keel::usecase {

// The levels the train report gives coverage at.
inline constexpr double kReportedLevels[] = {0.8, 0.9, 0.95};

// Raw margins of each split's rows ("train", "valid", "test"; "cv": k-fold's out-of-fold
// margins of the training rows), rows x num_outputs.
using SplitMarginMap = std::map<std::string, std::vector<double>>;

// Fits and stores the calibration (when params.calibrate is not none) and the conformal scores
// (when there are validation rows) in trained->model.sections, and fills
// trained->report.calibration / .intervals and warnings. `margins` are the model's margins of
// each split before this call. Errors: InvalidArgument when a calibration is asked for a
// regression model or a model without validation rows.
Status FitHeldOut(const Table& table, const TrainParams& params, const SplitMarginMap& margins,
                  keel::TrainResult* trained);

// Wilson score interval (95%) of `covered` successes in `rows` trials: {lower, upper}.
std::pair<double, double> WilsonInterval(uint64_t covered, uint64_t rows);

}  // namespace keel::usecase
