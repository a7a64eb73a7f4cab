// Post-processing mitigation: one decision threshold per group of a sensitive attribute, chosen
// so the decisions meet a fairness constraint at the smallest loss of accuracy (Hardt, Price and
// Srebro 2016, deterministic variant).
//
// Constraints, on the data the thresholds are fitted to:
//   demographic parity  every group's selection rate within `bound` of every other's
//   equalized odds      every group's TPR within `bound` of the others', and FPR likewise
// Hardt et al. reach exact equalized odds by randomising between two thresholds in some groups.
// Keel does not randomise: the same applicant must get the same decision every time, and a
// served decision must be explainable by one threshold. The cost is that equality holds to
// within `bound` rather than exactly. A bound can always be met (selecting nobody, or everybody,
// in every group meets both constraints exactly), but a very small one may cost much accuracy;
// the fit reports accuracy and disparity before and after.
//
// Search. Within a group, lowering the threshold past each distinct score adds rows to the
// selected set, so the group's candidate operating points form a staircase on which selection
// rate, TPR and FPR all rise together. A constraint is a window of width `bound` on each rate;
// the points of one group inside a window are a contiguous run of the staircase, found by
// binary search, and the most accurate one by a range-maximum query. Demographic parity tries
// every window whose lower edge is some group's selection rate (exact); equalized odds tries
// windows on a grid of step max(bound/10, 0.001) in both FPR and TPR (so at least as accurate
// as the best deterministic thresholds within 0.9 * bound).
//
// Groups with fewer than `min_group_size` rows are not constrained and keep the default
// threshold, as the audit does not judge them.
//
// The thresholds and the rule that assigns rows to groups are stored in the model artifact
// under sections["fairness"]["group_thresholds"] and applied at prediction time when the row's
// sensitive attribute is given; a row whose group is unknown gets the default threshold.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fairness/group_assignment.h"
#include "fairness/group_metrics.h"
#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"

namespace keel::fairness {

enum class ThresholdConstraint : uint8_t { kDemographicParity, kEqualizedOdds };
std::string_view ThresholdConstraintName(ThresholdConstraint c);  // "demographic_parity", ...
bool ParseThresholdConstraint(std::string_view text, ThresholdConstraint* c);

struct GroupThresholds {
  GroupDefinition groups;  // assigns a row to a group from its attribute value
  ThresholdConstraint constraint = ThresholdConstraint::kDemographicParity;
  double bound = 0;
  std::vector<double> thresholds;  // one per groups.labels entry; score >= threshold = positive
  double missing_threshold = 0.5;  // rows whose attribute is missing
  double default_threshold = 0.5;  // rows whose value the definition does not know

  // The threshold of a row in group `group` (an index into groups.labels; -1 = unknown value;
  // groups.labels.size() = missing).
  double ThresholdOf(int32_t group) const;
};

struct ThresholdFitOptions {
  ThresholdConstraint constraint = ThresholdConstraint::kDemographicParity;
  double bound = 0.02;
  size_t min_group_size = kMinGroupSize;
  double default_threshold = 0.5;
};

struct ThresholdFit {
  GroupThresholds thresholds;
  // On the fitting data: accuracy and the constrained disparity (demographic parity difference
  // or equalized odds difference over the constrained groups) at the default threshold and
  // with the group thresholds.
  double accuracy_before = 0, accuracy_after = 0;
  double disparity_before = 0, disparity_after = 0;
};

// Fits group thresholds to scores (positive-class probabilities) and 0/1 labels of rows grouped
// by `groups` (whose definition is stored). Errors: InvalidArgument for length mismatches, a
// bound outside (0, 1] or fewer than two groups with min_group_size rows (and, for equalized
// odds, with both classes).
Result<ThresholdFit> FitGroupThresholds(std::span<const double> scores,
                                        std::span<const uint8_t> labels,
                                        const GroupAssignment& groups,
                                        const ThresholdFitOptions& options);

// Decisions (1 = positive) for `scores` with the group of each row read from `attribute` (the
// column named groups.attribute). Errors: InvalidArgument for a length mismatch or a column of
// the wrong kind for a binned definition.
Result<std::vector<uint8_t>> ApplyGroupThresholds(const GroupThresholds& thresholds,
                                                  std::span<const double> scores,
                                                  const Column& attribute);

// JSON form stored in the artifact. FromJson errors: Corrupt naming the bad key.
nlohmann::json GroupThresholdsToJson(const GroupThresholds& t);
Result<GroupThresholds> GroupThresholdsFromJson(const nlohmann::json& j);

// Stores the thresholds (and the fit summary) in model.sections["fairness"]["group_thresholds"],
// keeping the section's other keys.
void StoreGroupThresholds(const ThresholdFit& fit, Model* model);
// The thresholds stored in a model; nullopt when it has none. Errors: Corrupt.
Result<std::optional<GroupThresholds>> LoadGroupThresholds(const Model& model);

}  // namespace keel::fairness
