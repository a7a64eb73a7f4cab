// Presenting a trade-off sweep (rank/tradeoff.h) to stakeholders: a text table, and the HTML
// report sections (a frontier plot per pair of objectives and a readable table of settings)
// that `keel tradeoff --report` and `keel run`'s report.html show. The rank stage computes the
// sweep; this file, in the use-case layer, is the only one that renders it.
#pragma once

#include <string>
#include <vector>

#include "rank/objectives.h"
#include "rank/tradeoff.h"
#include "report/html_report.h"

namespace keel::usecase {

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
TextTable TradeoffTable(const rank::TradeoffResult& result, bool efficient_only);

// The table as aligned plain text (for the terminal).
std::string RenderTextTable(const TextTable& table);

// Adds the "Trade-offs" sections to `report`: a summary naming each objective's best
// setting and the default one, frontier plots (expected totals of every pair of objectives:
// all settings, Pareto-efficient ones, the default), the table of efficient settings and the
// table of all settings.
void AddTradeoffSections(const rank::TradeoffResult& result, const rank::Objectives& objectives,
                         report::HtmlReport* report);

}  // namespace keel::usecase
