#include "train/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/json_number.h"
#include "core/number_format.h"
#include "model/link_function.h"
#include "model/objective_loss.h"

namespace keel {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEps = 1e-15;

// Softmax of one row of K margins into p.
void Softmax(const double* m, size_t k_out, double* p) {
  double mx = m[0];
  for (size_t k = 1; k < k_out; ++k) mx = std::max(mx, m[k]);
  double sum = 0;
  for (size_t k = 0; k < k_out; ++k) {
    p[k] = std::exp(m[k] - mx);
    sum += p[k];
  }
  for (size_t k = 0; k < k_out; ++k) p[k] /= sum;
}

double BinaryLogLoss(std::span<const double> margins, std::span<const double> labels) {
  double s = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    // log(1 + e^-m) for a positive, log(1 + e^m) for a negative, computed stably.
    const double m = labels[i] > 0.5 ? margins[i] : -margins[i];
    s += m > 0 ? std::log1p(std::exp(-m)) : -m + std::log1p(std::exp(m));
  }
  return s / static_cast<double>(labels.size());
}

double MultiLogLoss(std::span<const double> margins, std::span<const double> labels, size_t k_out) {
  double s = 0;
  std::vector<double> p(k_out);
  for (size_t i = 0; i < labels.size(); ++i) {
    Softmax(margins.data() + i * k_out, k_out, p.data());
    s -= std::log(std::max(p[static_cast<size_t>(labels[i])], kEps));
  }
  return s / static_cast<double>(labels.size());
}

// A regression's prediction from its margin: the margin itself, or its image under the link
// (reg:logistic, the log-link regressions).
double RegressionPrediction(Objective objective, double margin) {
  double p = 0;
  MarginsToPredictions(objective, 1, &margin, &p);
  return p;
}

// A model of several quantiles: each row's K margins sorted (the prediction), with the mean
// pinball loss over the levels and, per level, its pinball loss and coverage.
struct QuantileSetLosses {
  double mean_pinball = 0;
  std::vector<double> pinball, coverage;
};
QuantileSetLosses QuantileSetLossesOf(const ObjectiveConfig& config,
                                      std::span<const double> margins,
                                      std::span<const double> labels) {
  const auto k_out = static_cast<size_t>(config.num_outputs);
  const size_t n = labels.size();
  QuantileSetLosses out;
  out.pinball.assign(k_out, 0.0);
  out.coverage.assign(k_out, 0.0);
  std::vector<double> q(k_out);
  for (size_t i = 0; i < n; ++i) {
    MarginsToPredictions(Objective::kQuantile, config.num_outputs, margins.data() + i * k_out,
                         q.data());
    for (size_t k = 0; k < k_out; ++k) {
      out.pinball[k] += PinballTerm(QuantileLevel(config, k), labels[i], q[k]);
      out.coverage[k] += labels[i] <= q[k] ? 1.0 : 0.0;
    }
  }
  for (size_t k = 0; k < k_out; ++k) {
    out.pinball[k] /= static_cast<double>(n);
    out.coverage[k] /= static_cast<double>(n);
    out.mean_pinball += out.pinball[k] / static_cast<double>(k_out);
  }
  return out;
}

bool IsLogLink(Objective objective) {
  return objective == Objective::kPoisson || objective == Objective::kGamma ||
         objective == Objective::kTweedie;
}

}  // namespace

double Auc(std::span<const double> scores, std::span<const double> labels) {
  const size_t n = scores.size();
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return scores[a] < scores[b]; });
  double pos = 0;
  for (double y : labels) pos += y > 0.5 ? 1 : 0;
  const double neg = static_cast<double>(n) - pos;
  if (pos == 0 || neg == 0) return kNaN;
  double rank_sum = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    const double avg_rank = (static_cast<double>(i) + static_cast<double>(j - 1)) / 2.0 + 1.0;
    for (size_t k = i; k < j; ++k) {
      if (labels[order[k]] > 0.5) rank_sum += avg_rank;
    }
    i = j;
  }
  return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg);
}

std::vector<std::pair<std::string, double>> SplitMetrics(const ObjectiveConfig& config,
                                                         std::span<const double> margins,
                                                         std::span<const double> labels) {
  const Objective objective = config.objective;
  const int num_outputs = config.num_outputs;
  const size_t n = labels.size();
  if (n == 0) return {};
  switch (TaskOf(objective)) {
    case Task::kBinary: {
      size_t correct = 0;
      for (size_t i = 0; i < n; ++i) {
        correct += ((Sigmoid(margins[i]) >= 0.5) == (labels[i] > 0.5)) ? 1 : 0;
      }
      return {{"auc", Auc(margins, labels)},
              {"logloss", BinaryLogLoss(margins, labels)},
              {"accuracy", static_cast<double>(correct) / n}};
    }
    case Task::kMulticlass: {
      const auto k_out = static_cast<size_t>(num_outputs);
      size_t correct = 0;
      std::vector<double> p(k_out);
      std::vector<std::vector<double>> prob(k_out, std::vector<double>(n));
      for (size_t i = 0; i < n; ++i) {
        Softmax(margins.data() + i * k_out, k_out, p.data());
        size_t arg = 0;
        for (size_t k = 0; k < k_out; ++k) {
          prob[k][i] = p[k];
          if (p[k] > p[arg]) arg = k;
        }
        correct += arg == static_cast<size_t>(labels[i]) ? 1 : 0;
      }
      // Macro one-vs-rest AUC over the classes present with both outcomes.
      double auc_sum = 0;
      int auc_n = 0;
      std::vector<double> is_k(n);
      for (size_t k = 0; k < k_out; ++k) {
        for (size_t i = 0; i < n; ++i) is_k[i] = static_cast<size_t>(labels[i]) == k ? 1 : 0;
        const double a = Auc(prob[k], is_k);
        if (!std::isnan(a)) {
          auc_sum += a;
          ++auc_n;
        }
      }
      return {{"auc", auc_n > 0 ? auc_sum / auc_n : kNaN},
              {"logloss", MultiLogLoss(margins, labels, k_out)},
              {"accuracy", static_cast<double>(correct) / n}};
    }
    case Task::kRegression: {
      if (config.num_outputs > 1) {
        // Several quantiles: the mean pinball loss, then each level's loss and coverage.
        const QuantileSetLosses l = QuantileSetLossesOf(config, margins, labels);
        std::vector<std::pair<std::string, double>> out = {{"pinball_loss", l.mean_pinball}};
        for (size_t k = 0; k < l.pinball.size(); ++k) {
          const std::string level = FormatDouble(QuantileLevel(config, k));
          out.emplace_back("pinball_loss_" + level, l.pinball[k]);
          out.emplace_back("coverage_" + level, l.coverage[k]);
        }
        return out;
      }
      double mean = 0;
      for (double y : labels) mean += y;
      mean /= static_cast<double>(n);
      double se = 0, ae = 0, tot = 0;
      std::vector<double> pred(n);
      for (size_t i = 0; i < n; ++i) {
        pred[i] = RegressionPrediction(objective, margins[i]);
        const double r = pred[i] - labels[i];
        se += r * r;
        ae += std::abs(r);
        tot += (labels[i] - mean) * (labels[i] - mean);
      }
      std::vector<std::pair<std::string, double>> out = {
          {"rmse", std::sqrt(se / n)}, {"mae", ae / n}, {"r2", tot > 0 ? 1.0 - se / tot : kNaN}};
      if (objective == Objective::kQuantile) {
        out.emplace_back("pinball_loss", PinballLoss(config.quantile_alpha, pred, labels));
        out.emplace_back("coverage", Coverage(pred, labels));
      } else if (IsLogLink(objective)) {
        out.emplace_back(StoppingLossName(objective), MeanDeviance(config, pred, labels));
      }
      return out;
    }
  }
  return {};
}

double PinballLoss(double alpha, std::span<const double> predictions,
                   std::span<const double> labels) {
  const size_t n = labels.size();
  if (n == 0) return kNaN;
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += PinballTerm(alpha, labels[i], predictions[i]);
  return s / static_cast<double>(n);
}

double Coverage(std::span<const double> predictions, std::span<const double> labels) {
  const size_t n = labels.size();
  if (n == 0) return kNaN;
  size_t below = 0;
  for (size_t i = 0; i < n; ++i) below += labels[i] <= predictions[i] ? 1 : 0;
  return static_cast<double>(below) / static_cast<double>(n);
}

double MeanDeviance(const ObjectiveConfig& config, std::span<const double> predictions,
                    std::span<const double> labels) {
  const size_t n = labels.size();
  if (n == 0 || !HasDeviance(config.objective)) return kNaN;
  double s = 0;
  for (size_t i = 0; i < n; ++i) {
    s += UnitDeviance(config.objective, config.tweedie_variance_power, labels[i], predictions[i]);
  }
  return s / static_cast<double>(n);
}

double StoppingLoss(const ObjectiveConfig& config, std::span<const double> margins,
                    std::span<const double> labels) {
  const Objective objective = config.objective;
  const size_t n = labels.size();
  if (n == 0) return kNaN;
  switch (objective) {
    case Objective::kBinaryLogistic:
      return BinaryLogLoss(margins, labels);
    case Objective::kMultiSoftmax:
      return MultiLogLoss(margins, labels, static_cast<size_t>(config.num_outputs));
    case Objective::kSquaredError:
    case Objective::kRegLogistic: {
      // reg:logistic (imported): RMSE of the predictions (after the link).
      double se = 0;
      for (size_t i = 0; i < n; ++i) {
        const double r = RegressionPrediction(objective, margins[i]) - labels[i];
        se += r * r;
      }
      return std::sqrt(se / n);
    }
    case Objective::kAbsoluteError:
    case Objective::kHuber: {
      double ae = 0;
      for (size_t i = 0; i < n; ++i) ae += std::abs(margins[i] - labels[i]);
      return ae / n;
    }
    case Objective::kQuantile:
      if (config.num_outputs > 1) return QuantileSetLossesOf(config, margins, labels).mean_pinball;
      return PinballLoss(config.quantile_alpha, margins, labels);  // identity link
    case Objective::kPoisson:
    case Objective::kGamma:
    case Objective::kTweedie: {
      std::vector<double> pred(n);
      for (size_t i = 0; i < n; ++i) pred[i] = RegressionPrediction(objective, margins[i]);
      return MeanDeviance(config, pred, labels);
    }
  }
  return kNaN;
}

const char* StoppingLossName(Objective objective) {
  switch (objective) {
    case Objective::kBinaryLogistic:
    case Objective::kMultiSoftmax:
      return "logloss";
    case Objective::kAbsoluteError:
    case Objective::kHuber:
      return "mae";
    case Objective::kQuantile:
      return "pinball_loss";
    case Objective::kPoisson:
      return "poisson_deviance";
    case Objective::kGamma:
      return "gamma_deviance";
    case Objective::kTweedie:
      return "tweedie_deviance";
    default:
      return "rmse";
  }
}

std::vector<double> GatherRows(std::span<const double> v, std::span<const uint32_t> rows) {
  std::vector<double> out(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) out[i] = v[rows[i]];
  return out;
}

nlohmann::json MetricsToJson(const std::vector<std::pair<std::string, double>>& metrics) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : metrics) j[k] = JsonNumber(v);
  return j;
}

}  // namespace keel
