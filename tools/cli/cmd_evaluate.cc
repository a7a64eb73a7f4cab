// keel evaluate: a model's metrics on labeled data, each with a bootstrap confidence interval
// (usecase/evaluate.h). This file binds flags and prints.
#include "command.h"
#include "reader_flags.h"
#include "usecase/evaluate.h"

namespace keel::cli {
namespace {

struct EvaluateFlags {
  CommonFlags common;
  usecase::EvaluateRequest request;
  int threads = 0;
};

int Run(const EvaluateFlags& f) {
  ApplyCommonFlags(f.common);
  return PrintResult(usecase::Evaluate(f.request, CommandContext(f.common, f.threads)), f.common);
}

}  // namespace

Command AddEvaluateCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "evaluate",
      "A model's metrics on labeled data, each with a bootstrap confidence interval (binary: "
      "AUC, PR AUC, log loss, Brier, accuracy/precision/recall/F1 at a threshold, calibration "
      "error, plus ROC, PR and reliability curves in --json; multiclass: log loss, accuracy, "
      "macro F1; regression: RMSE, MAE, R2)");
  auto f = std::make_shared<EvaluateFlags>();
  usecase::EvaluateRequest& r = f->request;
  EvaluationOptions& o = r.options;
  sub->add_option("--model", r.input.model_path, "Model file (.keel)")->required();
  sub->add_option("--data", r.input.data_path,
                  "Labeled data (.csv, .tsv, .jsonl) with the model's target column; read with "
                  "the model's schema. Rows without a label are skipped and counted")
      ->required();
  sub->add_option("--threshold", o.metric.threshold,
                  "Binary: predict the positive class when its probability is >= this, for "
                  "accuracy, precision, recall and F1 (default: 0.5)");
  sub->add_option("--resamples", o.bootstrap.resamples,
                  "Bootstrap resamples for the confidence intervals; 0 = no intervals "
                  "(default: 1000)")
      ->check(Interval(usecase::ranges::kResamples));
  sub->add_option("--seed", o.bootstrap.seed,
                  "Seed of the bootstrap: the same seed gives the same intervals (default: 42)");
  sub->add_option("--confidence", o.bootstrap.confidence,
                  "Coverage of the intervals, strictly between 0 and 1 (default: 0.95)")
      ->check(Interval(usecase::ranges::kOpenUnit));
  sub->add_option("--bins", o.metric.calibration_bins,
                  "Binary: equal-width probability bins of the calibration error and the "
                  "reliability curve (default: 10)")
      ->check(Interval(usecase::ranges::kCalibrationBins));
  sub->add_option("--curve-points", o.max_curve_points,
                  "Binary: ROC and PR curves in --json are thinned to at most this many points "
                  "(default: 201)")
      ->check(Interval(usecase::ranges::kCurvePoints));
  AddDecimalFlag(sub, &r.input.decimal);
  AddMissingFlags(sub, &r.input.missing_tokens);
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--allow-missing-columns", r.input.allow_missing_columns,
                "Treat a feature column absent from the data as missing in every row instead "
                "of failing (default: fail)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
