// keel.yaml: the project file of `keel run`. One file says where the data is, what each column
// is for, how to split it, which baseline and candidate to train, what the gate demands and
// which checks (fairness, explanations, drift) go into the report.
//
//   name: telco_churn                  # shown in the report title
//   data:
//     path: wa_churn.csv               # relative paths are relative to keel.yaml
//     schema: schema.yaml              # optional: read with this schema instead of inferring
//     missing: ["", NA, "?"]           # optional: missing-value tokens (default: the reader's)
//     drop_duplicates: false           # drop exact repeated records (always counted)
//   target: {column: churn, positive: "Yes"}     # or just `target: churn`
//   columns:                           # roles: id, pii, sensitive, time, weight, ignore, feature
//     customer_id: id
//     gender: sensitive
//   exclude: [total_charges]           # columns never used as features
//   split: {method: stratified, test_size: 0.25, valid_size: 0.1, seed: 42}
//   baseline: {algo: linear}           # any `keel train` parameter (docs/params.md)
//   candidate: {algo: gbdt, num_trees: 300, learning_rate: 0.05}   # tuned first by default:
//                                      # tune: auto | off | 40trials | 60s (docs/tuning.md)
//   compare: {metric: auc, min_gain: 0.005, alpha: 0.05, latency_budget_us: 1000,
//             resamples: 1000, seed: 7}
//   fairness:                          # optional; binary tasks
//     sensitive: [gender, senior_citizen]     # default: the columns with role sensitive
//     min_group_size: 30
//     threshold: 0.5
//     limits: {demographic_parity_difference: 0.1}  # the release gate (fairness_gate.h)
//   explain: {rows: 1000, top: 15}     # SHAP on up to `rows` test rows
//   drift: {data: new_month.csv}       # optional: data to compare with the training rows
//   output: {dir: keel-out}            # model.keel, baseline.keel, candidate.keel, report.html,
//                                      # summary.json, rejects.csv
//   objectives:                        # optional: stakeholder objectives (rank/objectives.h,
//     clicks: {expr: p, outcome: clicked}    # the same section as a standalone
//     revenue: {expr: p * bid, outcome: clicked * bid}   # objectives.yaml); after the gate,
//     group_by: request_id             # required here: the column naming each request
//     top: 3                           # slots per request in the replay (default 1)
//   The shipped model replays the test rows' requests under a grid of weights (keel
//   tradeoff), into the report's "Trade-off" section and summary.json's `tradeoff`.
//
// Reading is strict: an unknown key anywhere is an error naming the key and its line.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/schema.h"
#include "eval/bootstrap.h"
#include "eval/metrics.h"
#include "keel/status.h"
#include "rank/objectives.h"
#include "train/params.h"
#include "usecase/audit.h"

namespace keel::usecase {

struct ModelChoice {
  std::string label;  // "baseline" or "candidate"
  TrainParams params;
};

struct CompareSettings {
  std::optional<Metric> metric;  // unset: the task's default (auc, logloss, rmse)
  double min_gain = 0.005;
  double alpha = 0.05;
  double latency_budget_us = 1000;
  size_t resamples = kDefaultResamples;  // eval/bootstrap.h
  uint64_t seed = 7;
};

struct FairnessSettings {
  bool enabled = true;
  // sensitive (empty: every column whose role is sensitive), min_group_size and threshold, with
  // `keel audit`'s defaults; the rest of the audit's settings keep theirs.
  AuditSettings audit;
  nlohmann::json limits = nlohmann::json::object();  // FairnessLimitsFromJson's input
};

struct ExplainSettings {
  bool enabled = true;
  size_t rows = 1000;
  int top = 15;
};

struct DriftSettings {
  std::string data;  // absolute path, or empty: compare the test rows with the training rows
};

struct Project {
  std::string source;    // the keel.yaml path as given
  std::string base_dir;  // its folder; relative paths below are already resolved against it
  std::string name;

  std::string data_path;
  std::string schema_path;
  std::optional<std::vector<std::string>> missing_tokens;
  bool drop_duplicates = false;
  // data.decimal: the CSV decimal mark of data.path and drift.data, ',' or '.'; 0 = sniffed.
  char decimal = 0;

  std::string target;
  std::string positive;
  std::map<std::string, Role> roles;
  std::vector<std::string> exclude;

  ModelChoice baseline;
  ModelChoice candidate;
  CompareSettings compare;
  FairnessSettings fairness;
  ExplainSettings explain;
  DriftSettings drift;
  // The `objectives:` section, parsed (expressions syntax-checked); unset when absent. Its
  // names are checked against the data by CheckProjectObjectives.
  std::optional<rank::Objectives> objectives;

  std::string output_dir;
};

// Parses keel.yaml text. `source_name` names it in messages; `base_dir` is the folder relative
// paths are resolved against. Errors: ParseError "<source>:<line>: ..." for YAML syntax,
// unknown keys (naming the key and the allowed ones), wrong types and out-of-range values;
// InvalidArgument for parameters `keel train` rejects (naming the parameter and its line).
Result<Project> ParseProject(std::string_view text, std::string_view source_name,
                             const std::string& base_dir);

// Reads and parses the file at `path` (relative paths resolve against its folder). When the
// project names a schema file (data.schema) and has objectives, they are checked against
// it here (CheckProjectObjectives), so a typo fails before any data is read.
Result<Project> LoadProject(const std::string& path);

// Checks the objectives' names against the data's columns: every name an expression reads
// is a model output (p, prob_<class>, prediction) or a column of `schema`; numbers are read
// from numeric, boolean or timestamp columns and text literals compared with categorical or
// text ones; objective values (not outcomes) do not read the target, which a live request
// lacks; group_by and every max_per field are columns. OK when the project has no
// objectives. Errors: NotFound / InvalidArgument "<keel.yaml>:<line>: ..." naming the
// objective or constraint, the name and the columns.
Status CheckProjectObjectives(const Project& project, const Schema& schema);

// The project as JSON (for the summary and the report's lineage).
nlohmann::json ProjectToJson(const Project& project);

}  // namespace keel::usecase
