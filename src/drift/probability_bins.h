// The predicted probabilities of a binary classifier's rows in a drift window, kept so that
// windows merge exactly: the label-free performance estimate (CBPE, performance_estimation.h)
// of a window is computed from them, and the merge of several processes' panes gives the same
// numbers as one process seeing every row.
//
// 1000 equal-width bins over [0, 1]: per bin the row count and the sum of the probabilities
// in fixed point (units of 2^-32), so sums add exactly in any order. The estimate treats each
// bin as one tie group: threshold metrics are exact for a threshold on the bin grid (a
// multiple of 0.001, e.g. 0.5: a bin is predicted positive when its lower edge is at or above
// the threshold), the expected ROC AUC is that of the probabilities rounded into their bins
// (off from the unbinned estimate by well under 0.001 for a spread-out score). A value
// type; not thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "drift/performance_estimation.h"
#include "keel/status.h"

namespace keel::drift {

class ProbabilityBins {
 public:
  static constexpr int kBins = 1000;

  // A probability (clamped to [0, 1]); NaN is ignored.
  void Add(double p);
  void Merge(const ProbabilityBins& other);
  bool empty() const { return rows_ == 0; }
  uint64_t rows() const { return rows_; }

  // CBPE: expected accuracy, precision, recall, F1 at `threshold`, expected positive rate and
  // ROC AUC (NaN without rows or without both expected classes).
  BinaryPerformance Estimate(double threshold) const;

  // {"rows": n, "bins": [[bin, count, fixed-point sum], ...]} (non-empty bins only).
  nlohmann::json ToJson() const;
  // Errors: Corrupt naming what is wrong.
  static Result<ProbabilityBins> FromJson(const nlohmann::json& j);

  bool operator==(const ProbabilityBins&) const = default;

 private:
  void Allocate();  // the bins, on first use

  uint64_t rows_ = 0;
  std::vector<uint64_t> count_;  // kBins entries once a row came
  std::vector<uint64_t> sum_;    // probability * 2^32, rounded, summed
};

}  // namespace keel::drift
