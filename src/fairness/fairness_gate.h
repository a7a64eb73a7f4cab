// The release gate: a model whose audit breaks the project's disparity limits is not promoted.
//
// Limits are set per disparity metric. For a difference (demographic_parity_difference, ...)
// the limit is a maximum; for a ratio (demographic_parity_ratio, disparate_impact_ratio) it is
// a minimum. The gate checks every audited attribute (and, unless disabled, every
// intersection) and returns each breach with the attribute, the metric, the two groups at the
// ends of the gap and by how much the limit is exceeded, so `keel run` can say exactly why.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "fairness/audit.h"
#include "fairness/disparity.h"
#include "keel/status.h"

namespace keel::fairness {

struct FairnessLimits {
  std::map<DisparityMetric, double> limits;
  // Judge the pessimistic end of the bootstrap interval (the upper bound of a difference, the
  // lower bound of a ratio) instead of the point estimate: the gate then fails a model whose
  // disparity could plausibly exceed the limit.
  bool use_confidence_bound = false;
  bool check_intersections = true;
};

struct GateViolation {
  std::string attribute;  // attribute or intersection name
  DisparityMetric metric = DisparityMetric::kDemographicParityDifference;
  double value = 0;   // the value judged (point estimate or interval bound)
  double limit = 0;
  double excess = 0;  // how far past the limit, > 0
  std::string rate;   // the rate compared, e.g. "selection_rate"
  std::string high_group, low_group;
  std::string message;  // one readable sentence
};

struct GateResult {
  bool passed = true;
  std::vector<GateViolation> violations;
  // Metrics that could not be judged for an attribute (fewer than two groups with a defined
  // rate): reported, not treated as a pass or a failure.
  std::vector<std::string> not_judged;
};

// Checks `audit` against `limits`. Never fails; an empty limit set passes.
GateResult CheckFairnessGate(const AuditResult& audit, const FairnessLimits& limits);

// Reads limits from JSON (keel.yaml's fairness section converted by the caller), e.g.
//   {"demographic_parity_difference": 0.1, "disparate_impact_ratio": 0.8,
//    "use_confidence_bound": false, "check_intersections": true}
// Errors: InvalidArgument naming an unknown key or a value of the wrong type or range
// (differences must be in [0, 1], ratios in [0, 1]).
Result<FairnessLimits> FairnessLimitsFromJson(const nlohmann::json& j);

nlohmann::json GateResultToJson(const GateResult& gate);

}  // namespace keel::fairness
