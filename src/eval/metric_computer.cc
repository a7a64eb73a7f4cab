#include "eval/metric_computer.h"

#include <cassert>
#include <cmath>
#include <limits>

#include "core/number_format.h"
#include "eval/multiclass_metrics.h"
#include "eval/regression_metrics.h"
#include "model/objective_loss.h"

namespace keel {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

Result<MetricComputer> MetricComputer::Create(const ScoredRows& rows,
                                              std::span<const Metric> metrics,
                                              const MetricOptions& options) {
  MetricComputer c;
  c.task_ = rows.task;
  c.rows_ = rows.rows();
  c.options_ = options;
  if (metrics.empty()) {
    c.metrics_ = MetricsFor(rows.task);
  } else {
    c.metrics_.assign(metrics.begin(), metrics.end());
  }
  for (Metric m : c.metrics_) {
    const bool objective_loss = IsObjectiveLoss(m) && rows.task == Task::kRegression;
    if (!MetricAppliesTo(m, rows.task) && !objective_loss) {
      return Status::InvalidArgument("metric '{}' does not apply to a {} model", MetricName(m),
                                     TaskName(rows.task));
    }
  }
  if (!std::isfinite(options.threshold)) {
    return Status::InvalidArgument("threshold {} is not a finite number",
                                   FormatDouble(options.threshold));
  }
  if (options.calibration_bins < 1 || options.calibration_bins > kMaxCalibrationBins) {
    return Status::InvalidArgument("calibration bins {} is outside [1, {}]",
                                   options.calibration_bins, kMaxCalibrationBins);
  }
  c.base_weights_.assign(rows.weights.begin(), rows.weights.end());
  const size_t n = c.rows_;

  switch (rows.task) {
    case Task::kBinary: {
      KEEL_RETURN_IF_ERROR(CheckBinaryInputs(rows.labels, rows.predictions, rows.weights, true));
      c.num_classes_ = 2;
      c.order_ = DescendingScoreOrder(rows.predictions);
      c.labels_.resize(n);
      c.scores_.resize(n);
      c.log_loss_.resize(n);
      c.positive_.resize(n);
      c.bin_.resize(n);
      for (size_t k = 0; k < n; ++k) {
        const size_t i = c.order_[k];
        const int32_t y = rows.labels[i];
        const double p = rows.predictions[i];
        c.labels_[k] = y;
        c.scores_[k] = p;
        c.log_loss_[k] = ClippedBinaryLogLoss(y, p);
        c.positive_[k] = p >= options.threshold ? 1 : 0;
        c.bin_[k] = CalibrationBin(p, options.calibration_bins);
      }
      break;
    }
    case Task::kMulticlass: {
      KEEL_RETURN_IF_ERROR(
          CheckMulticlassInputs(rows.labels, rows.predictions, rows.num_classes, rows.weights));
      c.num_classes_ = rows.num_classes;
      c.labels_.assign(rows.labels.begin(), rows.labels.end());
      c.predicted_ = PredictedClasses(rows.predictions, rows.num_classes);
      c.log_loss_.resize(n);
      for (size_t i = 0; i < n; ++i) {
        c.log_loss_[i] = ClippedRowLogLoss(rows.predictions.data() + i * rows.num_classes,
                                           rows.num_classes, rows.labels[i]);
      }
      break;
    }
    case Task::kRegression: {
      KEEL_RETURN_IF_ERROR(CheckRegressionInputs(rows.targets, rows.predictions, rows.weights));
      c.targets_.assign(rows.targets.begin(), rows.targets.end());
      c.predictions_.assign(rows.predictions.begin(), rows.predictions.end());
      KEEL_RETURN_IF_ERROR(c.PrepareObjectiveLosses());
      break;
    }
  }
  return c;
}

Status MetricComputer::PrepareObjectiveLosses() {
  const double alpha = options_.quantile_alpha;
  const double rho = options_.tweedie_variance_power;
  row_terms_.assign(metrics_.size(), {});
  for (size_t j = 0; j < metrics_.size(); ++j) {
    const Metric m = metrics_[j];
    if (!IsObjectiveLoss(m)) continue;
    if ((m == Metric::kPinballLoss || m == Metric::kCoverage) && !(alpha > 0 && alpha < 1)) {
      return Status::InvalidArgument("quantile level {} is not between 0 and 1",
                                     FormatDouble(alpha));
    }
    if (m == Metric::kTweedieDeviance && !(rho >= 1 && rho < 2)) {
      return Status::InvalidArgument("Tweedie variance power {} is not in [1, 2)",
                                     FormatDouble(rho));
    }
    std::vector<double>& t = row_terms_[j];
    t.resize(rows_);
    for (size_t i = 0; i < rows_; ++i) {
      const double y = targets_[i], p = predictions_[i];
      switch (m) {
        case Metric::kPinballLoss:
          t[i] = PinballTerm(alpha, y, p);
          break;
        case Metric::kCoverage:
          t[i] = y <= p ? 1.0 : 0.0;
          break;
        case Metric::kPoissonDeviance:
          t[i] = UnitDeviance(Objective::kPoisson, rho, y, p);
          break;
        case Metric::kGammaDeviance:
          t[i] = UnitDeviance(Objective::kGamma, rho, y, p);
          break;
        default:
          t[i] = UnitDeviance(Objective::kTweedie, rho, y, p);
          break;
      }
    }
  }
  return Status::OK();
}

void MetricComputer::Compute(std::span<const double> weights, std::span<double> out,
                             Scratch* scratch) const {
  assert(weights.empty() || weights.size() == rows_);
  assert(out.size() == metrics_.size());
  if (weights.empty()) weights = base_weights_;
  switch (task_) {
    case Task::kBinary:
      ComputeBinary(weights, out, scratch);
      break;
    case Task::kMulticlass:
      ComputeMulticlass(weights, out, scratch);
      break;
    case Task::kRegression:
      ComputeRegression(weights, out);
      break;
  }
}

void MetricComputer::ComputeBinary(std::span<const double> weights, std::span<double> out,
                                   Scratch* s) const {
  const size_t n = rows_;
  // Gather the weights into score order once; every pass below is then sequential.
  s->weights.resize(n);
  double* w = s->weights.data();
  if (weights.empty()) {
    std::fill(w, w + n, 1.0);
  } else {
    for (size_t k = 0; k < n; ++k) w[k] = weights[order_[k]];
  }
  const int bins = options_.calibration_bins;
  s->sums.assign(bins, 0.0);
  double* gap = s->sums.data();

  double total = 0, log_loss = 0, brier = 0, tp = 0, fp = 0, pos = 0;
  for (size_t k = 0; k < n; ++k) {
    const double wk = w[k];
    const double y = labels_[k];
    const double d = scores_[k] - y;
    total += wk;
    pos += wk * y;
    log_loss += wk * log_loss_[k];
    brier += wk * d * d;
    const double predicted_positive = wk * positive_[k];
    tp += predicted_positive * y;
    fp += predicted_positive * (1.0 - y);
    gap[bin_[k]] -= wk * d;
  }
  const ThresholdMetrics at =
      ThresholdMetricsFromCounts(options_.threshold, tp, fp, total - pos - fp, pos - tp);
  const std::span<const double> wspan(w, n);
  for (size_t j = 0; j < metrics_.size(); ++j) {
    double v = kNaN;
    switch (metrics_[j]) {
      case Metric::kAuc:
        v = RocAucOrdered(labels_, scores_, wspan, {});
        break;
      case Metric::kPrAuc:
        v = AveragePrecisionOrdered(labels_, scores_, wspan, {});
        break;
      case Metric::kLogLoss:
        v = total > 0 ? log_loss / total : kNaN;
        break;
      case Metric::kBrier:
        v = total > 0 ? brier / total : kNaN;
        break;
      case Metric::kAccuracy:
        v = at.accuracy;
        break;
      case Metric::kPrecision:
        v = at.precision;
        break;
      case Metric::kRecall:
        v = at.recall;
        break;
      case Metric::kF1:
        v = at.f1;
        break;
      case Metric::kEce: {
        double sum = 0;
        for (int b = 0; b < bins; ++b) sum += std::abs(gap[b]);
        v = total > 0 ? sum / total : kNaN;
        break;
      }
      default:
        break;  // Create rejected metrics of other tasks.
    }
    out[j] = v;
  }
}

void MetricComputer::ComputeMulticlass(std::span<const double> weights, std::span<double> out,
                                       Scratch* s) const {
  const size_t k = static_cast<size_t>(num_classes_);
  s->sums.assign(3 * k, 0.0);
  double* tp = s->sums.data();
  double* predicted = tp + k;
  double* actual = predicted + k;
  double total = 0, log_loss = 0, correct = 0;
  const bool weighted = !weights.empty();
  for (size_t i = 0; i < rows_; ++i) {
    const double w = weighted ? weights[i] : 1.0;
    const int32_t y = labels_[i];
    const int32_t p = predicted_[i];
    total += w;
    log_loss += w * log_loss_[i];
    actual[y] += w;
    predicted[p] += w;
    if (y == p) {
      correct += w;
      tp[y] += w;
    }
  }
  for (size_t j = 0; j < metrics_.size(); ++j) {
    double v = kNaN;
    switch (metrics_[j]) {
      case Metric::kLogLoss:
        v = total > 0 ? log_loss / total : kNaN;
        break;
      case Metric::kAccuracy:
        v = total > 0 ? correct / total : kNaN;
        break;
      case Metric::kMacroF1:
        v = MacroF1FromCounts({tp, k}, {predicted, k}, {actual, k});
        break;
      default:
        break;
    }
    out[j] = v;
  }
}

void MetricComputer::ComputeRegression(std::span<const double> weights,
                                       std::span<double> out) const {
  const bool weighted = !weights.empty();
  double total = 0, sum_y = 0, sq = 0, abs_err = 0;
  for (size_t i = 0; i < rows_; ++i) {
    const double w = weighted ? weights[i] : 1.0;
    const double r = targets_[i] - predictions_[i];
    total += w;
    sum_y += w * targets_[i];
    sq += w * r * r;
    abs_err += w * std::abs(r);
  }
  double ss_tot = 0;
  if (total > 0) {
    const double mean = sum_y / total;
    for (size_t i = 0; i < rows_; ++i) {
      const double w = weighted ? weights[i] : 1.0;
      const double c = targets_[i] - mean;
      ss_tot += w * c * c;
    }
  }
  for (size_t j = 0; j < metrics_.size(); ++j) {
    double v = kNaN;
    if (total > 0) {
      switch (metrics_[j]) {
        case Metric::kRmse:
          v = std::sqrt(sq / total);
          break;
        case Metric::kMae:
          v = abs_err / total;
          break;
        case Metric::kR2:
          v = R2FromSums(sq, ss_tot);
          break;
        default:
          if (!row_terms_[j].empty()) {
            double s = 0;
            for (size_t i = 0; i < rows_; ++i) {
              s += (weighted ? weights[i] : 1.0) * row_terms_[j][i];
            }
            v = s / total;
          }
          break;
      }
    }
    out[j] = v;
  }
}

}  // namespace keel
