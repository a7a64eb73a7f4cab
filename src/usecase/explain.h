// `keel explain`: per-row attributions (exact TreeSHAP for forests, linear attributions) of a
// model on a data file, in raw margin units, each row summing to its margin; reason codes on
// request; global importance, and optionally partial dependence and single-row latency, in
// the summary. Records the reader rejected keep their place as lines of empty cells.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/context.h"
#include "explain/explain_latency.h"
#include "explain/explainer.h"
#include "explain/global_importance.h"
#include "explain/shap_summary.h"
#include "explain/tree_shap.h"
#include "keel/status.h"
#include "usecase/scoring.h"

namespace keel::usecase {

struct ExplainRequest {
  ScoringInput input;
  std::string out_path;            // SHAP CSV; "-" = return the text in ExplainResult::csv
  int top = 0;                     // > 0: reason codes, this many features each way
  std::string reason_class;        // multiclass: the class reason codes explain ("" = predicted)
  std::string algorithm = "auto";  // TreeSHAP form: auto, table or polynomial
  // Memory cap of TreeSHAP's subset tables, in MiB (the explainer's default).
  size_t max_table_mb = ExplainerOptions{}.max_table_bytes >> 20;
  std::string partial_dependence;  // a feature to compute partial dependence on ("" = none)
  int grid_points = 20;            // its numeric grid
  size_t latency_calls = 0;        // > 0: time this many single-row explanations
};

struct ExplainResult {
  ExplainRequest request;
  std::string task;
  bool tree_shap = false;  // else linear attributions
  std::vector<std::string> columns;
  std::vector<double> expected_value;  // per output
  std::string id_column;
  uint64_t rows_read = 0, rows_explained = 0, rows_rejected = 0;
  int threads = 1;
  nlohmann::json importance;  // ImportanceToJson
  std::vector<FeatureImportance> top_features;
  nlohmann::json unseen_categories = nlohmann::json::object();
  std::vector<std::string> absent_columns;
  TreeShapStats tree_shap_stats;
  nlohmann::json partial_dependence;  // null unless asked
  LatencyStats latency;
  double rows_per_second = 0;
  struct Seconds {
    double load = 0, build = 0, read = 0, encode = 0, explain = 0, reasons = 0, write = 0,
           total = 0;
  } seconds;
  std::string csv;  // the explanation, when out_path is "-"

  nlohmann::json ToJson() const;
  std::string ToText() const;  // the summary and the most important features
};

// Errors: the model's and the data's (see LoadForScoring); InvalidArgument for a --class the
// model lacks or a partial-dependence feature it lacks (naming the nearest); the explainer's.
Result<ExplainResult> Explain(const ExplainRequest& request, const Context& ctx);

// The explainer of `keel explain` and of `keel run`'s explanation step: exact TreeSHAP for
// forests, in the form request.algorithm names (auto, table or polynomial) with its subset tables
// capped at request.max_table_mb; linear attributions for linear models. `stats` (may be null)
// receives TreeSHAP's. Errors: InvalidArgument for another algorithm name; the explainer's.
Result<std::unique_ptr<Explainer>> BuildExplainer(const Model& model, const ExplainRequest& request,
                                                  TreeShapStats* stats);

// `keel run`'s explanation step: the attributions `keel explain` computes (the same explainer
// and encoding, ExplainTable), on `rows` evenly spaced rows of `table` so the summary does not
// depend on the file's order, summarised for the report with the `top` features. Binary models
// explain the positive class's margin; multiclass the first class's.
Result<ShapSummary> ExplainSample(const Model& model, const Table& table, size_t rows, int top,
                                  const Context& ctx);

}  // namespace keel::usecase
