// Split-conformal scores stored with a model: what `keel predict --interval LEVEL` needs to
// give regression intervals and classification prediction sets at any level, exactly.
//
// At training (usecase/train.h) the held-out validation rows are scored with the final
// (calibrated) predictions and the scores kept sorted, in the model section "conformal"
// (JSON, docs/model_format.md):
//   regression      score = |y - prediction|;       interval = prediction -+ q
//   classification  score = 1 - p(true class) (LAC); set = the classes with 1 - p <= q
// where q = the ceil((n + 1) * level)-th smallest of the n scores (+infinity when that rank
// exceeds n: too few held-out rows for the level, so the interval is unbounded / the set
// holds every class). Over exchangeable rows this covers the truth with probability at least
// `level` (and below level + 1/(n+1)). More than kMaxConformalScores held-out rows are
// subsampled uniformly without replacement (seeded) to that many before storing.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "keel/status.h"
#include "model/model.h"

namespace keel {

inline constexpr size_t kMaxConformalScores = 10000;

struct Conformal {
  std::vector<double> scores;  // ascending; empty = the model has none
  uint64_t rows = 0;           // held-out rows scored (before any subsampling)

  bool enabled() const { return !scores.empty(); }
};

// The score of a row whose truth is `truth` (regression: the value; classification: the class
// index) given the predictor's final outputs for it (binary: P(classes[1]); multiclass: one
// probability per class; regression: the value): |truth - value| or 1 - p(truth's class).
double ConformalScore(const Model& model, double truth, const double* outputs);

// The model's conformal scores: empty when it has no "conformal" section. Errors: Corrupt
// when the section is malformed (scores not finite, not ascending, or negative).
Result<Conformal> ConformalOf(const Model& model);
nlohmann::json ConformalToJson(const Conformal& c, Task task);

// q for `level` (see above). Errors: InvalidArgument for a level outside (0, 1);
// FailedPrecondition when the model has no scores, saying how to train one that has.
Result<double> ConformalQuantile(const Conformal& c, double level);

// Whether a class of probability p is in the prediction set at q: 1 - p <= q.
inline bool InConformalSet(double p, double q) {
  return 1.0 - p <= q;
}

// A classification row's prediction set from the predictor's final outputs (as for
// ConformalScore): the raw labels of the classes k with 1 - p(k) <= q, in class order, joined
// by '|' ("" = the empty set).
std::string PredictionSet(const Model& model, const double* outputs, double q);

}  // namespace keel
