// The gate on live data: `keel challenger report` and GET /v1/models/{name}/challenger.
// Reads the prediction log's rows of one model that have a label fed back (feedback.h),
// scores both variants on them, and asks the question the offline gate asks (eval/compare.h):
// is the challenger significantly better than the champion?
//
//   paired (shadow traffic: both variants scored the same requests): the rows whose record id
//     both variants predicted, tested with eval's TestGain, the very function `keel compare`
//     calls (DeLong's paired test for AUC; the paired bootstrap for other metrics), so the
//     p-value equals `keel compare CHAMPION CHALLENGER` on those rows;
//   unpaired (canary traffic: each request went to one variant): binary models only, AUC
//     compared with DeLong's variance of each variant's AUC on its own rows (independent
//     samples: se = sqrt(var_a + var_b)).
//
// Each variant's metrics come with bootstrap intervals (eval/evaluation.h). The verdict:
//   promote            the gain is significant (p < alpha) and at least min_gain;
//   keep               the challenger is not better (gain <= 0), or significantly worse;
//   not_enough_labels  fewer than min_labels labeled rows, or a positive gain not (yet)
//                      significant: `more_labels_needed` estimates how many more rows would
//                      make the observed gain significant (the standard error shrinking as
//                      1/sqrt(n)).
// A prediction logged several times for one id counts once per variant (the first); labels
// that match no class of the model are counted and left out.
// Beside the gate, each variant's traffic (challenger_traffic.h): the CBPE estimate over its
// predictions without a label yet, the drift of its inputs against its model's training
// profile, and the fairness audit and gate of its labeled rows. A log with predictions of the
// model but no label yet gives not_enough_labels and those sections.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/context.h"
#include "eval/compare.h"
#include "fairness/fairness_gate.h"
#include "keel/status.h"
#include "model/model.h"
#include "registry/sql_database.h"
#include "serve/challenger_traffic.h"

namespace keel::serve {

struct ChallengerReportOptions {
  std::string model;          // the served model name
  double alpha = 0.05;        // significance level of the test
  double min_gain = 0;        // smallest gain worth a promotion, in the metric's units
  uint64_t min_labels = 100;  // labeled rows (pairs, or per variant) before any verdict
  int resamples = 1000;       // bootstrap resamples of the metrics' intervals
  int time_buckets = 10;      // spans of the labeled traffic's timeline
  // The variants' models, for input drift and the fairness audit (challenger_traffic.h);
  // null = those sections say why they are missing. Borrowed for the call.
  const Model* champion_model = nullptr;
  const Model* challenger_model = nullptr;
  fairness::FairnessLimits fairness_limits;  // the per-variant fairness gate's limits
};

struct VariantReport {
  std::string variant;                // "champion" or "challenger"
  std::vector<std::string> versions;  // model versions that scored the rows used
  uint64_t labeled = 0;               // labeled rows of this variant
  uint64_t used = 0;                  // rows in the test
  Evaluation evaluation;              // on the rows used
  VariantTraffic traffic;             // CBPE, input drift and fairness (challenger_traffic.h)
};

// Labeled traffic over time: one equal span of time between the first and the last labeled
// prediction, with each variant's rows in it and their metric (TimelineMetricName).
struct TimeBucket {
  int64_t start_us = 0, end_us = 0;  // Unix microseconds
  uint64_t champion_rows = 0, challenger_rows = 0;
  double champion = 0, challenger = 0;  // NaN without rows (or one class, for the AUC)
};

// "roc_auc" (binary), "accuracy" (multiclass) or "rmse" (regression).
std::string_view TimelineMetricName(Task task);

struct ChallengerReport {
  std::string model;
  Task task = Task::kBinary;
  std::string mode;               // "paired" or "unpaired"
  uint64_t labels = 0;            // labels stored for the model
  uint64_t labels_unmatched = 0;  // labeled predictions whose label is no class of the model
  VariantReport champion, challenger;
  bool tested = false;  // a test ran (enough rows of both classes, a supported case)
  GainTest test;        // champion = baseline, challenger = candidate
  std::string verdict;  // "promote", "keep", "not_enough_labels"
  uint64_t more_labels_needed = 0;
  std::string reason;                // one sentence with the numbers
  std::vector<TimeBucket> timeline;  // options.time_buckets spans (1 when all share a time)
  ChallengerReportOptions options;

  nlohmann::json ToJson() const;
  std::string ToText() const;
};

// Errors: NotFound (no prediction log, or no prediction of the model), IoError,
// InvalidArgument (options), those of Evaluate and TestGain.
Result<ChallengerReport> BuildChallengerReport(registry::SqlDatabase& db,
                                               const ChallengerReportOptions& options,
                                               const Context& ctx);

}  // namespace keel::serve
