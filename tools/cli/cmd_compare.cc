// keel compare: the "complexity must pay" gate between a baseline and a candidate model
// (usecase/compare.h). This file binds flags and prints.
#include "command.h"
#include "reader_flags.h"
#include "usecase/compare.h"

namespace keel::cli {
namespace {

struct CompareFlags {
  CommonFlags common;
  usecase::CompareRequest request;
  int threads = 0;
};

int Run(const CompareFlags& f) {
  ApplyCommonFlags(f.common);
  return PrintResult(usecase::Compare(f.request, CommandContext(f.common, f.threads)), f.common);
}

}  // namespace

Command AddCompareCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "compare",
      "The \"complexity must pay\" gate: score a baseline and a candidate model on the same "
      "test rows, test the difference (DeLong for AUC, paired bootstrap otherwise), measure "
      "size, single-row latency and batch throughput, and say which one ships and why. The "
      "candidate ships only if its gain is at least --min-gain, significant at --alpha, and "
      "its p99 latency is within --latency-budget-us");
  auto f = std::make_shared<CompareFlags>();
  usecase::CompareRequest& r = f->request;
  CompareOptions& o = r.options;
  sub->add_option("baseline", r.input.model_path,
                  "The simple model that ships unless beaten (.keel)")
      ->required();
  sub->add_option("candidate", r.candidate_path, "The model that must earn its complexity (.keel)")
      ->required();
  sub->add_option("--data", r.input.data_path,
                  "Labeled test data (.csv, .tsv, .jsonl), read once with the baseline's schema; "
                  "must not have been used to train either model")
      ->required();
  sub->add_option_function<std::string>(
         "--metric",
         [&o](const std::string& text) {
           Metric m;
           if (ParseMetric(text, &m)) o.metric = m;
         },
         "Gate metric: auc|pr_auc|logloss|brier|accuracy|precision|recall|f1|ece "
         "(binary), logloss|accuracy|macro_f1 (multiclass), rmse|mae|r2 (regression) "
         "(default: auc, logloss or rmse by task)")
      ->check(ChoiceCheck(
          &ParseMetric,
          "a metric: auc, pr_auc, logloss, brier, accuracy, precision, recall, f1, ece "
          "(binary), logloss, accuracy, macro_f1 (multiclass), rmse, mae, r2 (regression)"));
  sub->add_option("--min-gain", o.min_gain,
                  "Smallest improvement worth shipping, in the metric's units, >= 0; for "
                  "losses and errors the improvement is the decrease (default: 0)");
  sub->add_option("--alpha", o.alpha,
                  "Significance level of the paired test; the gain's interval has coverage "
                  "1 - alpha (default: 0.05)")
      ->check(Interval(usecase::ranges::kOpenUnit));
  sub->add_option("--latency-budget-us", o.latency_budget_us,
                  "Largest acceptable p99 single-row latency of the candidate, in microseconds "
                  "(default: 1000)");
  sub->add_option("--latency-rows", o.cost.latency_rows,
                  "Single-row predictions timed per model, after 200 warm-up calls "
                  "(default: 2000)")
      ->check(Interval(usecase::ranges::kLatencyRows));
  sub->add_option("--threshold", o.evaluation.metric.threshold,
                  "Binary: probability threshold of accuracy, precision, recall and F1 "
                  "(default: 0.5)");
  sub->add_option("--resamples", o.evaluation.bootstrap.resamples,
                  "Bootstrap resamples for the metric intervals and the paired bootstrap test "
                  "(default: 1000)")
      ->check(Interval(usecase::ranges::kResamples));
  sub->add_option("--seed", o.evaluation.bootstrap.seed, "Seed of the bootstrap (default: 42)");
  AddDecimalFlag(sub, &r.input.decimal);
  AddMissingFlags(sub, &r.input.missing_tokens);
  sub->add_option("--threads", f->threads,
                  "Worker threads for reading, prediction, the bootstrap and the batch "
                  "throughput measurement; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
