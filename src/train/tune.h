// Hyperparameter search for the GBDT: `keel train --tune BUDGET` and `keel run`'s candidate.
//
// Successive halving (Jamieson & Talwalkar 2016) over a seeded random sample of configurations:
// every configuration is scored with a small tree budget (rung 0), the best 1/eta of them go on
// to a budget eta times larger, and so on until one is left, which gets the full budget. The
// first configuration is always the caller's parameters unchanged (the "default arm"), so the
// search can only lose to them by noise in the score. Tree budgets are in units of shrinkage
// (learning_rate x trees), so a slow learning rate gets proportionally more trees and is not
// cut at rung 0 merely for being slow.
//
// Scoring is a callback (TrialScorer): the trainer scores on the validation split with early
// stopping (train/trainer.h TuneOnValidation); cross-validation can score the same way.
// With a trial budget the search is deterministic for a seed. A time budget is not: the
// number of trials that fit in it depends on the machine (the result says whether it ended the
// search).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.h"
#include "train/params.h"

namespace keel {

// What the search may spend. Either or both limits; none set = tuning off.
struct TuneBudget {
  int trials = 0;      // fits (one configuration at one rung each); 0 = no limit
  double seconds = 0;  // wall time; no trial starts after it (a running one finishes)
  bool enabled() const { return trials > 0 || seconds > 0; }
};

// The budget of parameter `tune`: "off"; "Ntrials" (e.g. "24trials"); "Ns" or "Nm" seconds or
// minutes of wall time (e.g. "60s", "2m"); both joined by '/' ("40trials/60s": whichever runs
// out first); "auto" = kAutoTuneBudget. Errors: InvalidArgument naming the text and the forms.
Result<TuneBudget> ParseTuneBudget(std::string_view text);
// What "auto" means (`keel run`'s candidate default): deterministic trials, capped in time.
inline constexpr std::string_view kAutoTuneBudget = "40trials/60s";

// One scored fit. Lower loss is better.
struct TrialScore {
  double loss = 0;
  int trees = 0;       // trees per output the fit kept (early stopping), for the report
  std::string metric;  // the loss's name, e.g. "logloss"
};
// Scores `params` (the caller's with the sampled values and num_trees = the rung's budget).
using TrialScorer = std::function<Result<TrialScore>(const TrainParams& params)>;

struct TuneTrial {
  int config = 0;  // 0 = the caller's parameters (the default arm)
  int rung = 0;
  TrainParams params;  // as scored (num_trees = the rung's tree budget)
  TrialScore score;
  double seconds = 0;
};

struct TuneResult {
  TrainParams best;  // the winner with num_trees = its full (top-rung) budget
  int best_config = 0;
  std::vector<TuneTrial> trials;  // in the order they ran
  int configs = 0;                // configurations sampled
  int rungs = 0;                  // rungs of one bracket
  double seconds = 0;
  bool stopped_by_time = false;  // the time budget ended the search early
  std::string budget;            // the budget's text
};

struct TuneOptions {
  int eta = 3;  // keep the best 1/eta of each rung
  // Shrinkage (learning_rate x trees) of the top rung: 50 = 500 trees at learning rate 0.1.
  double top_shrinkage = 50;
  int min_trees = 10;    // fewest trees of a rung
  int max_trees = 2000;  // most trees of a rung
  // Seconds since the search started; tests replace it. Empty = a wall clock.
  std::function<double()> elapsed;
};

// The sampled ranges, for the docs and the report: learning_rate log-uniform in [0.02, 0.3],
// num_leaves log-uniform in [4, 128], min_data_in_leaf log-uniform in [2, 100], lambda_l2
// log-uniform in [0.001, 100], min_sum_hessian log-uniform in [0.01, 10], colsample uniform in
// [0.5, 1]. Other parameters stay the caller's.
std::string TuneSpaceText();

// Runs the search from `base` (its seed seeds the sample) under `budget`. A trial budget sizes
// one bracket (the most configurations whose halving fits in it); a time budget alone runs
// brackets of 27 configurations, each with a fresh sample, until the time is up. The winner is
// the best loss of the highest rung reached (ties: the earlier configuration). Errors: the
// scorer's (the search stops at the first); InvalidArgument for a budget that is not enabled.
Result<TuneResult> SuccessiveHalving(const TrainParams& base, const TuneBudget& budget,
                                     const TrialScorer& score, const TuneOptions& options = {});

// {"budget", "seconds", "configs", "rungs", "stopped_by_time", "metric", "chosen": {the
// sampled parameters and num_trees}, "trials": [{"config", "rung", "num_trees", "loss",
// "trees", "seconds", the sampled parameters}]}.
nlohmann::json TuneResultToJson(const TuneResult& result);

// One line for people from TuneResultToJson's object (or {"budget", "skipped": why}: "BUDGET:
// skipped, why"): the budget,
// trials, configurations, time, the best loss and the chosen parameters.
std::string TuneSummaryText(const nlohmann::json& tuning);

// The parameters the search samples, by name (docs/params.md).
std::vector<std::string_view> TunedParamNames();

}  // namespace keel
