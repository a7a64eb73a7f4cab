// keel audit: the fairness audit of a binary classifier on labelled data, optionally with
// group thresholds fitted to mitigate a disparity (usecase/audit.h). This file binds flags and
// prints.
#include <cstdio>

#include "command.h"
#include "reader_flags.h"
#include "usecase/audit.h"

namespace keel::cli {
namespace {

struct AuditFlags {
  CommonFlags common;
  usecase::AuditRequest request;
  int threads = 0;
};

int Run(const AuditFlags& f) {
  ApplyCommonFlags(f.common);
  return PrintResult(usecase::Audit(f.request, CommandContext(f.common, f.threads)), f.common);
}

}  // namespace

Command AddAuditCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "audit",
      "Fairness audit of a binary classifier on labelled data: per-group metrics, disparities "
      "with bootstrap intervals, worst slices and proxy features; optionally fit group "
      "thresholds that mitigate a disparity");
  auto f = std::make_shared<AuditFlags>();
  usecase::AuditRequest& r = f->request;
  usecase::AuditSettings& a = r.audit;
  fairness::AuditOptions& o = a.options;
  sub->add_option("--model", r.input.model_path, "Model file (.keel), a binary classifier")
      ->required();
  sub->add_option("--data", r.input.data_path,
                  "Labelled data to audit (.csv, .tsv, .jsonl): the model's target column and "
                  "the sensitive attributes, read with the model's schema; rows without a label "
                  "are skipped and counted")
      ->required();
  sub->add_option("--sensitive", a.sensitive,
                  "Sensitive attributes, comma-separated or repeated (default: the columns "
                  "whose schema role is sensitive). Text, categorical, boolean and 0/1 columns "
                  "are grouped by value; other numeric columns are binned (see --bins); "
                  "intersections of every two are audited too");
  sub->add_option("--threshold", a.threshold,
                  "Decision threshold: a row is predicted positive when its positive-class "
                  "probability is >= this (default: 0.5)")
      ->check(Interval(usecase::ranges::kUnit));
  sub->add_flag("--ignore-group-thresholds", a.ignore_group_thresholds,
                "Audit the single --threshold even when the model carries group thresholds "
                "(default: a model's group thresholds are applied)");
  sub->add_option("--min-group-size", o.min_group_size,
                  "Groups with fewer rows are listed and flagged but left out of the "
                  "disparities (default: 30)");
  sub->add_option("--bins", a.bins,
                  "Bin edges of a numeric sensitive attribute, COL=E1,E2,... (or E1,E2,... when "
                  "only one attribute is numeric); repeatable (default: quantile bins)");
  sub->add_option("--quantile-bins", a.quantile_bins,
                  "Quantile bins for a numeric sensitive attribute without --bins (default: 4); "
                  "a numeric column with at most 10 distinct values is grouped by value")
      ->check(Interval(usecase::ranges::kQuantileBins));
  sub->add_option("--reference", a.references,
                  "Reference group of the disparate impact ratio, COL=GROUP (repeatable; "
                  "default: the most-selected group, as the four-fifths rule compares)");
  sub->add_option("--bootstrap", o.bootstrap.resamples,
                  "Bootstrap resamples for the intervals, stratified by group (default: 1000)")
      ->check(Interval(usecase::ranges::kAuditBootstrap));
  sub->add_option("--confidence", o.bootstrap.confidence,
                  "Interval confidence level (default: 0.95)")
      ->check(Interval(usecase::ranges::kAuditConfidence));
  sub->add_option_function<uint64_t>(
      "--seed",
      [&o](uint64_t seed) {
        o.bootstrap.seed = seed;
        o.proxies.seed = seed;
      },
      "Seed of the bootstrap and proxy folds (default: 42)");
  sub->add_flag_callback(
      "--no-intersections", [&o] { o.intersections = false; },
      "Do not audit intersections of two attributes (default: audited)");
  sub->add_flag_callback(
      "--no-slices", [&a] { a.slices = false; }, "Skip the worst-slice search (default: run)");
  sub->add_option("--slice-min-rows", o.slices.min_rows, "Smallest slice tested (default: 50)")
      ->check(Interval(usecase::ranges::kSliceMinRows));
  sub->add_option_function<std::string>(
         "--slice-loss",
         [&o](const std::string& text) { fairness::ParseSliceLoss(text, &o.slices.loss); },
         "Per-row error the slices are judged by: error_rate (0/1 error of the decision) or "
         "logloss (also rewards the model's most confident mistakes; for calibration failures) "
         "(default: error_rate)")
      ->check(ChoiceCheck(&fairness::ParseSliceLoss, "logloss or error_rate"));
  sub->add_option("--slice-top", o.slices.top_k, "Worst slices listed (default: 10)");
  sub->add_option("--slice-bins", o.slices.binning.numeric_bins,
                  "Quantile bins of a numeric feature in slice conditions (default: 4)")
      ->check(Interval(usecase::ranges::kSliceBins));
  sub->add_option("--fdr", o.slices.alpha,
                  "False discovery rate of the slice tests, Benjamini-Hochberg (default: 0.05)")
      ->check(Interval(usecase::ranges::kFdr));
  sub->add_flag_callback(
      "--no-proxies", [&a] { a.proxies = false; }, "Skip proxy detection (default: run)");
  sub->add_option("--proxy-auc", o.proxies.auc_threshold,
                  "A feature predicting a two-group attribute with at least this AUC is a strong "
                  "proxy (default: 0.8)")
      ->check(Interval(usecase::ranges::kProxyAuc));
  sub->add_option("--proxy-nmi", o.proxies.nmi_threshold,
                  "For attributes of more groups: at least this share of the attribute's "
                  "entropy explained (default: 0.25)")
      ->check(Interval(usecase::ranges::kUnit));
  auto* out = sub->add_option("--out", r.out_path,
                              "Where --fit-thresholds writes the mitigated model (.keel)");
  sub->add_option_function<std::string>(
         "--fit-thresholds",
         [&r](const std::string& text) {
           fairness::ThresholdConstraint c{};
           fairness::ParseThresholdConstraint(text, &c);
           r.fit_thresholds = c;
         },
         "Fit group-specific thresholds on this data meeting demographic_parity or "
         "equalized_odds within --bound at the least accuracy cost, store them in the model "
         "written to --out, and audit the result (default: off)")
      ->check(
          ChoiceCheck(&fairness::ParseThresholdConstraint, "demographic_parity or equalized_odds"))
      ->needs(out);
  sub->add_option("--fit-attribute", r.fit_attribute,
                  "Sensitive attribute the thresholds are fitted for (default: the first)");
  sub->add_option("--bound", r.bound,
                  "Largest disparity the fitted thresholds allow (default: 0.02)")
      ->check(Interval(usecase::ranges::kFitBound));
  AddDecimalFlag(sub, &r.input.decimal);
  AddMissingFlags(sub, &r.input.missing_tokens);
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
