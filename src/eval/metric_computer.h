// MetricComputer: a task's metrics, checked and prepared once, evaluated under any row
// weights. The bootstrap (a resample is a vector of row multiplicities) and the paired
// comparison call it thousands of times, so per-row terms (clipped log losses, calibration
// bins, threshold decisions, the score order) are computed once at Create.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "eval/binary_metrics.h"
#include "eval/metrics.h"
#include "keel/status.h"
#include "model/model.h"

namespace keel {

// Truth and predictions of one model on n rows, borrowed for the duration of a call.
struct ScoredRows {
  Task task = Task::kBinary;
  // Classification: the number of classes K (2 for binary). Unused for regression.
  int32_t num_classes = 2;
  // Classification: the true class index of each row (binary: 1 = positive).
  std::span<const int32_t> labels;
  // Regression: the true value of each row.
  std::span<const double> targets;
  // Binary: P(class 1) per row. Multiclass: n x K probabilities, row-major.
  // Regression: the predicted value per row.
  std::span<const double> predictions;
  // One finite non-negative weight per row, or empty for all 1.
  std::span<const double> weights;

  size_t rows() const { return task == Task::kRegression ? targets.size() : labels.size(); }
};

struct MetricOptions {
  // Binary accuracy, precision, recall and F1 predict positive when P(positive) >= threshold.
  double threshold = 0.5;
  // Equal-width bins of the expected calibration error.
  int calibration_bins = kDefaultCalibrationBins;
  // The objective losses (IsObjectiveLoss): pinball_loss's quantile level, in (0, 1), and
  // tweedie_deviance's variance power, in [1, 2); a model's own (EvaluationOptionsFor).
  double quantile_alpha = 0.5;
  double tweedie_variance_power = 1.5;
};

class MetricComputer {
 public:
  // Checks `rows` with its task's Check*Inputs (binary and multiclass predictions must be
  // probabilities) and `metrics` (each must apply to the task, or be an objective loss of a
  // regression; empty = MetricsFor(task)),
  // and copies what the metrics need: `rows` may be released afterwards.
  // Errors: InvalidArgument naming the row/value, the metric, or the bad option.
  static Result<MetricComputer> Create(const ScoredRows& rows, std::span<const Metric> metrics,
                                       const MetricOptions& options = {});

  MetricComputer(MetricComputer&&) noexcept = default;
  MetricComputer& operator=(MetricComputer&&) noexcept = default;
  MetricComputer(const MetricComputer&) = delete;
  MetricComputer& operator=(const MetricComputer&) = delete;

  Task task() const { return task_; }
  size_t rows() const { return rows_; }
  const std::vector<Metric>& metrics() const { return metrics_; }
  const MetricOptions& options() const { return options_; }

  // Working memory of Compute; reuse one per thread to avoid allocating per call.
  struct Scratch {
    std::vector<double> weights;
    std::vector<double> sums;
  };

  // out[j] = metrics()[j] when row i (in the caller's row order) has weight weights[i];
  // empty `weights` means the weights given at Create. Undefined metrics are NaN.
  // Precondition (asserted): weights.size() is 0 or rows(), out.size() == metrics().size(),
  // weights finite and non-negative. Thread-safe: const, all state in `scratch`.
  void Compute(std::span<const double> weights, std::span<double> out, Scratch* scratch) const;

 private:
  MetricComputer() = default;
  void ComputeBinary(std::span<const double> w, std::span<double> out, Scratch* s) const;
  void ComputeMulticlass(std::span<const double> w, std::span<double> out, Scratch* s) const;
  void ComputeRegression(std::span<const double> w, std::span<double> out) const;
  // Fills row_terms_ (regression); InvalidArgument for an alpha or power out of range.
  Status PrepareObjectiveLosses();

  Task task_ = Task::kBinary;
  size_t rows_ = 0;
  int32_t num_classes_ = 2;
  std::vector<Metric> metrics_;
  MetricOptions options_;
  std::vector<double> base_weights_;  // empty = all 1; in the caller's row order

  // Binary: per-row terms laid out by descending score, so the rank metrics run in one
  // sequential pass; order_[k] is the caller's row at sorted position k.
  std::vector<uint32_t> order_;
  std::vector<int32_t> labels_;
  std::vector<double> scores_;
  std::vector<double> log_loss_;   // also multiclass (caller's row order)
  std::vector<uint8_t> positive_;  // score >= threshold
  std::vector<int32_t> bin_;       // calibration bin

  // Multiclass (caller's row order): labels_, log_loss_, and the predicted class.
  std::vector<int32_t> predicted_;

  // Regression (caller's row order).
  std::vector<double> targets_;
  std::vector<double> predictions_;
  // Per metric j: the per-row terms of an objective loss (IsObjectiveLoss), whose weighted
  // mean is the metric; empty for the other metrics.
  std::vector<std::vector<double>> row_terms_;
};

}  // namespace keel
