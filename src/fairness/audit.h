// The fairness audit: per-group metrics and disparities, with bootstrap intervals, for each
// sensitive attribute and each intersection of two; optionally the worst slices and the proxy
// features. `keel audit` prints it; `keel run` gates on it (fairness_gate.h).
//
// Inputs are the model's scores and decisions on rows with known labels, and the table those
// rows came from (for the sensitive attributes and, for slices and proxies, the features).
// Only binary classification is audited: the rates compared are those of a yes/no decision.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/json_number.h"
#include "fairness/disparity.h"
#include "fairness/group_assignment.h"
#include "fairness/group_metrics.h"
#include "fairness/proxy_detection.h"
#include "fairness/slice_finder.h"
#include "keel/status.h"
#include "keel/table.h"

namespace keel::fairness {

struct AttributeSpec {
  std::string column;
  GroupingOptions grouping;
  // The group the disparate impact ratio compares against (a label as the groups table
  // writes it); empty = the most-selected group.
  std::string reference_group;
};

// The audit's settings and their defaults (usecase/audit.h binds `keel audit`'s flags and
// keel.yaml's fairness section to them).
struct AuditOptions {
  // Groups with fewer rows are flagged too_small and left out of the disparities.
  size_t min_group_size = kMinGroupSize;
  // Also audit every intersection of two attributes ("female&senior_citizen").
  bool intersections = true;
  BootstrapOptions bootstrap;
  SliceOptions slices;
  ProxyOptions proxies;
};

// What the audit covers besides the sensitive attributes, and how the decisions it judges
// were made: the caller derives these from the model and the data.
struct AuditScope {
  // For the report: "score >= 0.5", "group thresholds of the model on 'sex' ...".
  std::string decision_rule;
  // Worst-slice search over these columns (none = skipped).
  std::vector<std::string> slice_columns;
  // Proxy detection of these features against every sensitive attribute (none = skipped).
  std::vector<std::string> proxy_features;
};

struct AttributeAudit {
  std::string name;                           // "female", or "female&senior_citizen"
  std::vector<std::string> columns;           // the one or two sensitive columns
  std::optional<GroupDefinition> definition;  // single attributes only
  std::vector<GroupMetrics> groups;
  DisparitySet disparities;  // over the judged groups, with intervals
  bool four_fifths_rule_violated = false;
  // Groups left out of the disparities for having fewer than min_group_size rows.
  std::vector<std::string> small_groups;
  // The disparities had the small groups been mixed in (no intervals), shown beside the
  // judged ones so a user sees what they would change; set only when small groups exist.
  std::optional<DisparitySet> including_small_groups;
};

struct AuditResult {
  size_t rows = 0;
  std::string decision_rule;
  size_t min_group_size = 0;
  BootstrapOptions bootstrap;
  GroupMetrics overall;
  std::vector<AttributeAudit> attributes;
  std::vector<AttributeAudit> intersections;
  std::optional<SliceReport> slices;
  std::optional<std::vector<ProxyScore>> proxies;

  // The audit of `name` (attribute or intersection), or nullptr.
  const AttributeAudit* Find(std::string_view name) const;
};

// Runs the audit, parallel loops on the Context's threads. `outcomes` are aligned with the
// table's rows. Errors: InvalidArgument for a
// length mismatch, no sensitive attribute, or an unknown reference group (the message lists
// the groups); NotFound for a sensitive column the table lacks; errors of AssignGroups,
// FindWorstSlices and DetectProxies.
Result<AuditResult> RunAudit(const Table& table, const BinaryOutcomes& outcomes,
                             std::span<const AttributeSpec> sensitive, const AuditScope& scope,
                             const AuditOptions& options, const Context& ctx);

// The audit as the JSON `keel audit --json` prints: for each attribute (under "attributes",
// intersections under "intersections") the disparities by name at the top level of its
// object, each with a "<name>_ci" {low, high} object, "four_fifths_rule_violated", and a
// "groups" table. Non-finite numbers are written as null.
nlohmann::json AuditToJson(const AuditResult& audit);

// A readable summary for a terminal (tables of groups and disparities, flags, slices, proxies).
std::string AuditToText(const AuditResult& audit);

}  // namespace keel::fairness
