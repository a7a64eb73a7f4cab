// Per-row losses of the regression objectives a model records (Model::objective with
// Model::quantile_alpha and Model::tweedie_variance_power), shared by training's split metrics
// and early stopping (train/metrics.h) and by evaluation (eval/metric_computer.h), so both
// report the same numbers. Pure functions.
#pragma once

#include "model/model.h"

namespace keel {

// Pinball loss of prediction q at quantile level alpha for truth y (scikit-learn's
// mean_pinball_loss per row): alpha (y - q) when y >= q, else (1 - alpha)(q - y).
inline double PinballTerm(double alpha, double y, double q) {
  const double r = y - q;
  return r >= 0 ? alpha * r : (alpha - 1.0) * r;
}

// Whether the objective has a unit deviance (count:poisson, reg:gamma, reg:tweedie).
bool HasDeviance(Objective objective);

// Unit deviance of prediction mu for truth y, as scikit-learn's mean_poisson_deviance,
// mean_gamma_deviance and mean_tweedie_deviance(power = rho) per row:
//   count:poisson  2 (y log(y / mu) - y + mu), with y log y = 0 at y = 0
//   reg:gamma      2 (log(mu / y) + y / mu - 1)
//   reg:tweedie    2 (y^(2-rho) / ((1-rho)(2-rho)) - y mu^(1-rho) / (1-rho) + mu^(2-rho) / (2-rho))
//                  (rho = 1 is poisson)
// NaN when y is outside the objective's domain (poisson, tweedie: y < 0; gamma: y <= 0) or the
// objective has no deviance.
double UnitDeviance(Objective objective, double rho, double y, double mu);

}  // namespace keel
