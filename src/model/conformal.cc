#include "model/conformal.h"

#include <cmath>
#include <limits>

#include "model/quantile_outputs.h"

namespace keel {
namespace {

// Probability of class k from the predictor's final outputs.
double ClassProbability(const Model& model, const double* outputs, size_t k) {
  if (model.task == Task::kBinary) return k == 1 ? outputs[0] : 1.0 - outputs[0];
  return outputs[k];
}

size_t NumClasses(const Model& model) {
  return model.task == Task::kBinary ? 2 : static_cast<size_t>(model.num_outputs);
}

}  // namespace

double ConformalScore(const Model& model, double truth, const double* outputs) {
  // Several quantiles (CQR): how far the truth lies outside [lo, hi] (< 0 inside).
  if (HasQuantileOutputs(model)) {
    return std::max(outputs[0] - truth, truth - outputs[model.num_outputs - 1]);
  }
  if (model.task == Task::kRegression) return std::abs(truth - outputs[0]);
  return 1.0 - ClassProbability(model, outputs, static_cast<size_t>(truth));
}

Result<Conformal> ConformalOf(const Model& model) {
  Conformal c;
  const auto it = model.sections.find("conformal");
  if (it == model.sections.end()) return c;
  try {
    c.scores = it->second.at("scores").get<std::vector<double>>();
    c.rows = it->second.value("rows", uint64_t{c.scores.size()});
  } catch (const nlohmann::json::exception& e) {
    return Status::Corrupt("conformal section is malformed: {}", e.what());
  }
  // CQR scores are negative for truths inside the quantiles' interval.
  const bool signed_scores = HasQuantileOutputs(model);
  for (size_t i = 0; i < c.scores.size(); ++i) {
    if (!(signed_scores || c.scores[i] >= 0) || !std::isfinite(c.scores[i]) ||
        (i > 0 && c.scores[i] < c.scores[i - 1])) {
      return Status::Corrupt("conformal section: score {} is not a finite number >= 0 in order", i);
    }
  }
  return c;
}

nlohmann::json ConformalToJson(const Conformal& c, Task task) {
  // A model of several quantiles: the caller sets "score" to ConformalScoreName ("cqr").
  return {{"score", task == Task::kRegression ? "absolute_residual" : "lac"},
          {"rows", c.rows},
          {"scores", c.scores}};
}

Result<double> ConformalQuantile(const Conformal& c, double level) {
  if (!(level > 0 && level < 1)) {
    return Status::InvalidArgument("interval level {} is not between 0 and 1 (e.g. 0.9)", level);
  }
  if (!c.enabled()) {
    return Status::FailedPrecondition(
        "the model has no conformal scores, so it cannot give intervals: train it with "
        "validation rows (--valid-size auto, the default, on at least 500 non-test rows, or "
        "--valid-size FRACTION)");
  }
  const double n = static_cast<double>(c.scores.size());
  // The tolerance keeps a product like 100 * 0.9 that lands a hair above 90 at rank 90.
  const double rank = std::ceil((n + 1) * level - 1e-9);
  if (rank > n) return std::numeric_limits<double>::infinity();
  return c.scores[static_cast<size_t>(rank) - 1];
}

std::string PredictionSet(const Model& model, const double* outputs, double q) {
  std::string out;
  bool first = true;
  for (size_t k = 0; k < NumClasses(model); ++k) {
    if (!InConformalSet(ClassProbability(model, outputs, k), q)) continue;
    if (!first) out.push_back('|');
    first = false;
    out += k < model.labels.classes.size() ? model.labels.classes[k] : std::to_string(k);
  }
  return out;
}

}  // namespace keel
