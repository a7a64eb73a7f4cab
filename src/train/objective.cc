#include "train/objective.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/parallel.h"

namespace keel {
namespace {

// Hessians never reach 0, so a pure leaf keeps a finite value.
constexpr double kMinHessian = 1e-16;

inline double Sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

}  // namespace

bool Trainable(Objective objective) {
  switch (objective) {
    case Objective::kBinaryLogistic:
    case Objective::kMultiSoftmax:
    case Objective::kSquaredError:
    case Objective::kAbsoluteError:
    case Objective::kHuber:
      return true;
    case Objective::kRegLogistic:
    case Objective::kPoisson:
    case Objective::kGamma:
    case Objective::kTweedie:
      return false;
  }
  return false;
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
      case Objective::kRegLogistic:
      case Objective::kPoisson:
      case Objective::kGamma:
      case Objective::kTweedie:
        break;  // refused above
    }
  });
}

double WeightedMedian(std::vector<std::pair<double, double>> vw) {
  if (vw.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(vw.begin(), vw.end());
  double total = 0;
  for (const auto& p : vw) total += p.second;
  double acc = 0;
  for (size_t i = 0; i < vw.size(); ++i) {
    acc += vw[i].second;
    if (acc >= total / 2) {
      // Exactly half the weight below: average with the next value (the usual median).
      if (acc == total / 2 && i + 1 < vw.size()) return (vw[i].first + vw[i + 1].first) / 2;
      return vw[i].first;
    }
  }
  return vw.back().first;
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
    case Objective::kHuber: {
      std::vector<std::pair<double, double>> vw(n);
      for (size_t i = 0; i < n; ++i) vw[i] = {labels[i], w_at(i)};
      const double med = WeightedMedian(std::move(vw));
      return {std::isnan(med) ? 0.0 : med};
    }
    case Objective::kRegLogistic:
    case Objective::kPoisson:
    case Objective::kGamma:
    case Objective::kTweedie:
      break;  // not trainable: ComputeGradients refuses them
  }
  return {0.0};
}

bool RefitsLeaves(Objective objective) {
  return objective == Objective::kAbsoluteError;
}

}  // namespace keel
