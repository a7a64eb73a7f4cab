#include "eval/metrics.h"

#include <algorithm>

namespace keel {

std::string_view MetricName(Metric metric) {
  switch (metric) {
    case Metric::kAuc:
      return "auc";
    case Metric::kPrAuc:
      return "pr_auc";
    case Metric::kLogLoss:
      return "logloss";
    case Metric::kBrier:
      return "brier";
    case Metric::kAccuracy:
      return "accuracy";
    case Metric::kPrecision:
      return "precision";
    case Metric::kRecall:
      return "recall";
    case Metric::kF1:
      return "f1";
    case Metric::kEce:
      return "ece";
    case Metric::kMacroF1:
      return "macro_f1";
    case Metric::kRmse:
      return "rmse";
    case Metric::kMae:
      return "mae";
    case Metric::kR2:
      return "r2";
    case Metric::kPinballLoss:
      return "pinball_loss";
    case Metric::kCoverage:
      return "coverage";
    case Metric::kPoissonDeviance:
      return "poisson_deviance";
    case Metric::kGammaDeviance:
      return "gamma_deviance";
    case Metric::kTweedieDeviance:
      return "tweedie_deviance";
  }
  return "unknown";
}

std::string_view MetricLabel(Metric metric) {
  switch (metric) {
    case Metric::kAuc:
      return "AUC";
    case Metric::kPrAuc:
      return "PR AUC";
    case Metric::kLogLoss:
      return "log loss";
    case Metric::kBrier:
      return "Brier score";
    case Metric::kAccuracy:
      return "accuracy";
    case Metric::kPrecision:
      return "precision";
    case Metric::kRecall:
      return "recall";
    case Metric::kF1:
      return "F1";
    case Metric::kEce:
      return "ECE";
    case Metric::kMacroF1:
      return "macro F1";
    case Metric::kRmse:
      return "RMSE";
    case Metric::kMae:
      return "MAE";
    case Metric::kR2:
      return "R2";
    case Metric::kPinballLoss:
      return "pinball loss";
    case Metric::kCoverage:
      return "coverage";
    case Metric::kPoissonDeviance:
      return "Poisson deviance";
    case Metric::kGammaDeviance:
      return "gamma deviance";
    case Metric::kTweedieDeviance:
      return "Tweedie deviance";
  }
  return "unknown";
}

bool ParseMetric(std::string_view text, Metric* metric) {
  struct Alias {
    std::string_view name;
    Metric metric;
  };
  static constexpr Alias kAliases[] = {
      {"auc", Metric::kAuc},
      {"roc_auc", Metric::kAuc},
      {"pr_auc", Metric::kPrAuc},
      {"average_precision", Metric::kPrAuc},
      {"logloss", Metric::kLogLoss},
      {"log_loss", Metric::kLogLoss},
      {"brier", Metric::kBrier},
      {"accuracy", Metric::kAccuracy},
      {"precision", Metric::kPrecision},
      {"recall", Metric::kRecall},
      {"f1", Metric::kF1},
      {"ece", Metric::kEce},
      {"macro_f1", Metric::kMacroF1},
      {"rmse", Metric::kRmse},
      {"mae", Metric::kMae},
      {"r2", Metric::kR2},
  };
  for (const auto& a : kAliases) {
    if (a.name == text) {
      *metric = a.metric;
      return true;
    }
  }
  return false;
}

bool HigherIsBetter(Metric metric) {
  switch (metric) {
    case Metric::kLogLoss:
    case Metric::kBrier:
    case Metric::kEce:
    case Metric::kRmse:
    case Metric::kMae:
    case Metric::kPinballLoss:
    case Metric::kPoissonDeviance:
    case Metric::kGammaDeviance:
    case Metric::kTweedieDeviance:
      return false;
    default:
      return true;
  }
}

const std::vector<Metric>& MetricsFor(Task task) {
  static const std::vector<Metric> kBinary = {
      Metric::kAuc,       Metric::kPrAuc,  Metric::kLogLoss, Metric::kBrier, Metric::kAccuracy,
      Metric::kPrecision, Metric::kRecall, Metric::kF1,      Metric::kEce};
  static const std::vector<Metric> kMulticlass = {Metric::kLogLoss, Metric::kAccuracy,
                                                  Metric::kMacroF1};
  static const std::vector<Metric> kRegression = {Metric::kRmse, Metric::kMae, Metric::kR2};
  switch (task) {
    case Task::kBinary:
      return kBinary;
    case Task::kMulticlass:
      return kMulticlass;
    case Task::kRegression:
      return kRegression;
  }
  return kBinary;
}

bool MetricAppliesTo(Metric metric, Task task) {
  const auto& list = MetricsFor(task);
  return std::find(list.begin(), list.end(), metric) != list.end();
}

bool IsObjectiveLoss(Metric metric) {
  switch (metric) {
    case Metric::kPinballLoss:
    case Metric::kCoverage:
    case Metric::kPoissonDeviance:
    case Metric::kGammaDeviance:
    case Metric::kTweedieDeviance:
      return true;
    default:
      return false;
  }
}

std::vector<Metric> MetricsForModel(const Model& model) {
  std::vector<Metric> out = MetricsFor(model.task);
  if (model.task != Task::kRegression) return out;
  switch (model.objective) {
    case Objective::kQuantile:
      out.push_back(Metric::kPinballLoss);
      out.push_back(Metric::kCoverage);
      break;
    case Objective::kPoisson:
      out.push_back(Metric::kPoissonDeviance);
      break;
    case Objective::kGamma:
      out.push_back(Metric::kGammaDeviance);
      break;
    case Objective::kTweedie:
      out.push_back(Metric::kTweedieDeviance);
      break;
    default:
      break;
  }
  return out;
}

Metric DefaultMetric(Task task) {
  switch (task) {
    case Task::kBinary:
      return Metric::kAuc;
    case Task::kMulticlass:
      return Metric::kLogLoss;
    case Task::kRegression:
      return Metric::kRmse;
  }
  return Metric::kAuc;
}

}  // namespace keel
