#include "usecase/tradeoff.h"

#include <fmt/format.h>

#include <cmath>

#include "core/file_io.h"
#include "core/log.h"
#include "core/number_format.h"
#include "core/readable_number.h"
#include "core/stopwatch.h"
#include "rank/request_groups.h"
#include "report/html_report.h"
#include "usecase/tradeoff_report.h"

namespace keel::usecase {
namespace {

Result<rank::RequestGroups> Requests(const rank::Objectives& objectives,
                                     const Candidates& candidates,
                                     const TradeoffSettings& settings) {
  if (settings.request_size > 0) {
    return rank::ChunkRows(candidates.table.num_rows(), settings.request_size);
  }
  const std::string& group_by =
      !settings.group_by.empty() ? settings.group_by : objectives.group_by;
  if (group_by.empty()) {
    return Status::InvalidArgument(
        "the replay needs requests: pass --group-by COLUMN (or set group_by in the "
        "objectives), or --request-size N for a log without one");
  }
  auto groups = rank::GroupRows(candidates.table, group_by);
  if (!groups.ok() && !candidates.source.empty()) {
    return groups.status().WithContext(candidates.source);
  }
  return groups;
}

std::string SettingsCsv(const rank::TradeoffResult& r) {
  std::string csv = "setting";
  for (const auto& n : r.objectives) csv += ",w_" + n;
  for (const auto& n : r.objectives) csv += ",expected_" + n + "_per_1k";
  if (r.has_logged) {
    for (const auto& n : r.objectives) csv += ",logged_" + n + "_per_1k";
  }
  csv += ",shown_per_request,pareto,default\n";
  for (size_t i = 0; i < r.settings.size(); ++i) {
    const auto& s = r.settings[i];
    csv += std::to_string(i + 1);
    auto add = [&](double v) {
      csv += ',';
      if (std::isfinite(v)) AppendDouble(&csv, v);
    };
    for (double w : s.weights) add(w);
    for (double v : s.expected) add(v);
    if (r.has_logged) {
      for (double v : s.logged) add(v);
    }
    add(s.shown_per_request);
    csv += s.efficient ? ",true" : ",false";
    csv += s.is_default ? ",true\n" : ",false\n";
  }
  return csv;
}

}  // namespace

Result<TradeoffOutcome> ReplayTradeoff(const rank::Objectives& objectives,
                                       const Candidates& candidates,
                                       const TradeoffSettings& settings, const Context& ctx) {
  KEEL_ASSIGN_OR_RETURN(ScoredRanking s,
                        ScoreCandidates(objectives, candidates, {.outcomes = true}, ctx));
  KEEL_ASSIGN_OR_RETURN(rank::RequestGroups groups, Requests(objectives, candidates, settings));
  rank::TradeoffOptions opt;
  opt.steps = settings.steps > 0 ? settings.steps : objectives.tradeoff_steps;
  opt.top = settings.top > 0 ? settings.top : (objectives.top > 0 ? objectives.top : 1);
  KEEL_ASSIGN_OR_RETURN(rank::TradeoffResult result,
                        rank::SweepTradeoff(*s.plan, s.scored, groups, opt, ctx));
  return TradeoffOutcome{std::move(result), opt.steps};
}

Result<TradeoffResult> Tradeoff(const TradeoffRequest& request, const Context& ctx) {
  Stopwatch total;
  TradeoffResult r;
  r.request = request;
  const RankingInput& input = request.input;
  KEEL_ASSIGN_OR_RETURN(LoadedRanking in, LoadRanking(input, ctx));
  const IngestReport& read = in.scoring.data.report;
  if (read.rows_rejected > 0) {
    log::Warn(
        "{}: {} logged candidates were rejected by the reader and are left out of the "
        "replay",
        input.scoring.data_path, read.rows_rejected);
  }
  const Candidates candidates{in.scoring.model, *in.scoring.predictor, in.scoring.data.table,
                              input.scoring.data_path, input.scoring.allow_missing_columns};
  KEEL_ASSIGN_OR_RETURN(r.outcome,
                        ReplayTradeoff(in.objectives, candidates, request.settings, ctx));

  if (!request.report_path.empty()) {
    report::HtmlReport html(
        "Trade-offs between stakeholder objectives",
        fmt::format("model {} · objectives {} · log {}", input.scoring.model_path,
                    input.objectives_path, input.scoring.data_path));
    AddTradeoffSections(r.outcome.result, in.objectives, &html);
    KEEL_RETURN_IF_ERROR(html.WriteTo(request.report_path));
  }
  if (!request.out_path.empty()) {
    KEEL_RETURN_IF_ERROR(WriteFileAtomic(request.out_path, SettingsCsv(r.outcome.result)));
  }
  r.seconds = total.Seconds();
  return r;
}

nlohmann::json TradeoffResult::ToJson() const {
  const RankingInput& in = request.input;
  nlohmann::json j = rank::TradeoffToJson(outcome.result);
  j["ok"] = true;
  j["model"] = in.scoring.model_path;
  j["objectives"] = in.objectives_path;
  j["data"] = in.scoring.data_path;
  j["steps"] = outcome.steps;
  j["report"] =
      request.report_path.empty() ? nlohmann::json() : nlohmann::json(request.report_path);
  j["seconds"] = seconds;
  return j;
}

std::string TradeoffResult::ToText() const {
  const rank::TradeoffResult& r = outcome.result;
  size_t efficient = 0;
  for (const auto& s : r.settings) efficient += s.efficient ? 1 : 0;
  std::string out = fmt::format(
      "{} requests, {} candidates ({} eligible), top {}, {} settings, {} Pareto-efficient. "
      "Totals per 1,000 requests.\n\n",
      r.requests, r.candidates, r.eligible, r.top, r.settings.size(), efficient);
  out += RenderTextTable(TradeoffTable(r, /*efficient_only=*/!request.all));
  out += '\n';
  for (size_t j = 0; j < r.objectives.size(); ++j) {
    const auto& s = r.settings[r.best[j]];
    out += fmt::format("best for {}: setting {} ({}): {} per 1k requests\n", r.objectives[j],
                       r.best[j] + 1, DescribeWeights(r.objectives, s.weights),
                       ReadableNumber(s.expected[j]));
  }
  const auto& d = r.settings[r.default_index];
  out += fmt::format("default (configured weights): setting {} ({}){}\n", r.default_index + 1,
                     DescribeWeights(r.objectives, d.weights),
                     d.efficient ? ", Pareto-efficient" : ", NOT Pareto-efficient");
  if (!request.report_path.empty()) out += fmt::format("report: {}\n", request.report_path);
  return out;
}

}  // namespace keel::usecase
