// `keel run`: the whole pipeline of a project file.
//
//   read + validate (rejects quarantined to rejects.csv) -> roles -> split -> train the
//   baseline and the candidate on the same rows -> evaluate both on the same test rows ->
//   the gate (compare.h) picks the model that ships -> explanations, fairness audit and
//   drift check of the shipped model -> with objectives: the trade-off replay of the test
//   rows' requests by the shipped model -> model.keel, report.html, summary.json
//
// Every artifact goes to project.output_dir (created if absent). The run is deterministic
// for a given project file and data (seeds in the file), except for the measured latencies.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/ingest.h"
#include "drift/drift_detector.h"
#include "eval/compare.h"
#include "explain/shap_summary.h"
#include "fairness/audit.h"
#include "fairness/fairness_gate.h"
#include "keel/status.h"
#include "model/model.h"
#include "train/trainer.h"
#include "usecase/project.h"
#include "usecase/tradeoff.h"

namespace keel::usecase {

struct TrainedModel {
  Model model;
  TrainReport report;
  std::string path;  // where it was saved
};

struct FairnessOutcome {
  fairness::AuditResult audit;                       // of the shipped model on the test rows
  fairness::GateResult gate;                         // against the project's limits
  std::optional<fairness::AuditResult> other_audit;  // the model that did not ship
};

struct DriftOutcome {
  std::string reference;  // what was compared: "training rows" or a file
  std::string current;
  drift::DriftReport report;
};

// Everything a run produced; the report and the summary are drawn from it.
struct PipelineRun {
  Project project;
  IngestResult data;  // the table as read, its schema with the project's roles, the report
  TrainedModel baseline;
  TrainedModel candidate;
  SplitRows split;  // shared by both models
  Comparison comparison;
  bool shipped_candidate = false;
  std::string model_path;  // the shipped model (a copy with the decision and profile)
  std::string report_path;
  std::string summary_path;
  std::string rejects_path;
  std::optional<ShapSummary> explanation;     // of the shipped model; unset when disabled
  std::optional<FairnessOutcome> fairness;    // unset when disabled, not binary or no columns
  std::vector<std::string> fairness_skipped;  // why fairness was not audited, when it was not
  std::optional<DriftOutcome> drift;
  std::optional<TradeoffOutcome> tradeoff;  // unset when keel.yaml has no objectives
  std::vector<std::string> warnings;        // for the summary and the report
  double seconds = 0;
};

// Runs the project. Errors: those of reading the data (ReadTable), the roles (NotFound for a
// column keel.yaml names that the data lacks, listing the columns), the objectives (checked
// against the data before training: CheckProjectObjectives), training, comparing, the
// trade-off replay and writing the outputs, each with context saying which step failed;
// Cancelled when ctx is cancelled. Every step runs on ctx's threads.
Result<std::unique_ptr<PipelineRun>> RunPipeline(const Project& project, const Context& ctx);

// The machine-readable summary (`keel run --json`, summary.json): project, data counts,
// both models' metrics, the comparison and verdict, the shipped model, fairness gate, drift
// verdict, the trade-off sweep (`tradeoff`: rank::TradeoffToJson plus the readable table of
// efficient settings as `table`, usecase/tradeoff_report.h), output paths.
nlohmann::json SummaryJson(const PipelineRun& run);

// A few lines for a terminal: what shipped and why, the gate results, where the files are.
std::string SummaryText(const PipelineRun& run);

}  // namespace keel::usecase
