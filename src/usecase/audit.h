// `keel audit`, and the audit step of `keel run`: the fairness audit of a binary classifier on
// labelled data. Per group of each sensitive attribute (and each intersection of two): counts,
// rates, AUC, log loss and calibration; the disparities with bootstrap intervals; the worst
// slices; proxy features. `keel audit` can also fit group-specific decision thresholds
// (post-processing mitigation), write them into a copy of the model and audit the result.
//
// Decisions are the model's own: its stored group thresholds when it carries some (and the
// data has their attribute), else one threshold. Both commands reach the audit through
// AuditTable, so the same model on the same rows gets the same audit wherever it is run.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/context.h"
#include "fairness/audit.h"
#include "fairness/group_thresholds.h"
#include "keel/status.h"
#include "model/model.h"
#include "predict/predictor.h"
#include "usecase/scoring.h"

namespace keel::usecase {

// What an audit measures and how: `keel audit`'s flags and keel.yaml's `fairness` section.
struct AuditSettings {
  // Sensitive attributes; an entry may name several, comma-separated. Empty: the columns the
  // model's schema gives the role sensitive.
  std::vector<std::string> sensitive;
  // A row is decided positive when its positive-class probability is >= this.
  double threshold = 0.5;
  // Audit `threshold` even when the model carries group thresholds.
  bool ignore_group_thresholds = false;
  // Bin edges of numeric sensitive attributes: "COL=E1,E2,..." (or "E1,E2,..." when only one
  // attribute is numeric).
  std::vector<std::string> bins;
  // Quantile bins of a numeric sensitive attribute that `bins` does not cut.
  int quantile_bins = fairness::GroupingOptions{}.quantile_bins;
  // Reference groups of the disparate impact ratio, "COL=GROUP" (default: the most-selected).
  std::vector<std::string> references;
  // The audit's own settings: minimum group size, intersections, bootstrap, slice search and
  // proxy detection.
  fairness::AuditOptions options;
  // Search the worst slices over the model's features and the sensitive attributes.
  bool slices = true;
  // Score each model feature as a proxy of each sensitive attribute.
  bool proxies = true;
};

struct AuditRequest {
  ScoringInput input;  // the model (a binary classifier) and labelled data
  AuditSettings audit;
  // Mitigation: fit group thresholds meeting this constraint on the data (set: fit them).
  std::optional<fairness::ThresholdConstraint> fit_thresholds;
  std::string fit_attribute;  // the sensitive attribute they are fitted for ("" = the first)
  double bound = fairness::ThresholdFitOptions{}.bound;  // the largest disparity they allow
  std::string out_path;  // where the model with the fitted thresholds is written (required)
};

struct AuditResult {
  AuditRequest request;
  std::string positive_class;
  uint64_t rows_audited = 0, rows_without_label = 0, rows_rejected = 0;
  fairness::AuditResult audit;
  struct Mitigation {
    std::string attribute;
    fairness::ThresholdFit fit;
    fairness::AuditResult after;  // the audit with the fitted thresholds' decisions
  };
  std::optional<Mitigation> mitigation;

  // `keel audit --json`: the paths and counts, then fairness::AuditToJson's keys, and
  // "mitigation" when thresholds were fitted.
  nlohmann::json ToJson() const;
  // The audit's tables for a terminal (fairness::AuditToText), then the mitigation.
  std::string ToText() const;
};

// Audits the model on the file. Errors: the model's and the data's (LoadForScoring, which
// requires the target), Unsupported for a model that is not a binary classifier,
// InvalidArgument for settings that do not fit the data (no sensitive attribute, bins or a
// reference naming another column, a fit attribute that is not sensitive, fitting without
// an out path), NotFound for a sensitive attribute the data lacks, and RunAudit's.
Result<AuditResult> Audit(const AuditRequest& request, const Context& ctx);

// The audit of `model` (with `predictor` compiled from it) on the labelled rows of `data`,
// read with the model's schema: what Audit computes, for data already in memory (`keel run`
// audits its test rows with it). `data_name` names the data in messages. Errors as Audit's.
Result<fairness::AuditResult> AuditTable(const Model& model, const Predictor& predictor,
                                         const Table& data, const AuditSettings& settings,
                                         const std::string& data_name, const Context& ctx);

}  // namespace keel::usecase
