#include "usecase/rank.h"

#include <fmt/format.h>

#include <cmath>

#include "core/file_io.h"
#include "core/json_number.h"
#include "core/log.h"
#include "core/nearest_name.h"
#include "core/number_format.h"
#include "core/stopwatch.h"
#include "data/csv_writer.h"
#include "rank/group_ranker.h"
#include "rank/request_groups.h"

namespace keel::usecase {
namespace {

void AppendNumber(std::string* out, double v) {
  if (std::isfinite(v)) AppendDouble(out, v);
}

Result<rank::RequestGroups> Requests(const Table& table, const std::string& group_by,
                                     const std::string& source) {
  if (group_by.empty()) return rank::SingleRequest(table.num_rows());
  auto groups = rank::GroupRows(table, group_by);
  if (!groups.ok()) return groups.status().WithContext(source);
  return groups;
}

}  // namespace

Result<RankResult> Rank(const RankRequest& request, const Context& ctx) {
  Stopwatch total;
  RankResult r;
  r.request = request;
  const std::string& source = request.input.scoring.data_path;
  KEEL_ASSIGN_OR_RETURN(LoadedRanking in, LoadRanking(request.input, ctx));
  const rank::Objectives& objectives = in.objectives;
  const Table& table = in.scoring.data.table;
  for (const auto& rec : in.scoring.data.report.rejected) {
    log::Warn("{}:{}: candidate not ranked: {}", source, rec.line, rec.reason);
  }

  Stopwatch score_time;
  const Candidates candidates{in.scoring.model, *in.scoring.predictor, table, source,
                              request.input.scoring.allow_missing_columns};
  KEEL_ASSIGN_OR_RETURN(ScoredRanking s, ScoreCandidates(objectives, candidates, {}, ctx));
  r.group_by = !request.group_by.empty() ? request.group_by : objectives.group_by;
  r.top = request.top > 0 ? request.top : objectives.top;
  KEEL_ASSIGN_OR_RETURN(rank::RequestGroups groups, Requests(table, r.group_by, source));
  std::vector<const Column*> keep;
  for (const auto& name : request.keep) {
    const Column* c = table.Find(name);
    if (c == nullptr) {
      return Status::NotFound("--keep: {} has no column '{}'{}", source, name,
                              DidYouMean(name, table.columns(), &Column::name));
    }
    keep.push_back(c);
  }

  // CSV: [group], rank, line, [kept columns], score, one column per objective.
  const auto& objs = objectives.objectives;
  for (const auto& o : objs) r.objective_names.push_back(o.name);
  const bool as_json = request.ranked_as_json && request.out_path == "-";
  std::string csv;
  if (!r.group_by.empty()) {
    AppendCsvField(&csv, r.group_by);
    csv += ',';
  }
  csv += "rank,line";
  for (const Column* c : keep) {
    csv += ',';
    AppendCsvField(&csv, c->name());
  }
  csv += ",score";
  for (const auto& o : objs) csv += "," + o.name;
  csv += '\n';

  const rank::ScoredCandidates& scored = s.scored;
  rank::GroupRanker ranker;
  std::vector<rank::RankedItem> items;
  const std::vector<double> weights = objectives.Weights();
  for (size_t g = 0; g < groups.rows.size(); ++g) {
    ranker.Load(scored, groups.rows[g]);
    r.eligible += ranker.num_eligible();
    ranker.Select(weights, r.top, &items);
    r.shown += items.size();
    for (size_t k = 0; k < items.size(); ++k) {
      const uint32_t row = items[k].row;
      if (as_json) {
        nlohmann::json j;
        if (!r.group_by.empty()) j[r.group_by] = groups.ids[g];
        j["rank"] = k + 1;
        j["line"] = table.SourceLine(row);
        for (const Column* c : keep) j[c->name()] = c->CellText(row);
        j["score"] = JsonNumber(items[k].score);
        nlohmann::json values;
        for (size_t o = 0; o < objs.size(); ++o) {
          values[objs[o].name] = JsonNumber(scored.values[o * scored.rows + row]);
        }
        j["objectives"] = std::move(values);
        r.ranked.push_back(std::move(j));
        continue;
      }
      if (!r.group_by.empty()) {
        AppendCsvField(&csv, groups.ids[g]);
        csv += ',';
      }
      csv += std::to_string(k + 1);
      csv += ',';
      csv += std::to_string(table.SourceLine(row));
      for (const Column* c : keep) {
        csv += ',';
        AppendCsvField(&csv, c->CellText(row));
      }
      csv += ',';
      AppendNumber(&csv, items[k].score);
      for (size_t o = 0; o < objs.size(); ++o) {
        csv += ',';
        AppendNumber(&csv, scored.values[o * scored.rows + row]);
      }
      csv += '\n';
    }
  }
  r.score_seconds = score_time.Seconds();
  if (!as_json) {
    if (request.out_path == "-") {
      r.csv = std::move(csv);
    } else {
      KEEL_RETURN_IF_ERROR(WriteFileAtomic(request.out_path, csv));
    }
  }
  r.requests = groups.rows.size();
  r.candidates = table.num_rows();
  r.rows_rejected = in.scoring.data.report.rows_rejected;
  r.total_seconds = total.Seconds();
  return r;
}

nlohmann::json RankResult::ToJson() const {
  const RankingInput& in = request.input;
  nlohmann::json j = {
      {"ok", true},
      {"model", in.scoring.model_path},
      {"objectives", in.objectives_path},
      {"data", in.scoring.data_path},
      {"out", request.out_path},
      {"group_by", group_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(group_by)},
      {"top", top},
      {"requests", requests},
      {"candidates", candidates},
      {"eligible", eligible},
      {"shown", shown},
      {"rows_rejected", rows_rejected},
      {"objective_names", objective_names},
      {"seconds", {{"score_and_rank", score_seconds}, {"total", total_seconds}}}};
  if (request.ranked_as_json && request.out_path == "-") j["ranked"] = ranked;
  return j;
}

std::string RankResult::ToText() const {
  const bool to_file = request.out_path != "-";
  return fmt::format("ranked {} candidates in {} request{}: {} eligible, {} shown{}{} ({:.3f} s)\n",
                     candidates, requests, requests == 1 ? "" : "s", eligible, shown,
                     to_file ? " -> " : "", to_file ? request.out_path : "", total_seconds);
}

}  // namespace keel::usecase
