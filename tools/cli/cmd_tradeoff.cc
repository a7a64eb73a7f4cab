// keel tradeoff: replay logged requests under a grid of objective weights and show what each
// choice costs every stakeholder (totals per 1,000 requests, Pareto frontier, HTML report).
#include <cmath>
#include <cstdio>

#include "command.h"
#include "core/file_io.h"
#include "core/log.h"
#include "core/number_format.h"
#include "core/readable_number.h"
#include "core/stopwatch.h"
#include "data/ingest.h"
#include "model/model_io.h"
#include "predict/predictor.h"
#include "rank/objectives.h"
#include "rank/ranking_plan.h"
#include "rank/request_groups.h"
#include "rank/tradeoff.h"
#include "ranking_inputs.h"
#include "reader_flags.h"
#include "report/html_report.h"
#include "usecase/tradeoff_report.h"

namespace keel::cli {
namespace {

struct TradeoffFlags {
  CommonFlags common;
  std::string model;
  std::string objectives;
  std::string data;
  std::string group_by;
  size_t request_size = 0;
  size_t top = 0;
  size_t steps = 0;
  std::string report;
  std::string out;
  bool all = false;
  int threads = 0;
  char decimal = 0;  // --decimal
  bool allow_missing_columns = false;
};

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

int Run(const TradeoffFlags& f) {
  ApplyCommonFlags(f.common);
  Stopwatch total;
  ReadOptions ro;
  ro.decimal = f.decimal;
  ro.allow_missing_columns = f.allow_missing_columns;
  const Context ctx = CommandContext(f.common, f.threads);
  auto inputs = LoadRankingInputs(f.objectives, f.model, f.data, ro, ctx);
  if (!inputs.ok()) return ReportError(inputs.status(), f.common);
  const rank::Objectives& objectives = inputs->objectives;
  const Model& model = inputs->model;
  const Predictor& predictor = *inputs->predictor;
  const IngestResult& data = inputs->data;
  const Table& table = data.table;
  if (data.report.rows_rejected > 0) {
    log::Warn(
        "{}: {} logged candidates were rejected by the reader and are left out of the "
        "replay",
        f.data, data.report.rows_rejected);
  }

  auto plan =
      rank::RankingPlan::Create(objectives, model, rank::FieldsOf(table), {.outcomes = true});
  if (!plan.ok()) return ReportError(plan.status(), f.common);
  auto scored = (*plan)->Score(model, predictor, table, ctx, f.allow_missing_columns);
  if (!scored.ok()) return ReportError(scored.status().WithContext(f.data), f.common);

  const std::string group_by = !f.group_by.empty() ? f.group_by : objectives.group_by;
  rank::RequestGroups groups;
  if (f.request_size > 0) {
    auto g = rank::ChunkRows(table.num_rows(), f.request_size);
    if (!g.ok()) return ReportError(g.status(), f.common);
    groups = std::move(*g);
  } else if (!group_by.empty()) {
    auto g = rank::GroupRows(table, group_by);
    if (!g.ok()) return ReportError(g.status().WithContext(f.data), f.common);
    groups = std::move(*g);
  } else {
    return ReportError(Status::InvalidArgument(
                           "the replay needs requests: pass --group-by COLUMN (or set group_by "
                           "in the objectives), or --request-size N for a log without one"),
                       f.common);
  }

  rank::TradeoffOptions opt;
  opt.steps = f.steps > 0 ? f.steps : objectives.tradeoff_steps;
  opt.top = f.top > 0 ? f.top : (objectives.top > 0 ? objectives.top : 1);
  auto result = rank::SweepTradeoff(**plan, *scored, groups, opt, ctx);
  if (!result.ok()) return ReportError(result.status(), f.common);
  const rank::TradeoffResult& r = *result;

  if (!f.report.empty()) {
    report::HtmlReport html(
        "Trade-offs between stakeholder objectives",
        fmt::format("model {} · objectives {} · log {}", f.model, f.objectives, f.data));
    usecase::AddTradeoffSections(r, objectives, &html);
    Status st = html.WriteTo(f.report);
    if (!st.ok()) return ReportError(st, f.common);
  }
  if (!f.out.empty()) {
    Status st = WriteFileAtomic(f.out, SettingsCsv(r));
    if (!st.ok()) return ReportError(st, f.common);
  }

  size_t efficient = 0;
  for (const auto& s : r.settings) efficient += s.efficient ? 1 : 0;
  if (f.common.json) {
    nlohmann::json j = rank::TradeoffToJson(r);
    j["ok"] = true;
    j["model"] = f.model;
    j["objectives"] = f.objectives;
    j["data"] = f.data;
    j["steps"] = opt.steps;
    j["report"] = f.report.empty() ? nlohmann::json() : nlohmann::json(f.report);
    j["seconds"] = total.Seconds();
    PrintJson(j);
    return kExitOk;
  }
  std::printf(
      "%zu requests, %zu candidates (%zu eligible), top %zu, %zu settings, %zu "
      "Pareto-efficient. Totals per 1,000 requests.\n\n",
      r.requests, r.candidates, r.eligible, r.top, r.settings.size(), efficient);
  const usecase::TextTable t = usecase::TradeoffTable(r, /*efficient_only=*/!f.all);
  std::fputs(usecase::RenderTextTable(t).c_str(), stdout);
  std::printf("\n");
  for (size_t j = 0; j < r.objectives.size(); ++j) {
    const auto& s = r.settings[r.best[j]];
    std::printf("best for %s: setting %zu (%s): %s per 1k requests\n", r.objectives[j].c_str(),
                r.best[j] + 1, usecase::DescribeWeights(r.objectives, s.weights).c_str(),
                ReadableNumber(s.expected[j]).c_str());
  }
  const auto& d = r.settings[r.default_index];
  std::printf("default (configured weights): setting %zu (%s)%s\n", r.default_index + 1,
              usecase::DescribeWeights(r.objectives, d.weights).c_str(),
              d.efficient ? ", Pareto-efficient" : ", NOT Pareto-efficient");
  if (!f.report.empty()) std::printf("report: %s\n", f.report.c_str());
  return kExitOk;
}

}  // namespace

Command AddTradeoffCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "tradeoff",
      "Replay logged requests under a grid of objective weights: each objective's total per "
      "1,000 requests per setting, the Pareto-efficient settings, an HTML report");
  auto f = std::make_shared<TradeoffFlags>();
  sub->add_option("--model", f->model, "Model file (.keel)")->required();
  sub->add_option("--objectives", f->objectives,
                  "Objectives YAML (weights give the default setting; `outcome` expressions "
                  "give logged totals)")
      ->required();
  sub->add_option("--data", f->data,
                  "Logged candidates (.csv, .tsv, .jsonl): one row per candidate of each "
                  "request, with model features, objective fields and logged outcomes")
      ->required();
  sub->add_option("--group-by", f->group_by,
                  "Column naming the request of each row (default: the objectives' group_by)");
  sub->add_option("--request-size", f->request_size,
                  "For logs without a request column: consecutive blocks of N rows form one "
                  "request (default: off)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--top", f->top,
                  "Candidates shown per request (default: the objectives' top, else 1)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--steps", f->steps,
                  "Weight grid resolution: weights move in steps of 1/N on the simplex "
                  "(default: the objectives' tradeoff.steps, else 10)")
      ->check(CLI::Range(1, 100));
  sub->add_option("--report", f->report, "Write the HTML report here (default: none)");
  sub->add_option("--out", f->out, "Write every setting as CSV here (default: none)");
  sub->add_flag("--all", f->all,
                "Print every setting, not only the Pareto-efficient, best and default ones "
                "(default: off)");
  AddDecimalFlag(sub, &f->decimal);
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--allow-missing-columns", f->allow_missing_columns,
                "Treat a model feature absent from the log as missing in every row (default: "
                "fail)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
