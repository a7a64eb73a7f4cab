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
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/context.h"
#include "eval/compare.h"
#include "keel/status.h"
#include "registry/sql_database.h"

namespace keel::serve {

struct ChallengerReportOptions {
  std::string model;          // the served model name
  double alpha = 0.05;        // significance level of the test
  double min_gain = 0;        // smallest gain worth a promotion, in the metric's units
  uint64_t min_labels = 100;  // labeled rows (pairs, or per variant) before any verdict
  int resamples = 1000;       // bootstrap resamples of the metrics' intervals
};

struct VariantReport {
  std::string variant;                // "champion" or "challenger"
  std::vector<std::string> versions;  // model versions that scored the rows used
  uint64_t labeled = 0;               // labeled rows of this variant
  uint64_t used = 0;                  // rows in the test
  Evaluation evaluation;              // on the rows used
};

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
  std::string reason;  // one sentence with the numbers
  ChallengerReportOptions options;

  nlohmann::json ToJson() const;
  std::string ToText() const;
};

// Errors: NotFound (no prediction log, or no labeled prediction of the model), IoError,
// InvalidArgument (options), those of Evaluate and TestGain.
Result<ChallengerReport> BuildChallengerReport(registry::SqlDatabase& db,
                                               const ChallengerReportOptions& options,
                                               const Context& ctx);

}  // namespace keel::serve
