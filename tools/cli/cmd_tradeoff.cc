// keel tradeoff: replay logged requests under a grid of objective weights and show what each
// choice costs every stakeholder (usecase/tradeoff.h). This file binds flags and prints.
#include <cstdio>

#include "command.h"
#include "reader_flags.h"
#include "usecase/tradeoff.h"

namespace keel::cli {
namespace {

struct TradeoffFlags {
  CommonFlags common;
  usecase::TradeoffRequest request;
  int threads = 0;
};

int Run(const TradeoffFlags& f) {
  ApplyCommonFlags(f.common);
  return PrintResult(usecase::Tradeoff(f.request, CommandContext(f.common, f.threads)), f.common);
}

}  // namespace

Command AddTradeoffCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "tradeoff",
      "Replay logged requests under a grid of objective weights: each objective's total per "
      "1,000 requests per setting, the Pareto-efficient settings, an HTML report");
  auto f = std::make_shared<TradeoffFlags>();
  usecase::TradeoffRequest& r = f->request;
  sub->add_option("--model", r.input.scoring.model_path, "Model file (.keel)")->required();
  sub->add_option("--objectives", r.input.objectives_path,
                  "Objectives YAML (weights give the default setting; `outcome` expressions "
                  "give logged totals)")
      ->required();
  sub->add_option("--data", r.input.scoring.data_path,
                  "Logged candidates (.csv, .tsv, .jsonl): one row per candidate of each "
                  "request, with model features, objective fields and logged outcomes")
      ->required();
  sub->add_option("--group-by", r.settings.group_by,
                  "Column naming the request of each row (default: the objectives' group_by)");
  sub->add_option("--request-size", r.settings.request_size,
                  "For logs without a request column: consecutive blocks of N rows form one "
                  "request (default: off)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--top", r.settings.top,
                  "Candidates shown per request (default: the objectives' top, else 1)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--steps", r.settings.steps,
                  "Weight grid resolution: weights move in steps of 1/N on the simplex "
                  "(default: the objectives' tradeoff.steps, else 10)")
      ->check(CLI::Range(1, 100));
  sub->add_option("--report", r.report_path, "Write the HTML report here (default: none)");
  sub->add_option("--out", r.out_path, "Write every setting as CSV here (default: none)");
  sub->add_flag("--all", r.all,
                "Print every setting, not only the Pareto-efficient, best and default ones "
                "(default: off)");
  AddDecimalFlag(sub, &r.input.scoring.decimal);
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--allow-missing-columns", r.input.scoring.allow_missing_columns,
                "Treat a model feature absent from the log as missing in every row (default: "
                "fail)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
