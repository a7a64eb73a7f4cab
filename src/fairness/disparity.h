// Disparities between groups, with bootstrap confidence intervals.
//
// Definitions (Fairlearn's, over the groups that are judged: groups flagged too_small are left
// out, and so is a group whose rate is undefined for one metric):
//   demographic_parity_difference  max - min selection rate
//   demographic_parity_ratio       min / max selection rate (1 when every rate is 0)
//   equalized_odds_difference      max(TPR max - min, FPR max - min)
//   equal_opportunity_difference   TPR max - min
//   predictive_parity_difference   precision max - min
//   disparate_impact_ratio         min over groups of selection rate / reference rate, where the
//                                  reference is a named group or, by default, the most-selected
//                                  group (the EEOC four-fifths rule's comparison; the value then
//                                  equals the demographic parity ratio)
// A disparity needs at least two judged groups with a defined rate; otherwise it is NaN.
#pragma once

#include <array>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/context.h"
#include "eval/bootstrap.h"
#include "fairness/group_metrics.h"
#include "keel/status.h"

namespace keel::fairness {

enum class DisparityMetric : uint8_t {
  kDemographicParityDifference,
  kDemographicParityRatio,
  kEqualizedOddsDifference,
  kEqualOpportunityDifference,
  kPredictiveParityDifference,
  kDisparateImpactRatio,
};
inline constexpr size_t kNumDisparityMetrics = 6;
inline constexpr std::array<DisparityMetric, kNumDisparityMetrics> kAllDisparityMetrics = {
    DisparityMetric::kDemographicParityDifference, DisparityMetric::kDemographicParityRatio,
    DisparityMetric::kEqualizedOddsDifference,     DisparityMetric::kEqualOpportunityDifference,
    DisparityMetric::kPredictiveParityDifference,  DisparityMetric::kDisparateImpactRatio};

// The JSON key, e.g. "demographic_parity_difference".
std::string_view DisparityName(DisparityMetric metric);
bool ParseDisparityMetric(std::string_view text, DisparityMetric* metric);
// Ratios are fair at 1 and worse when smaller; differences are fair at 0 and worse when larger.
bool IsRatio(DisparityMetric metric);

// The EEOC's four-fifths rule: a disparate impact ratio below this is flagged.
inline constexpr double kFourFifths = 0.8;

struct Disparity {
  DisparityMetric metric = DisparityMetric::kDemographicParityDifference;
  double value = std::numeric_limits<double>::quiet_NaN();  // NaN when undefined
  // The rate compared ("selection_rate", "tpr", "fpr", "precision"); for equalized odds, the
  // one that gave the larger difference.
  std::string rate;
  // The groups at the two ends: the highest and lowest rate (for the disparate impact ratio
  // with a reference group: the reference and the group with the lowest ratio to it).
  std::string high_group, low_group;
  // Bootstrap percentile interval (NaN until AddBootstrapIntervals, or when undefined).
  double ci_low = std::numeric_limits<double>::quiet_NaN();
  double ci_high = std::numeric_limits<double>::quiet_NaN();
  // Judged groups left out of this metric because their rate is undefined (no positives for
  // TPR, no predicted positives for precision, ...).
  std::vector<std::string> undefined_groups;
};

using DisparitySet = std::array<Disparity, kNumDisparityMetrics>;

struct DisparityOptions {
  // Index of the reference group for the disparate impact ratio; -1 = the most-selected group.
  int reference_group = -1;
};

// Disparities over the groups with `judged[g]` set. `counts`, `labels` and `judged` are
// parallel, one entry per group. The intervals are left NaN.
DisparitySet ComputeDisparities(std::span<const ConfusionCounts> counts,
                                std::span<const std::string> labels,
                                std::span<const uint8_t> judged,
                                const DisparityOptions& options = {});

// The same over group metrics, judging every group that is not too_small.
DisparitySet ComputeDisparities(std::span<const GroupMetrics> groups,
                                const DisparityOptions& options = {});

struct BootstrapOptions {
  int resamples = kDefaultResamples;  // eval/bootstrap.h
  double confidence = 0.95;
  uint64_t seed = 42;
};

// Fills ci_low/ci_high of each disparity with a percentile bootstrap interval. Resampling is
// stratified by group: each replicate draws, within every judged group, as many rows as the
// group has, with replacement, and recomputes every disparity; replicates where a disparity is
// undefined are skipped for it. Replicate b draws from keel::Rng(seed).Fork(b), so results do
// not depend on the thread count (the Context's). Errors: InvalidArgument for resamples < 1 or a
// confidence outside (0, 1). Only the groups' confusion counts are needed: a resampled row matters
// only through its cell.
Status AddBootstrapIntervals(std::span<const GroupMetrics> metrics,
                             const DisparityOptions& disparity_options,
                             const BootstrapOptions& options, const Context& ctx,
                             DisparitySet* disparities);

}  // namespace keel::fairness
