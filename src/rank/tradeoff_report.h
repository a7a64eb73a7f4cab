// Presenting a trade-off sweep to stakeholders: a text table, and the HTML report section
// (a frontier plot per pair of objectives and a readable table of settings).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rank/objectives.h"
#include "rank/tradeoff.h"
#include "report/html_report.h"

namespace keel::rank {

// Short text of a weight vector: "clicks 0.5, revenue 0.3, profit 0.2".
std::string DescribeWeights(const std::vector<std::string>& names,
                            const std::vector<double>& weights);

// The table a stakeholder reads: one row per setting (all settings, or only the efficient
// ones and the best/default ones when `efficient_only`), with columns "setting", one weight
// per objective, one expected total per objective (per 1,000 requests), logged totals when
// present, "pareto" (yes/no) and "note" (best for X, default). Numbers are rounded to 4
// significant digits for reading (the JSON output keeps full precision).
struct TextTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> numeric;
};
TextTable TradeoffTable(const TradeoffResult& result, bool efficient_only);

// The sweep as JSON (keel tradeoff --json, keel run's summary.json): objective_names,
// requests, candidates, eligible, top, settings (1-based "setting", "weights",
// "expected_per_1000", "logged_per_1000" when logged, "shown_per_request", "pareto",
// "default"), pareto_count, best (objective -> setting), default (setting). Non-finite
// numbers are null.
nlohmann::json TradeoffToJson(const TradeoffResult& result);

// The table as aligned plain text (for the terminal).
std::string RenderTextTable(const TextTable& table);

// Adds the "Trade-offs" sections to `report`: a summary naming each objective's best
// setting and the default one, frontier plots (expected totals of every pair of objectives:
// all settings, Pareto-efficient ones, the default), the table of efficient settings and the
// table of all settings.
void AddTradeoffSections(const TradeoffResult& result, const Objectives& objectives,
                         report::HtmlReport* report);

}  // namespace keel::rank
