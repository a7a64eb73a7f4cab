#include "model/quantile_outputs.h"

#include "core/number_format.h"

namespace keel {

Result<std::vector<double>> QuantileLevels(const Model& model) {
  const auto it = model.sections.find("quantiles");
  if (it == model.sections.end() || !it->second.is_object() || !it->second.contains("levels") ||
      !it->second["levels"].is_array()) {
    return Status::Corrupt("quantile model with {} outputs has no \"quantiles\" section levels",
                           model.num_outputs);
  }
  std::vector<double> levels;
  for (const auto& v : it->second["levels"]) {
    const double level = v.is_number() ? v.get<double>() : -1;
    if (!(level > 0 && level < 1) || (!levels.empty() && !(level > levels.back()))) {
      return Status::Corrupt("quantiles section: level {} is not in (0, 1) above the previous one",
                             v.dump());
    }
    levels.push_back(level);
  }
  return levels;
}

void SetQuantileLevels(const std::vector<double>& levels, Model* model) {
  model->sections["quantiles"] = {{"levels", levels}};
}

std::string QuantileColumn(double level) {
  return "quantile_" + FormatDouble(level);
}

std::pair<double, double> RegressionInterval(const Model& model, const double* outputs, double q) {
  const double lo = outputs[0];
  const double hi = HasQuantileOutputs(model) ? outputs[model.num_outputs - 1] : lo;
  if (lo - q > hi + q) return {(lo + hi) / 2, (lo + hi) / 2};
  return {lo - q, hi + q};
}

const char* ConformalScoreName(const Model& model) {
  if (HasQuantileOutputs(model)) return "cqr";
  return model.task == Task::kRegression ? "absolute_residual" : "lac";
}

}  // namespace keel
