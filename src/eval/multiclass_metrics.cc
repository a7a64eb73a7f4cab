#include "eval/multiclass_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/number_format.h"
#include "eval/binary_metrics.h"

namespace keel {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline double WeightAt(std::span<const double> weights, size_t i) {
  return weights.empty() ? 1.0 : weights[i];
}

Status CheckClassIndices(std::span<const int32_t> classes, int32_t num_classes,
                         const char* what) {
  for (size_t i = 0; i < classes.size(); ++i) {
    if (classes[i] < 0 || classes[i] >= num_classes) {
      return Status::InvalidArgument("row {}: {} class {} is outside [0, {})", i, what,
                                     classes[i], num_classes);
    }
  }
  return Status::OK();
}

Status CheckWeights(std::span<const double> weights, size_t rows) {
  if (!weights.empty() && weights.size() != rows) {
    return Status::InvalidArgument("{} weights for {} rows: one weight per row is needed",
                                   weights.size(), rows);
  }
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!std::isfinite(weights[i]) || weights[i] < 0) {
      return Status::InvalidArgument("row {}: weight {} is not a finite non-negative number", i,
                                     FormatDouble(weights[i]));
    }
  }
  return Status::OK();
}

Status CheckPredictedInputs(std::span<const int32_t> labels, std::span<const int32_t> predicted,
                            int32_t num_classes, std::span<const double> weights) {
  if (num_classes < 2) {
    return Status::InvalidArgument("{} classes: classification needs at least 2", num_classes);
  }
  if (labels.size() != predicted.size()) {
    return Status::InvalidArgument("{} labels but {} predictions: one per row is needed",
                                   labels.size(), predicted.size());
  }
  KEEL_RETURN_IF_ERROR(CheckClassIndices(labels, num_classes, "true"));
  KEEL_RETURN_IF_ERROR(CheckClassIndices(predicted, num_classes, "predicted"));
  return CheckWeights(weights, labels.size());
}

}  // namespace

Status CheckMulticlassInputs(std::span<const int32_t> labels,
                             std::span<const double> probabilities, int32_t num_classes,
                             std::span<const double> weights) {
  if (num_classes < 2) {
    return Status::InvalidArgument("{} classes: classification needs at least 2", num_classes);
  }
  const size_t k = static_cast<size_t>(num_classes);
  if (probabilities.size() != labels.size() * k) {
    return Status::InvalidArgument(
        "{} probabilities for {} rows of {} classes: {} are needed", probabilities.size(),
        labels.size(), num_classes, labels.size() * k);
  }
  KEEL_RETURN_IF_ERROR(CheckClassIndices(labels, num_classes, "true"));
  for (size_t j = 0; j < probabilities.size(); ++j) {
    const double p = probabilities[j];
    if (!std::isfinite(p) || p < 0.0 || p > 1.0) {
      return Status::InvalidArgument("row {}: probability {} of class {} is not in [0, 1]",
                                     j / k, FormatDouble(p), j % k);
    }
  }
  return CheckWeights(weights, labels.size());
}

std::vector<int32_t> PredictedClasses(std::span<const double> probabilities,
                                      int32_t num_classes) {
  const size_t k = static_cast<size_t>(num_classes);
  const size_t n = k == 0 ? 0 : probabilities.size() / k;
  std::vector<int32_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    const double* row = probabilities.data() + i * k;
    out[i] = static_cast<int32_t>(std::max_element(row, row + k) - row);
  }
  return out;
}

double ClippedRowLogLoss(const double* probabilities, int32_t num_classes, int32_t label) {
  double sum = 0;
  for (int32_t c = 0; c < num_classes; ++c) {
    sum += std::clamp(probabilities[c], kLogLossEpsilon, 1.0 - kLogLossEpsilon);
  }
  const double p = std::clamp(probabilities[label], kLogLossEpsilon, 1.0 - kLogLossEpsilon);
  return -std::log(p / sum);
}

double MacroF1FromCounts(std::span<const double> tp, std::span<const double> predicted,
                         std::span<const double> actual) {
  double sum = 0;
  int present = 0;
  for (size_t c = 0; c < tp.size(); ++c) {
    if (predicted[c] <= 0 && actual[c] <= 0) continue;
    // 2 tp / (2 tp + fp + fn) with fp = predicted - tp and fn = actual - tp.
    sum += 2 * tp[c] / (predicted[c] + actual[c]);
    ++present;
  }
  return present > 0 ? sum / present : kNaN;
}

Result<double> MulticlassLogLoss(std::span<const int32_t> labels,
                                 std::span<const double> probabilities, int32_t num_classes,
                                 std::span<const double> weights) {
  KEEL_RETURN_IF_ERROR(CheckMulticlassInputs(labels, probabilities, num_classes, weights));
  double total = 0, sum = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double w = WeightAt(weights, i);
    total += w;
    sum += w * ClippedRowLogLoss(probabilities.data() + i * num_classes, num_classes, labels[i]);
  }
  return total > 0 ? sum / total : kNaN;
}

Result<double> Accuracy(std::span<const int32_t> labels, std::span<const int32_t> predicted,
                        int32_t num_classes, std::span<const double> weights) {
  KEEL_RETURN_IF_ERROR(CheckPredictedInputs(labels, predicted, num_classes, weights));
  double total = 0, correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double w = WeightAt(weights, i);
    total += w;
    if (labels[i] == predicted[i]) correct += w;
  }
  return total > 0 ? correct / total : kNaN;
}

Result<double> MacroF1(std::span<const int32_t> labels, std::span<const int32_t> predicted,
                       int32_t num_classes, std::span<const double> weights) {
  KEEL_RETURN_IF_ERROR(CheckPredictedInputs(labels, predicted, num_classes, weights));
  std::vector<double> tp(num_classes, 0.0), pred(num_classes, 0.0), actual(num_classes, 0.0);
  for (size_t i = 0; i < labels.size(); ++i) {
    const double w = WeightAt(weights, i);
    actual[labels[i]] += w;
    pred[predicted[i]] += w;
    if (labels[i] == predicted[i]) tp[labels[i]] += w;
  }
  return MacroF1FromCounts(tp, pred, actual);
}

}  // namespace keel
