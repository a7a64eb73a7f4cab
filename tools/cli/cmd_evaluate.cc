// keel evaluate: a model's metrics on labeled data, each with a bootstrap confidence interval.
#include <cstdio>

#include "command.h"
#include "core/log.h"
#include "core/stopwatch.h"
#include "data/ingest.h"
#include "eval/model_evaluation.h"
#include "eval/summary_text.h"
#include "model/model_io.h"
#include "predict/predictor.h"
#include "reader_flags.h"

namespace keel::cli {
namespace {

struct EvaluateFlags {
  CommonFlags common;
  std::string model;
  std::string data;
  double threshold = 0.5;
  int resamples = 1000;
  uint64_t seed = 42;
  double confidence = 0.95;
  int bins = kDefaultCalibrationBins;
  size_t curve_points = 201;
  int threads = 0;
  char decimal = 0;  // --decimal
  bool allow_missing_columns = false;
};

int Run(const EvaluateFlags& f) {
  ApplyCommonFlags(f.common);
  Stopwatch total;
  auto model = LoadModel(f.model);
  if (!model.ok()) return ReportError(model.status(), f.common);
  auto predictor = Predictor::Create(*model);
  if (!predictor.ok()) return ReportError(predictor.status().WithContext(f.model), f.common);

  ReadOptions ro;
  ro.schema = &model->schema;
  ro.decimal = f.decimal;
  ro.allow_missing_columns = f.allow_missing_columns;
  auto data = ReadTable(f.data, ro, CommandContext(f.common, f.threads));
  if (!data.ok()) return ReportError(data.status(), f.common);
  const IngestReport& report = data->report;
  if (report.rows_rejected > 0) {
    log::Warn("{}: {} of {} records were rejected by the reader and are not evaluated (see "
              "`keel ingest {} --schema ...` for the reasons)",
              f.data, report.rows_rejected, report.rows_read, f.data);
  }

  EvaluationOptions eo;
  eo.metric.threshold = f.threshold;
  eo.metric.calibration_bins = f.bins;
  eo.bootstrap.resamples = f.resamples;
  eo.bootstrap.seed = f.seed;
  eo.bootstrap.confidence = f.confidence;
  eo.bootstrap.threads = f.threads;
  eo.max_curve_points = f.curve_points;
  EncodeOptions encode;
  encode.threads = f.threads;
  encode.allow_absent_columns = f.allow_missing_columns;
  auto result = EvaluateModel(*model, **predictor, data->table, eo, encode);
  if (!result.ok()) return ReportError(result.status().WithContext(f.data), f.common);
  const ModelEvaluation& me = *result;
  for (const auto& name : me.encode.absent) {
    log::Warn("the data has no column '{}': it is treated as missing in every row", name);
  }
  if (me.truth.rows_missing_label > 0) {
    log::Warn("{} rows have no value in the target column '{}' and are not evaluated",
              me.truth.rows_missing_label, model->target);
  }

  if (f.common.json) {
    nlohmann::json j = EvaluationToJson(me.evaluation);
    j["ok"] = true;
    j["model"] = f.model;
    j["data"] = f.data;
    j["target"] = model->target;
    if (model->task != Task::kRegression) {
      j["class_names"] = model->labels.classes;
      if (model->task == Task::kBinary) j["positive_class"] = model->labels.classes[1];
    }
    j["weight_column"] = me.truth.weight_column.empty()
                             ? nlohmann::json(nullptr)
                             : nlohmann::json(me.truth.weight_column);
    j["rows_read"] = report.rows_read;
    j["rows_rejected"] = report.rows_rejected;
    j["rows_missing_label"] = me.truth.rows_missing_label;
    j["absent_columns"] = me.encode.absent;
    j["seconds"] = total.Seconds();
    PrintJson(j);
  } else {
    std::string head = fmt::format("{} on {}: {} model, target '{}'", f.model, f.data,
                                   TaskName(model->task), model->target);
    if (model->task == Task::kBinary) head += fmt::format(", positive class '{}'", model->labels.classes[1]);
    head += fmt::format("\n{} rows evaluated ({} read, {} rejected, {} without a label)\n\n",
                        me.evaluation.rows, report.rows_read, report.rows_rejected,
                        me.truth.rows_missing_label);
    std::fputs(head.c_str(), stdout);
    std::fputs(FormatEvaluationText(me.evaluation).c_str(), stdout);
  }
  return kExitOk;
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
  sub->add_option("--model", f->model, "Model file (.keel)")->required();
  sub->add_option("--data", f->data,
                  "Labeled data (.csv, .tsv, .jsonl) with the model's target column; read with "
                  "the model's schema. Rows without a label are skipped and counted")
      ->required();
  sub->add_option("--threshold", f->threshold,
                  "Binary: predict the positive class when its probability is >= this, for "
                  "accuracy, precision, recall and F1 (default: 0.5)");
  sub->add_option("--resamples", f->resamples,
                  "Bootstrap resamples for the confidence intervals; 0 = no intervals "
                  "(default: 1000)")
      ->check(CLI::Range(0, 1000000));
  sub->add_option("--seed", f->seed,
                  "Seed of the bootstrap: the same seed gives the same intervals (default: 42)");
  sub->add_option("--confidence", f->confidence,
                  "Coverage of the intervals, strictly between 0 and 1 (default: 0.95)")
      ->check(Interval(0, 1, true, true));
  sub->add_option("--bins", f->bins,
                  "Binary: equal-width probability bins of the calibration error and the "
                  "reliability curve (default: 10)")
      ->check(CLI::Range(1, kMaxCalibrationBins));
  sub->add_option("--curve-points", f->curve_points,
                  "Binary: ROC and PR curves in --json are thinned to at most this many points "
                  "(default: 201)")
      ->check(CLI::Range(2, 1000000));
  AddDecimalFlag(sub, &f->decimal);
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--allow-missing-columns", f->allow_missing_columns,
                "Treat a feature column absent from the data as missing in every row instead "
                "of failing (default: fail)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
