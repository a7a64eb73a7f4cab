// Metrics computed during training: per-split scores and the early-stopping loss.
//
// Inputs are raw margins laid out [row * K + k] (K = outputs) and labels (binary 0/1,
// multiclass class index, regression value). Metrics are unweighted: they describe the rows
// as they are, whatever weights training used. The evaluation stage (src/eval) adds
// confidence intervals and comparisons on top; these are the point values.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "model/model.h"
#include "train/objective.h"

namespace keel {

// Area under the ROC curve of `scores` for 0/1 `labels`, ties counted half (Mann-Whitney).
// NaN when one class is absent.
double Auc(std::span<const double> scores, std::span<const double> labels);

// Named metrics of a split, in a fixed order:
//   binary      auc, logloss, accuracy (threshold 0.5)
//   multiclass  auc (macro one-vs-rest), logloss, accuracy (argmax)
//   regression  rmse, mae, r2 of the predictions (the margins through the objective's link),
//               then the objective's own loss: pinball_loss and coverage (reg:quantileerror),
//               poisson_deviance (count:poisson), gamma_deviance (reg:gamma),
//               tweedie_deviance (reg:tweedie)
// Empty when there are no rows.
std::vector<std::pair<std::string, double>> SplitMetrics(const ObjectiveConfig& objective,
                                                         std::span<const double> margins,
                                                         std::span<const double> labels);

// The values of `v` (one per table row) at `rows`, e.g. a split's labels.
std::vector<double> GatherRows(std::span<const double> v, std::span<const uint32_t> rows);

// Named metrics as a JSON object {name: value}; non-finite values as null.
nlohmann::json MetricsToJson(const std::vector<std::pair<std::string, double>>& metrics);

// Mean pinball loss at quantile level alpha: alpha (y - q) when y >= q, else (1 - alpha)(q - y).
double PinballLoss(double alpha, std::span<const double> predictions,
                   std::span<const double> labels);

// Share of rows with y <= prediction (what a quantile model at alpha should reach: alpha).
double Coverage(std::span<const double> predictions, std::span<const double> labels);

// Mean unit deviance of predictions mu for labels y, as scikit-learn's mean_poisson_deviance,
// mean_gamma_deviance and mean_tweedie_deviance(power = rho):
//   count:poisson  2 (y log(y / mu) - y + mu), with y log y = 0 at y = 0
//   reg:gamma      2 (log(mu / y) + y / mu - 1)
//   reg:tweedie    2 (y^(2-rho) / ((1-rho)(2-rho)) - y mu^(1-rho) / (1-rho) + mu^(2-rho) / (2-rho))
//                  (rho = 1 is poisson)
// NaN when a label is outside the objective's domain (poisson, tweedie: y < 0; gamma: y <= 0)
// or for any other objective.
double MeanDeviance(const ObjectiveConfig& objective, std::span<const double> predictions,
                    std::span<const double> labels);

// The loss early stopping watches (lower is better) and its name: logloss (binary,
// multiclass), rmse (squared error; and, on the predictions, reg:logistic), mae (absolute
// error, huber), pinball_loss (quantile), the objective's deviance (poisson, gamma, tweedie).
double StoppingLoss(const ObjectiveConfig& objective, std::span<const double> margins,
                    std::span<const double> labels);
const char* StoppingLossName(Objective objective);

}  // namespace keel
