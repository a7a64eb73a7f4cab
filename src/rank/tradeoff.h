// Trade-off analysis: what every choice of objective weights costs each stakeholder.
//
// SweepTradeoff() replays logged requests: for each weight setting of a grid it ranks every
// request (GroupRanker, with the constraints) and sums, over the candidates it would show,
// each objective's expected value (the objective expression, e.g. p * bid) and, when the
// objective has an `outcome`, its logged value (e.g. clicked * bid). Totals are per 1,000
// requests. A setting is Pareto-efficient when no other setting is at least as good on every
// objective's expected total and better on one.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/context.h"
#include "keel/status.h"
#include "rank/ranking_plan.h"
#include "rank/request_groups.h"

namespace keel::rank {

// Every weight vector of `objectives` non-negative weights that sum to 1 in steps of
// 1/steps (the simplex lattice), in lexicographic order of the first weight descending:
// C(steps + objectives - 1, objectives - 1) settings. objectives >= 1, steps >= 1.
std::vector<std::vector<double>> SimplexGrid(size_t objectives, size_t steps);

// For points to be maximised on every coordinate: efficient[i] is true when no point j has
// points[j][k] >= points[i][k] for all k with at least one >. Equal points do not dominate
// each other. O(n^2 d).
std::vector<bool> ParetoEfficient(const std::vector<std::vector<double>>& points);

struct TradeoffOptions {
  size_t steps = 10;  // grid resolution (SimplexGrid)
  size_t top = 1;     // slots per request (0 = every eligible candidate)
  size_t max_settings = 20000;
};

struct TradeoffSetting {
  std::vector<double> weights;  // one per objective, summing to 1
  // Per objective, per 1,000 requests: the objective's expected total over shown candidates,
  // and its logged total (NaN when the objective has no outcome).
  std::vector<double> expected;
  std::vector<double> logged;
  double shown_per_request = 0;  // average candidates shown
  bool efficient = false;
  bool is_default = false;  // the configured weights
};

struct TradeoffResult {
  std::vector<std::string> objectives;
  size_t requests = 0;
  size_t candidates = 0;
  size_t eligible = 0;  // candidates passing every condition constraint
  size_t top = 0;
  std::vector<TradeoffSetting> settings;
  // best[j] = index of the setting with the largest expected total of objective j (ties go to
  // a Pareto-efficient setting, then to the earliest).
  std::vector<size_t> best;
  size_t default_index = 0;
  bool has_logged = false;  // some objective has an outcome
};

// Runs the sweep, one setting per task on ctx.threads() threads. The grid is
// SimplexGrid(objectives, steps) plus the configured weights (normalised to sum 1) when they
// are not on it. Errors: InvalidArgument when the grid would exceed max_settings or `groups`
// refers to rows outside `scored`.
Result<TradeoffResult> SweepTradeoff(const RankingPlan& plan, const ScoredCandidates& scored,
                                     const RequestGroups& groups, const TradeoffOptions& options,
                                     const Context& ctx);

// The sweep as JSON (keel tradeoff --json, keel run's summary.json): objective_names,
// requests, candidates, eligible, top, settings (1-based "setting", "weights",
// "expected_per_1000", "logged_per_1000" when logged, "shown_per_request", "pareto",
// "default"), pareto_count, best (objective -> setting), default (setting). Non-finite
// numbers are null.
nlohmann::json TradeoffToJson(const TradeoffResult& result);

}  // namespace keel::rank
