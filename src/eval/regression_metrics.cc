#include "eval/regression_metrics.h"

#include <cmath>
#include <limits>

#include "core/number_format.h"

namespace keel {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline double WeightAt(std::span<const double> weights, size_t i) {
  return weights.empty() ? 1.0 : weights[i];
}

}  // namespace

Status CheckRegressionInputs(std::span<const double> targets, std::span<const double> predictions,
                             std::span<const double> weights) {
  if (targets.size() != predictions.size()) {
    return Status::InvalidArgument("{} targets but {} predictions: one per row is needed",
                                   targets.size(), predictions.size());
  }
  if (!weights.empty() && weights.size() != targets.size()) {
    return Status::InvalidArgument("{} weights for {} rows: one weight per row is needed",
                                   weights.size(), targets.size());
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    if (!std::isfinite(targets[i])) {
      return Status::InvalidArgument("row {}: target {} is not a finite number", i,
                                     FormatDouble(targets[i]));
    }
    if (!std::isfinite(predictions[i])) {
      return Status::InvalidArgument("row {}: prediction {} is not a finite number", i,
                                     FormatDouble(predictions[i]));
    }
  }
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!std::isfinite(weights[i]) || weights[i] < 0) {
      return Status::InvalidArgument("row {}: weight {} is not a finite non-negative number", i,
                                     FormatDouble(weights[i]));
    }
  }
  return Status::OK();
}

double R2FromSums(double ss_res, double ss_tot) {
  if (ss_tot > 0) return 1.0 - ss_res / ss_tot;
  return ss_res == 0 ? 1.0 : 0.0;
}

Result<double> Rmse(std::span<const double> targets, std::span<const double> predictions,
                    std::span<const double> weights) {
  KEEL_RETURN_IF_ERROR(CheckRegressionInputs(targets, predictions, weights));
  double total = 0, sum = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    const double w = WeightAt(weights, i);
    const double d = targets[i] - predictions[i];
    total += w;
    sum += w * d * d;
  }
  return total > 0 ? std::sqrt(sum / total) : kNaN;
}

Result<double> Mae(std::span<const double> targets, std::span<const double> predictions,
                   std::span<const double> weights) {
  KEEL_RETURN_IF_ERROR(CheckRegressionInputs(targets, predictions, weights));
  double total = 0, sum = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    const double w = WeightAt(weights, i);
    total += w;
    sum += w * std::abs(targets[i] - predictions[i]);
  }
  return total > 0 ? sum / total : kNaN;
}

Result<double> R2(std::span<const double> targets, std::span<const double> predictions,
                  std::span<const double> weights) {
  KEEL_RETURN_IF_ERROR(CheckRegressionInputs(targets, predictions, weights));
  double total = 0, sum_y = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    const double w = WeightAt(weights, i);
    total += w;
    sum_y += w * targets[i];
  }
  if (total <= 0) return kNaN;
  const double mean = sum_y / total;
  double ss_res = 0, ss_tot = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    const double w = WeightAt(weights, i);
    const double r = targets[i] - predictions[i];
    const double c = targets[i] - mean;
    ss_res += w * r * r;
    ss_tot += w * c * c;
  }
  return R2FromSums(ss_res, ss_tot);
}

}  // namespace keel
