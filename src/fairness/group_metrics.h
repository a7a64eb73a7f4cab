// Per-group metrics of a binary classifier: what the model does to each group.
//
// Rates follow the usual (and Fairlearn's) definitions over the rows of one group:
//   base rate       positives / count                 selection rate  predicted positive / count
//   TPR             TP / (TP + FN)                    FPR             FP / (FP + TN)
//   FNR             FN / (TP + FN)                    precision       TP / (TP + FP)
// A rate whose denominator is zero is undefined and reported as NaN (JSON null), never as 0.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/group_size.h"  // kMinGroupSize
#include "fairness/group_assignment.h"

namespace keel::fairness {

// The model's outputs and the truth for a set of rows, all spans of one length.
struct BinaryOutcomes {
  std::span<const double> scores;      // positive-class probability
  std::span<const uint8_t> labels;     // 1 = positive
  std::span<const uint8_t> decisions;  // 1 = predicted positive (score >= threshold, or the
                                       // group-specific threshold)
};

struct ConfusionCounts {
  uint64_t tp = 0, fp = 0, tn = 0, fn = 0;
  uint64_t count() const { return tp + fp + tn + fn; }
};

// Rates of one confusion table (NaN where undefined).
struct ConfusionRates {
  double base_rate, selection_rate, tpr, fpr, fnr, precision, accuracy;
};
ConfusionRates RatesOf(const ConfusionCounts& c);

struct GroupMetrics {
  std::string group;
  ConfusionCounts counts;
  double share = 0;  // count / all rows
  ConfusionRates rates{};
  double mean_score = 0;
  // Score metrics by src/eval's definitions (scikit-learn's): ROC AUC (NaN when the group has
  // one class only), log loss, and expected calibration error over 10 equal-width bins. NaN
  // also when a score is not a probability in [0, 1].
  double auc = 0;
  double logloss = 0;
  double calibration_error = 0;
  // Fewer rows than the audit's minimum group size: reported but left out of disparities.
  bool too_small = false;
};

// Metrics of every group of `groups` (codes index groups.labels; rows are grouped by
// groups.codes[i]), in group order. `min_group_size` sets too_small. Empty groups (a user bin
// with no row) are reported with a count of 0 and too_small set. The outcomes and the codes
// must have the same length (checked by the caller).
std::vector<GroupMetrics> ComputeGroupMetrics(const BinaryOutcomes& outcomes,
                                              const GroupAssignment& groups, size_t min_group_size);

// Metrics over all rows (the overall line of an audit).
GroupMetrics ComputeOverallMetrics(const BinaryOutcomes& outcomes);

// Decisions at one threshold: 1 where score >= threshold.
std::vector<uint8_t> ThresholdDecisions(std::span<const double> scores, double threshold);

}  // namespace keel::fairness
