// Probability calibration stored with a model: the map from the link's probabilities to
// calibrated ones (`keel train --calibrate`, fitted by eval/calibration_fit.h on validation
// rows).
//
// Stored as the model section "calibration" (JSON, docs/model_format.md); a model without the
// section is uncalibrated and its files are unchanged. The predictor applies it right after
// the link function (predict/predictor.h), so every prediction path gives calibrated
// probabilities; raw margins are never calibrated.
//   binary      one map, applied to P(classes[1]); P(classes[0]) = 1 - that
//   multiclass  one map per class (one-vs-rest), then the K results are divided by their sum
// Maps:
//   isotonic  knots (x ascending, y non-decreasing): p -> y linearly interpolated between the
//             knots, the first/last y outside them (scikit-learn's IsotonicRegression)
//   sigmoid   p -> 1 / (1 + exp(-(a * logit(p) + b)))   (Platt scaling)
// Calibrated probabilities are clipped to [kCalibratedMin, 1 - kCalibratedMin] (before a
// multiclass renormalisation), so no class is ever given probability 0.
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "keel/status.h"
#include "model/model.h"

namespace keel {

inline constexpr double kCalibratedMin = 1e-6;

struct Calibration {
  enum class Method : uint8_t { kNone, kIsotonic, kSigmoid };
  struct Map {
    std::vector<double> x, y;  // isotonic knots
    double a = 1, b = 0;       // sigmoid
  };
  Method method = Method::kNone;
  std::vector<Map> maps;  // binary: 1; multiclass: one per class
  uint64_t rows = 0;      // validation rows it was fitted on (informational)

  bool enabled() const { return method != Method::kNone; }
};

std::string_view CalibrationMethodName(Calibration::Method method);
// "none", "isotonic", "sigmoid". Errors: InvalidArgument for anything else.
Result<Calibration::Method> ParseCalibrationMethod(std::string_view text);

// The model's calibration: none when it has no "calibration" section. Errors: Corrupt when
// the section is malformed (unknown method, wrong map count for the model's outputs, knots
// not ascending / non-decreasing / outside [0, 1], non-finite parameters) or set on a
// regression model.
Result<Calibration> CalibrationOf(const Model& model);
// The section's JSON; CalibrationOf(model with it) gives `c` back exactly.
nlohmann::json CalibrationToJson(const Calibration& c);

// One map applied to one probability.
double CalibrateOne(const Calibration& c, size_t map, double p);
// Calibrates link outputs in place: `probs` holds num_outputs values (binary: 1).
// Does nothing when the calibration is none.
void ApplyCalibration(const Calibration& c, int num_outputs, double* probs);

}  // namespace keel
