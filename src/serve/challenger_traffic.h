// What the challenger report (challenger_report.h) says of each variant's logged traffic
// besides the labeled metrics:
//   - while labels are missing, the label-free performance estimate (CBPE,
//     drift/performance_estimation.h) over the variant's logged predictions that have no label
//     yet: ROC AUC, accuracy, precision, recall, F1 of a binary model at threshold 0.5, the
//     expected accuracy of a multiclass one (none for regression);
//   - input drift: the variant's logged inputs and predictions against its model's training
//     profile, with the tests `keel drift --reference MODEL.keel` uses
//     (drift::CompareTableToProfile); needs the variant's model (with a training profile);
//   - fairness, for a binary model whose schema has sensitive columns that the logged inputs
//     carry: the audit `keel audit` runs (fairness::RunAudit, decisions at 0.5) on the
//     variant's labeled rows, and the release gate `keel run` applies (fairness::
//     CheckFairnessGate) against the limits given (none = it passes, as in keel.yaml).
// Rows are the variant's logged predictions of the model, one per record id (the first), as
// in the gate. The inputs are read back as JSON Lines with the model's schema.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/context.h"
#include "drift/drift_detector.h"
#include "drift/performance_estimation.h"
#include "fairness/fairness_gate.h"
#include "keel/status.h"
#include "model/model.h"
#include "registry/sql_database.h"

namespace keel::serve {

struct VariantTrafficOptions {
  std::string model;                // the served model name
  std::string variant;              // "champion" or "challenger"
  const Model* artifact = nullptr;  // the variant's model (null: no drift, no audit)
  fairness::FairnessLimits fairness_limits;
  int resamples = 1000;  // bootstrap resamples of the audit's intervals
};

struct VariantTraffic {
  Task task = Task::kBinary;  // as the logged outputs say
  uint64_t rows = 0;          // logged predictions (one per record id)
  uint64_t unlabeled = 0;     // of which no label was fed back yet
  // CBPE over the unlabeled rows (binary).
  std::optional<drift::BinaryPerformance> estimated;
  std::optional<double> estimated_accuracy;  // multiclass
  // Input (and prediction) drift against the model's training profile.
  std::optional<drift::DriftReport> drift;
  std::string drift_note;  // why there is none
  // The fairness audit of the labeled rows and its gate.
  std::optional<fairness::AuditResult> audit;
  std::optional<fairness::GateResult> gate;
  std::string fairness_note;  // why there is none

  nlohmann::json ToJson() const;
};

// Errors: IoError from the log; a problem with one section (no profile, unreadable inputs, no
// sensitive column) is a note in the result, never an error.
Result<VariantTraffic> BuildVariantTraffic(registry::SqlDatabase& db,
                                           const VariantTrafficOptions& options,
                                           const Context& ctx);

}  // namespace keel::serve
