#include "model/objective_loss.h"

#include <cmath>
#include <limits>

namespace keel {

bool HasDeviance(Objective objective) {
  return objective == Objective::kPoisson || objective == Objective::kGamma ||
         objective == Objective::kTweedie;
}

double UnitDeviance(Objective objective, double rho, double y, double mu) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (objective == Objective::kPoisson || (objective == Objective::kTweedie && rho == 1.0)) {
    if (y < 0) return kNaN;
    return 2 * ((y > 0 ? y * std::log(y / mu) : 0.0) - y + mu);
  }
  if (objective == Objective::kGamma) {
    if (!(y > 0)) return kNaN;
    return 2 * (std::log(mu / y) + y / mu - 1);
  }
  if (objective == Objective::kTweedie) {
    if (y < 0) return kNaN;
    return 2 * (std::pow(y, 2 - rho) / ((1 - rho) * (2 - rho)) -
                y * std::pow(mu, 1 - rho) / (1 - rho) + std::pow(mu, 2 - rho) / (2 - rho));
  }
  return kNaN;
}

}  // namespace keel
