// keel rank: rank candidates within each request by the stakeholders' weighted objectives.
#include <cmath>
#include <cstdio>

#include "core/json_number.h"
#include "command.h"
#include "core/file_io.h"
#include "core/log.h"
#include "core/nearest_name.h"
#include "core/number_format.h"
#include "core/stopwatch.h"
#include "data/ingest.h"
#include "model/model_io.h"
#include "predict/predictor.h"
#include "rank/group_ranker.h"
#include "rank/objectives.h"
#include "rank/ranking_plan.h"
#include "rank/request_groups.h"
#include "ranking_inputs.h"
#include "reader_flags.h"

namespace keel::cli {
namespace {

struct RankFlags {
  CommonFlags common;
  std::string model;
  std::string objectives;
  std::string data;
  std::string group_by;
  size_t top = 0;
  std::string out = "-";
  std::vector<std::string> keep;
  int threads = 0;
  char decimal = 0;  // --decimal
  bool allow_missing_columns = false;
};

void AppendCell(std::string* out, std::string_view text) {
  const bool quote = text.find_first_of(",\"\n\r") != std::string_view::npos;
  if (!quote) {
    out->append(text);
    return;
  }
  out->push_back('"');
  for (char c : text) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendNumber(std::string* out, double v) {
  if (std::isfinite(v)) AppendDouble(out, v);
}

int Run(const RankFlags& f) {
  ApplyCommonFlags(f.common);
  Stopwatch total;
  ReadOptions ro;
  ro.decimal = f.decimal;
  // Candidates have no outcome (the target) and may lack other training columns; a missing
  // model feature still fails in Score() unless --allow-missing-columns.
  ro.allow_missing_columns = true;
  const Context ctx = CommandContext(f.common, f.threads);
  auto inputs = LoadRankingInputs(f.objectives, f.model, f.data, ro, ctx);
  if (!inputs.ok()) return ReportError(inputs.status(), f.common);
  const rank::Objectives& objectives = inputs->objectives;
  const Model& model = inputs->model;
  const Predictor& predictor = *inputs->predictor;
  const IngestResult& data = inputs->data;
  const Table& table = data.table;
  for (const auto& r : data.report.rejected) {
    log::Warn("{}:{}: candidate not ranked: {}", f.data, r.line, r.reason);
  }

  const std::vector<rank::FieldInfo> fields = rank::FieldsOf(table);
  auto plan = rank::RankingPlan::Create(objectives, model, fields);
  if (!plan.ok()) return ReportError(plan.status(), f.common);
  Stopwatch score_time;
  auto scored = (*plan)->Score(model, predictor, table, ctx, f.allow_missing_columns);
  if (!scored.ok()) return ReportError(scored.status().WithContext(f.data), f.common);

  const std::string group_by = !f.group_by.empty() ? f.group_by : objectives.group_by;
  const size_t top = f.top > 0 ? f.top : objectives.top;
  rank::RequestGroups groups;
  if (group_by.empty()) {
    groups = rank::SingleRequest(table.num_rows());
  } else {
    auto g = rank::GroupRows(table, group_by);
    if (!g.ok()) return ReportError(g.status().WithContext(f.data), f.common);
    groups = std::move(*g);
  }
  std::vector<const Column*> keep;
  for (const auto& name : f.keep) {
    const Column* c = table.Find(name);
    if (c == nullptr) {
      return ReportError(Status::NotFound("--keep: {} has no column '{}'{}", f.data, name,
                                          DidYouMean(name, table.columns(), &Column::name)),
                         f.common);
    }
    keep.push_back(c);
  }

  // CSV: [group], rank, line, [kept columns], score, one column per objective.
  const auto& objs = objectives.objectives;
  std::string csv;
  if (!group_by.empty()) {
    AppendCell(&csv, group_by);
    csv += ',';
  }
  csv += "rank,line";
  for (const Column* c : keep) {
    csv += ',';
    AppendCell(&csv, c->name());
  }
  csv += ",score";
  for (const auto& o : objs) csv += "," + o.name;
  csv += '\n';

  const bool rows_in_json = f.common.json && f.out == "-";
  nlohmann::json ranked_json = nlohmann::json::array();
  rank::GroupRanker ranker;
  std::vector<rank::RankedItem> items;
  const std::vector<double> weights = objectives.Weights();
  size_t shown = 0, eligible = 0;
  for (size_t g = 0; g < groups.rows.size(); ++g) {
    ranker.Load(*scored, groups.rows[g]);
    eligible += ranker.num_eligible();
    ranker.Select(weights, top, &items);
    shown += items.size();
    for (size_t k = 0; k < items.size(); ++k) {
      const uint32_t row = items[k].row;
      if (rows_in_json) {
        nlohmann::json j;
        if (!group_by.empty()) j[group_by] = groups.ids[g];
        j["rank"] = k + 1;
        j["line"] = table.SourceLine(row);
        for (const Column* c : keep) j[c->name()] = c->CellText(row);
        j["score"] = JsonNumber(items[k].score);
        nlohmann::json values;
        for (size_t o = 0; o < objs.size(); ++o) {
          values[objs[o].name] = JsonNumber(scored->values[o * scored->rows + row]);
        }
        j["objectives"] = std::move(values);
        ranked_json.push_back(std::move(j));
        continue;
      }
      if (!group_by.empty()) {
        AppendCell(&csv, groups.ids[g]);
        csv += ',';
      }
      csv += std::to_string(k + 1);
      csv += ',';
      csv += std::to_string(table.SourceLine(row));
      for (const Column* c : keep) {
        csv += ',';
        AppendCell(&csv, c->CellText(row));
      }
      csv += ',';
      AppendNumber(&csv, items[k].score);
      for (size_t o = 0; o < objs.size(); ++o) {
        csv += ',';
        AppendNumber(&csv, scored->values[o * scored->rows + row]);
      }
      csv += '\n';
    }
  }
  const double score_seconds = score_time.Seconds();
  if (!rows_in_json) {
    if (f.out == "-") {
      std::fwrite(csv.data(), 1, csv.size(), stdout);
      std::fflush(stdout);
    } else {
      Status st = WriteFileAtomic(f.out, csv);
      if (!st.ok()) return ReportError(st, f.common);
    }
  }
  if (f.common.json) {
    nlohmann::json j = {
        {"ok", true},
        {"model", f.model},
        {"objectives", f.objectives},
        {"data", f.data},
        {"out", f.out},
        {"group_by", group_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(group_by)},
        {"top", top},
        {"requests", groups.rows.size()},
        {"candidates", table.num_rows()},
        {"eligible", eligible},
        {"shown", shown},
        {"rows_rejected", data.report.rows_rejected},
        {"seconds", {{"score_and_rank", score_seconds}, {"total", total.Seconds()}}}};
    nlohmann::json names = nlohmann::json::array();
    for (const auto& o : objs) names.push_back(o.name);
    j["objective_names"] = names;
    if (rows_in_json) j["ranked"] = std::move(ranked_json);
    PrintJson(j);
  } else {
    std::FILE* to = f.out == "-" ? stderr : stdout;
    std::fprintf(
        to, "ranked %zu candidates in %zu request%s: %zu eligible, %zu shown%s%s (%.3f s)\n",
        table.num_rows(), groups.rows.size(), groups.rows.size() == 1 ? "" : "s", eligible, shown,
        f.out == "-" ? "" : " -> ", f.out == "-" ? "" : f.out.c_str(), total.Seconds());
  }
  return kExitOk;
}

}  // namespace

Command AddRankCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "rank",
      "Rank candidates within each request by weighted stakeholder objectives (clicks, "
      "revenue, profit, ...) under hard constraints");
  auto f = std::make_shared<RankFlags>();
  sub->add_option("--model", f->model,
                  "Model file (.keel) whose outputs (p, prob_<class>, "
                  "prediction) the objectives read")
      ->required();
  sub->add_option("--objectives", f->objectives,
                  "Objectives YAML: named expressions with weights and normalisation, "
                  "constraints, top, group_by (see docs in src/rank/objectives.h)")
      ->required();
  sub->add_option("--data", f->data,
                  "Candidates (.csv, .tsv, .jsonl): one row per candidate, with the model's "
                  "features and every field the objectives read")
      ->required();
  sub->add_option("--group-by", f->group_by,
                  "Column naming the request each candidate belongs to; candidates are ranked "
                  "within their request (default: the objectives' group_by, else the whole "
                  "file is one request)");
  sub->add_option("--top", f->top,
                  "Candidates shown per request (default: the objectives' top, else all "
                  "eligible candidates)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--out", f->out,
                  "Ranking CSV to write, or - for stdout (default: -). Columns: [group], rank, "
                  "line (source line of the candidate), kept columns, score, one per "
                  "objective. With --json and stdout the ranking is in the JSON as `ranked`");
  sub->add_option("--keep", f->keep, "Candidate columns to copy into the output (default: none)")
      ->delimiter(',');
  AddDecimalFlag(sub, &f->decimal);
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--allow-missing-columns", f->allow_missing_columns,
                "Treat a model feature absent from the candidates as missing in every row "
                "instead of failing (default: fail)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
