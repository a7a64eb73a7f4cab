// keel compare: the "complexity must pay" gate between a baseline and a candidate model.
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "command.h"
#include "core/log.h"
#include "core/stopwatch.h"
#include "data/ingest.h"
#include "eval/compare.h"
#include "eval/summary_text.h"
#include "model/model_io.h"
#include "predict/predictor.h"
#include "reader_flags.h"

namespace keel::cli {
namespace {

struct CompareFlags {
  CommonFlags common;
  std::string baseline;
  std::string candidate;
  std::string data;
  std::string metric;
  double min_gain = 0;
  double alpha = 0.05;
  double latency_budget_us = 1000;
  size_t latency_rows = 2000;
  double threshold = 0.5;
  int resamples = 1000;
  uint64_t seed = 42;
  int threads = 0;
  char decimal = 0;  // --decimal
};

struct Loaded {
  Model model;
  std::unique_ptr<Predictor> predictor;
  uint64_t file_bytes = 0;
};

Result<Loaded> Load(const std::string& path) {
  Loaded l;
  KEEL_ASSIGN_OR_RETURN(l.model, LoadModel(path));
  auto predictor = Predictor::Create(l.model);
  if (!predictor.ok()) return predictor.status().WithContext(path);
  l.predictor = std::move(predictor).value();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec) l.file_bytes = static_cast<uint64_t>(size);
  return l;
}

int Run(const CompareFlags& f) {
  ApplyCommonFlags(f.common);
  Stopwatch total;
  auto baseline = Load(f.baseline);
  if (!baseline.ok()) return ReportError(baseline.status(), f.common);
  auto candidate = Load(f.candidate);
  if (!candidate.ok()) return ReportError(candidate.status(), f.common);
  // Refuse before reading any data: different tasks or label mappings are never compared.
  Status s = CheckComparable(baseline->model, candidate->model);
  if (!s.ok()) return ReportError(s, f.common);

  CompareOptions o;
  if (!f.metric.empty()) {
    Metric m;
    ParseMetric(f.metric, &m);  // checked when the flags were parsed (ChoiceCheck)
    o.metric = m;
  }
  o.min_gain = f.min_gain;
  o.alpha = f.alpha;
  o.latency_budget_us = f.latency_budget_us;
  o.evaluation.metric.threshold = f.threshold;
  o.evaluation.bootstrap.resamples = f.resamples;
  o.evaluation.bootstrap.seed = f.seed;
  o.evaluation.bootstrap.threads = f.threads;
  o.cost.latency_rows = f.latency_rows;
  o.cost.threads = f.threads;
  o.threads = f.threads;
  s = CheckCompareOptions(o);
  if (!s.ok()) return ReportError(s, f.common);

  // One read of the data, with the baseline's schema, so both models score the same rows.
  ReadOptions ro;
  ro.schema = &baseline->model.schema;
  ro.decimal = f.decimal;
  auto data = ReadTable(f.data, ro, CommandContext(f.common, f.threads));
  if (!data.ok()) return ReportError(data.status(), f.common);
  const IngestReport& report = data->report;
  if (report.rows_rejected > 0) {
    log::Warn("{}: {} of {} records were rejected by the reader and are not compared",
              f.data, report.rows_rejected, report.rows_read);
  }

  const CompareInput b{&baseline->model, baseline->predictor.get(), baseline->file_bytes,
                       f.baseline};
  const CompareInput c{&candidate->model, candidate->predictor.get(), candidate->file_bytes,
                       f.candidate};
  auto comparison = CompareModels(b, c, data->table, o);
  if (!comparison.ok()) return ReportError(comparison.status().WithContext(f.data), f.common);
  if (comparison->rows_missing_label > 0) {
    log::Warn("{} rows have no value in the target column and are not compared",
              comparison->rows_missing_label);
  }

  if (f.common.json) {
    nlohmann::json j = ComparisonToJson(*comparison);
    j["ok"] = true;
    j["data"] = f.data;
    j["rows_read"] = report.rows_read;
    j["rows_rejected"] = report.rows_rejected;
    j["seconds"] = total.Seconds();
    PrintJson(j);
  } else {
    std::printf("%s: %zu rows compared (%llu read, %llu rejected, %llu without a label)\n\n",
                f.data.c_str(), comparison->rows, static_cast<unsigned long long>(report.rows_read),
                static_cast<unsigned long long>(report.rows_rejected),
                static_cast<unsigned long long>(comparison->rows_missing_label));
    std::fputs(FormatComparisonText(*comparison).c_str(), stdout);
  }
  return kExitOk;
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
  sub->add_option("baseline", f->baseline, "The simple model that ships unless beaten (.keel)")
      ->required();
  sub->add_option("candidate", f->candidate, "The model that must earn its complexity (.keel)")
      ->required();
  sub->add_option("--data", f->data,
                  "Labeled test data (.csv, .tsv, .jsonl), read once with the baseline's schema; "
                  "must not have been used to train either model")
      ->required();
  sub->add_option("--metric", f->metric,
                  "Gate metric: auc|pr_auc|logloss|brier|accuracy|precision|recall|f1|ece "
                  "(binary), logloss|accuracy|macro_f1 (multiclass), rmse|mae|r2 (regression) "
                  "(default: auc, logloss or rmse by task)")
      ->check(ChoiceCheck(
          &ParseMetric,
          "a metric: auc, pr_auc, logloss, brier, accuracy, precision, recall, f1, ece "
          "(binary), logloss, accuracy, macro_f1 (multiclass), rmse, mae, r2 (regression)"));
  sub->add_option("--min-gain", f->min_gain,
                  "Smallest improvement worth shipping, in the metric's units, >= 0; for "
                  "losses and errors the improvement is the decrease (default: 0)");
  sub->add_option("--alpha", f->alpha,
                  "Significance level of the paired test; the gain's interval has coverage "
                  "1 - alpha (default: 0.05)")
      ->check(Interval(0, 1, true, true));
  sub->add_option("--latency-budget-us", f->latency_budget_us,
                  "Largest acceptable p99 single-row latency of the candidate, in microseconds "
                  "(default: 1000)");
  sub->add_option("--latency-rows", f->latency_rows,
                  "Single-row predictions timed per model, after 200 warm-up calls "
                  "(default: 2000)")
      ->check(CLI::Range(static_cast<size_t>(1), static_cast<size_t>(10000000)));
  sub->add_option("--threshold", f->threshold,
                  "Binary: probability threshold of accuracy, precision, recall and F1 "
                  "(default: 0.5)");
  sub->add_option("--resamples", f->resamples,
                  "Bootstrap resamples for the metric intervals and the paired bootstrap test "
                  "(default: 1000)")
      ->check(CLI::Range(0, 1000000));
  sub->add_option("--seed", f->seed, "Seed of the bootstrap (default: 42)");
  AddDecimalFlag(sub, &f->decimal);
  sub->add_option("--threads", f->threads,
                  "Worker threads for reading, prediction, the bootstrap and the batch "
                  "throughput measurement; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
