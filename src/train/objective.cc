#include "train/objective.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/parallel.h"
#include "model/quantile_outputs.h"

namespace keel {
namespace {

// Hessians never reach 0, so a pure leaf keeps a finite value.
constexpr double kMinHessian = 1e-16;
// Poisson's hessian is e^(m + kPoissonMaxDeltaStep): LightGBM's poisson_max_delta_step and
// XGBoost's max_delta_step default for count:poisson.
constexpr double kPoissonMaxDeltaStep = 0.7;

inline double Sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

}  // namespace

ObjectiveConfig ObjectiveConfigOf(const Model& model) {
  ObjectiveConfig c;
  c.objective = model.objective;
  c.num_outputs = model.num_outputs;
  c.quantile_alpha = model.quantile_alpha;
  if (HasQuantileOutputs(model)) c.quantile_levels = QuantileLevels(model).value_or({});
  c.tweedie_variance_power = model.tweedie_variance_power;
  return c;
}

bool Trainable(Objective objective) {
  return objective != Objective::kRegLogistic;
}

std::optional<LabelProblem> CheckLabels(Objective objective, std::span<const double> labels) {
  const bool log_link = objective == Objective::kPoisson || objective == Objective::kGamma ||
                        objective == Objective::kTweedie;
  double sum = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double y = labels[i];
    if (!std::isfinite(y)) return LabelProblem{i, "a target value must be a finite number"};
    if (objective == Objective::kGamma && !(y > 0)) {
      return LabelProblem{i, "reg:gamma models positive values: a target must be > 0"};
    }
    if ((objective == Objective::kPoisson || objective == Objective::kTweedie) && y < 0) {
      return LabelProblem{i, fmt::format("{} models non-negative values (counts, costs): a "
                                         "target must be >= 0",
                                         ObjectiveName(objective))};
    }
    sum += y;
  }
  if (log_link && !labels.empty() && !(sum > 0)) {
    return LabelProblem{labels.size(),
                        fmt::format("{} fits the log of the mean target, and every target is 0",
                                    ObjectiveName(objective))};
  }
  return std::nullopt;
}

Status ComputeGradients(const ObjectiveConfig& config, std::span<const double> labels,
                        std::span<const float> weights, std::span<const double> margins,
                        std::span<GradPair> grads, int threads) {
  const size_t n = labels.size();
  const size_t k_out = static_cast<size_t>(config.num_outputs);
  if (margins.size() != n * k_out || grads.size() != n * k_out ||
      (!weights.empty() && weights.size() != n)) {
    return Status::Internal("ComputeGradients: size mismatch");
  }
  if (!Trainable(config.objective)) {
    return Status::Unsupported("Keel does not train objective {} (it imports such models)",
                               ObjectiveName(config.objective));
  }
  const bool weighted = !weights.empty();
  constexpr size_t kBlock = 8192;
  const size_t blocks = (n + kBlock - 1) / kBlock;
  return ParallelFor(threads, blocks, [&](size_t b) {
    const size_t begin = b * kBlock;
    const size_t end = std::min(n, begin + kBlock);
    switch (config.objective) {
      case Objective::kBinaryLogistic:
        for (size_t i = begin; i < end; ++i) {
          const double w = weighted ? weights[i] : 1.0;
          const double p = Sigmoid(margins[i]);
          grads[i].g = static_cast<float>((p - labels[i]) * w);
          grads[i].h = static_cast<float>(std::max(p * (1.0 - p), kMinHessian) * w);
        }
        break;
      case Objective::kMultiSoftmax: {
        // LightGBM's factor K/(K-1) on p(1-p) compensates for the softmax's redundant output.
        const double factor = k_out > 1 ? static_cast<double>(k_out) / (k_out - 1) : 1.0;
        for (size_t i = begin; i < end; ++i) {
          const double w = weighted ? weights[i] : 1.0;
          const double* m = margins.data() + i * k_out;
          double mx = m[0];
          for (size_t k = 1; k < k_out; ++k) mx = std::max(mx, m[k]);
          double sum = 0;
          for (size_t k = 0; k < k_out; ++k) sum += std::exp(m[k] - mx);
          const auto y = static_cast<size_t>(labels[i]);
          for (size_t k = 0; k < k_out; ++k) {
            const double p = std::exp(m[k] - mx) / sum;
            GradPair& gp = grads[i * k_out + k];
            gp.g = static_cast<float>((p - (k == y ? 1.0 : 0.0)) * w);
            gp.h = static_cast<float>(std::max(factor * p * (1.0 - p), kMinHessian) * w);
          }
        }
        break;
      }
      case Objective::kSquaredError:
        for (size_t i = begin; i < end; ++i) {
          const double w = weighted ? weights[i] : 1.0;
          grads[i].g = static_cast<float>((margins[i] - labels[i]) * w);
          grads[i].h = static_cast<float>(w);
        }
        break;
      case Objective::kAbsoluteError:
        for (size_t i = begin; i < end; ++i) {
          const double w = weighted ? weights[i] : 1.0;
          const double r = margins[i] - labels[i];
          grads[i].g = static_cast<float>((r > 0 ? 1.0 : r < 0 ? -1.0 : 0.0) * w);
          grads[i].h = static_cast<float>(w);
        }
        break;
      case Objective::kHuber: {
        const double d = config.huber_delta;
        for (size_t i = begin; i < end; ++i) {
          const double w = weighted ? weights[i] : 1.0;
          const double r = margins[i] - labels[i];
          grads[i].g = static_cast<float>(std::clamp(r, -d, d) * w);
          grads[i].h = static_cast<float>(w);
        }
        break;
      }
      case Objective::kQuantile: {
        // Output k fits its own level (one output: quantile_alpha).
        for (size_t k = 0; k < k_out; ++k) {
          const double a = QuantileLevel(config, k);
          for (size_t i = begin; i < end; ++i) {
            const double w = weighted ? weights[i] : 1.0;
            const size_t at = i * k_out + k;
            grads[at].g = static_cast<float>((margins[at] >= labels[i] ? 1.0 - a : -a) * w);
            grads[at].h = static_cast<float>(w);
          }
        }
        break;
      }
      case Objective::kPoisson:
        for (size_t i = begin; i < end; ++i) {
          const double w = weighted ? weights[i] : 1.0;
          grads[i].g = static_cast<float>((std::exp(margins[i]) - labels[i]) * w);
          grads[i].h = static_cast<float>(
              std::max(std::exp(margins[i] + kPoissonMaxDeltaStep), kMinHessian) * w);
        }
        break;
      case Objective::kGamma:
        for (size_t i = begin; i < end; ++i) {
          const double w = weighted ? weights[i] : 1.0;
          const double y_over_mu = labels[i] * std::exp(-margins[i]);
          grads[i].g = static_cast<float>((1.0 - y_over_mu) * w);
          grads[i].h = static_cast<float>(std::max(y_over_mu, kMinHessian) * w);
        }
        break;
      case Objective::kTweedie: {
        const double rho = config.tweedie_variance_power;
        for (size_t i = begin; i < end; ++i) {
          const double w = weighted ? weights[i] : 1.0;
          const double e1 = std::exp((1.0 - rho) * margins[i]);
          const double e2 = std::exp((2.0 - rho) * margins[i]);
          grads[i].g = static_cast<float>((-labels[i] * e1 + e2) * w);
          grads[i].h = static_cast<float>(
              std::max(-labels[i] * (1.0 - rho) * e1 + (2.0 - rho) * e2, kMinHessian) * w);
        }
        break;
      }
      case Objective::kRegLogistic:
        break;  // refused above
    }
  });
}

double WeightedQuantile(std::vector<std::pair<double, double>> vw, double alpha) {
  if (vw.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(vw.begin(), vw.end());
  double total = 0;
  for (const auto& p : vw) total += p.second;
  const double target = alpha * total;
  double acc = 0;
  for (size_t i = 0; i < vw.size(); ++i) {
    acc += vw[i].second;
    if (acc >= target) {
      // Exactly alpha of the weight up to here: the midpoint with the next value.
      if (acc == target && i + 1 < vw.size()) return (vw[i].first + vw[i + 1].first) / 2;
      return vw[i].first;
    }
  }
  return vw.back().first;
}

double WeightedMedian(std::vector<std::pair<double, double>> vw) {
  return WeightedQuantile(std::move(vw), 0.5);
}

std::vector<double> BaseMargin(const ObjectiveConfig& config, std::span<const double> labels,
                               std::span<const float> weights) {
  const size_t n = labels.size();
  const bool weighted = !weights.empty();
  auto w_at = [&](size_t i) { return weighted ? static_cast<double>(weights[i]) : 1.0; };
  switch (config.objective) {
    case Objective::kBinaryLogistic: {
      double pos = 0, total = 0;
      for (size_t i = 0; i < n; ++i) {
        pos += labels[i] * w_at(i);
        total += w_at(i);
      }
      if (total <= 0) return {0.0};
      const double p = std::clamp(pos / total, 1e-12, 1.0 - 1e-12);
      return {std::log(p / (1.0 - p))};
    }
    case Objective::kMultiSoftmax: {
      const auto k_out = static_cast<size_t>(config.num_outputs);
      std::vector<double> count(k_out, 0.0);
      double total = 0;
      for (size_t i = 0; i < n; ++i) {
        count[static_cast<size_t>(labels[i])] += w_at(i);
        total += w_at(i);
      }
      std::vector<double> m(k_out, 0.0);
      if (total <= 0) return m;
      // Log priors, centred so the margins sum to zero.
      double mean = 0;
      for (size_t k = 0; k < k_out; ++k) {
        m[k] = std::log(std::max(count[k] / total, 1e-12));
        mean += m[k] / k_out;
      }
      for (double& v : m) v -= mean;
      return m;
    }
    case Objective::kSquaredError: {
      double s = 0, total = 0;
      for (size_t i = 0; i < n; ++i) {
        s += labels[i] * w_at(i);
        total += w_at(i);
      }
      return {total > 0 ? s / total : 0.0};
    }
    case Objective::kAbsoluteError:
    case Objective::kHuber:
    case Objective::kQuantile: {
      std::vector<std::pair<double, double>> vw(n);
      for (size_t i = 0; i < n; ++i) vw[i] = {labels[i], w_at(i)};
      std::vector<double> m(static_cast<size_t>(std::max(1, config.num_outputs)));
      for (size_t k = 0; k < m.size(); ++k) {
        const double q = WeightedQuantile(vw, RefitQuantile(config, k));
        m[k] = std::isnan(q) ? 0.0 : q;
      }
      return m;
    }
    case Objective::kPoisson:
    case Objective::kGamma:
    case Objective::kTweedie: {
      double s = 0, total = 0;
      for (size_t i = 0; i < n; ++i) {
        s += labels[i] * w_at(i);
        total += w_at(i);
      }
      // CheckLabels refuses a zero mean; the clamp keeps a direct caller finite.
      return {total > 0 ? std::log(std::max(s / total, 1e-300)) : 0.0};
    }
    case Objective::kRegLogistic:
      break;  // not trainable: ComputeGradients refuses it
  }
  return {0.0};
}

bool RefitsLeaves(Objective objective) {
  return objective == Objective::kAbsoluteError || objective == Objective::kQuantile;
}

double QuantileLevel(const ObjectiveConfig& config, size_t output) {
  return output < config.quantile_levels.size() ? config.quantile_levels[output]
                                                : config.quantile_alpha;
}

double RefitQuantile(const ObjectiveConfig& config, size_t output) {
  return config.objective == Objective::kQuantile ? QuantileLevel(config, output) : 0.5;
}

Result<std::vector<double>> ParseQuantileLevels(std::string_view text) {
  std::vector<double> levels;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string item(text.substr(start, end - start));
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    char* stop = nullptr;
    const double level = std::strtod(item.c_str(), &stop);
    if (item.empty() || stop != item.c_str() + item.size() || !(level > 0 && level < 1)) {
      return Status::InvalidArgument("quantile level '{}' (item {}) is not a number in (0, 1)",
                                     item, levels.size() + 1);
    }
    levels.push_back(level);
    start = end + 1;
  }
  std::sort(levels.begin(), levels.end());
  if (std::adjacent_find(levels.begin(), levels.end()) != levels.end()) {
    return Status::InvalidArgument("quantile levels '{}' repeat a level", text);
  }
  if (levels.size() < 2) {
    return Status::InvalidArgument(
        "quantiles '{}' name one level: give two or more (e.g. 0.05,0.95), or --alpha for one",
        text);
  }
  return levels;
}

}  // namespace keel
