// keel rank: rank candidates within each request by the stakeholders' weighted objectives
// (usecase/rank.h). This file binds flags and prints.
#include <cstdio>

#include "command.h"
#include "reader_flags.h"
#include "usecase/rank.h"

namespace keel::cli {
namespace {

struct RankFlags {
  CommonFlags common;
  usecase::RankRequest request;
  int threads = 0;
};

int Run(const RankFlags& f) {
  ApplyCommonFlags(f.common);
  usecase::RankRequest request = f.request;
  request.ranked_as_json = f.common.json;  // with --json and stdout, the ranking is in the JSON
  return PrintResult(usecase::Rank(request, CommandContext(f.common, f.threads)), f.common);
}

}  // namespace

Command AddRankCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "rank",
      "Rank candidates within each request by weighted stakeholder objectives (clicks, "
      "revenue, profit, ...) under hard constraints");
  auto f = std::make_shared<RankFlags>();
  usecase::RankRequest& r = f->request;
  sub->add_option("--model", r.input.scoring.model_path,
                  "Model file (.keel) whose outputs (p, prob_<class>, "
                  "prediction) the objectives read")
      ->required();
  sub->add_option("--objectives", r.input.objectives_path,
                  "Objectives YAML: named expressions with weights and normalisation, "
                  "constraints, top, group_by (see docs in src/rank/objectives.h)")
      ->required();
  sub->add_option("--data", r.input.scoring.data_path,
                  "Candidates (.csv, .tsv, .jsonl): one row per candidate, with the model's "
                  "features and every field the objectives read")
      ->required();
  sub->add_option("--group-by", r.group_by,
                  "Column naming the request each candidate belongs to; candidates are ranked "
                  "within their request (default: the objectives' group_by, else the whole "
                  "file is one request)");
  sub->add_option("--top", r.top,
                  "Candidates shown per request (default: the objectives' top, else all "
                  "eligible candidates)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--out", r.out_path,
                  "Ranking CSV to write, or - for stdout (default: -). Columns: [group], rank, "
                  "line (source line of the candidate), kept columns, score, one per "
                  "objective. With --json and stdout the ranking is in the JSON as `ranked`");
  sub->add_option("--keep", r.keep, "Candidate columns to copy into the output (default: none)")
      ->delimiter(',');
  AddDecimalFlag(sub, &r.input.scoring.decimal);
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--allow-missing-columns", r.input.scoring.allow_missing_columns,
                "Treat a model feature absent from the candidates as missing in every row "
                "instead of failing (default: fail)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
