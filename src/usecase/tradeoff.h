// `keel tradeoff`: replay logged requests under a grid of objective weights and show what each
// choice costs every stakeholder (rank/tradeoff.h): each objective's expected (and logged)
// total per 1,000 requests per setting, the Pareto-efficient settings, the best setting for
// each objective and the default one; an HTML report and a CSV of the settings on request.
// `keel run` replays its test rows with ReplayTradeoff, the same function this use case
// calls after loading the files.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/context.h"
#include "keel/status.h"
#include "rank/tradeoff.h"
#include "usecase/ranking_inputs.h"

namespace keel::usecase {

// How a replay groups and ranks the logged candidates; each 0 or "" means "the objectives'
// setting".
struct TradeoffSettings {
  std::string group_by;     // column naming each row's request; "" = the objectives' group_by
  size_t request_size = 0;  // > 0: consecutive blocks of this many rows form one request
                            // (logs without a request column); wins over group_by
  size_t top = 0;           // candidates shown per request; 0 = the objectives' top, else 1
  size_t steps = 0;         // weights move in steps of 1/steps; 0 = the objectives' tradeoff.steps
};

struct TradeoffRequest {
  RankingInput input;  // objectives, model and the logged candidates
  TradeoffSettings settings;
  std::string report_path;  // HTML report ("" = none)
  // Every setting as CSV ("" = none): setting, w_<objective>..., expected_<objective>_per_1k...,
  // logged_<objective>_per_1k... (when logged), shown_per_request, pareto, default.
  std::string out_path;
  bool all = false;  // ToText lists every setting, not only the efficient, best, default
};

// A replay's sweep and the grid resolution it used.
struct TradeoffOutcome {
  rank::TradeoffResult result;
  size_t steps = 0;
};

struct TradeoffResult {
  TradeoffRequest request;
  TradeoffOutcome outcome;
  double seconds = 0;

  // rank::TradeoffToJson plus the request's files, steps and seconds.
  nlohmann::json ToJson() const;
  // The table of settings (efficient, best and default ones, or all), each objective's best
  // setting and the default, rounded for reading.
  std::string ToText() const;
};

// Scores the logged candidates (with the objectives' outcomes), splits them into requests
// and sweeps the weight grid. Errors: those of ScoreCandidates; InvalidArgument when there
// is no way to form requests (no request_size, group_by or objectives' group_by); GroupRows'
// (prefixed with the candidates' source); SweepTradeoff's.
Result<TradeoffOutcome> ReplayTradeoff(const rank::Objectives& objectives,
                                       const Candidates& candidates,
                                       const TradeoffSettings& settings, const Context& ctx);

// Loads the files (LoadRanking), replays them (ReplayTradeoff) and writes the report and the
// CSV when asked.
Result<TradeoffResult> Tradeoff(const TradeoffRequest& request, const Context& ctx);

}  // namespace keel::usecase
