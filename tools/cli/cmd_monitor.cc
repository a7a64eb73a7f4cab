// keel monitor: join a prediction log with labels that arrived later and report performance
// per window against the training performance; estimate it (CBPE) where labels are missing
// (usecase/monitor.h). This file binds flags and prints.
#include <cstdio>

#include "command.h"
#include "reader_flags.h"
#include "usecase/monitor.h"
#include "window_flags.h"

namespace keel::cli {
namespace {

struct MonitorFlags {
  CommonFlags common;
  usecase::MonitorRequest request;
  int threads = 0;
  bool fail_on_degradation = false;
};

int Run(const MonitorFlags& f) {
  ApplyCommonFlags(f.common);
  auto result = usecase::Monitor(f.request, CommandContext(f.common, f.threads));
  if (!result.ok()) return ReportError(result.status(), f.common);
  PrintOutput(*result, f.common);
  return f.fail_on_degradation && result->degraded_windows() > 0 ? 3 : kExitOk;
}

}  // namespace

Command AddMonitorCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "monitor",
      "Join a prediction log with labels that arrived later (by id) and report performance per "
      "window against training; where labels are missing, estimate it from the predicted "
      "probabilities (CBPE) and say so");
  auto f = std::make_shared<MonitorFlags>();
  usecase::MonitorRequest& r = f->request;
  drift::MonitorOptions& o = r.options;
  sub->add_option("--log", r.log_path,
                  "Prediction log, JSON Lines (the output of `keel stream`): the id, optionally "
                  "the time, and prob_<class> (or prediction) per line")
      ->required();
  sub->add_option("--labels", r.labels_path,
                  "Labels that arrived later: a file with the id and the label")
      ->required();
  sub->add_option("--model", r.model_path,
                  "The model that made the predictions: its classes, id/time/target columns and "
                  "training metrics (default: none; read the setup off the files)");
  AddWindowFlags(
      sub, &o.window_rows,
      [&o](int64_t micros) {
        o.by_time = true;
        o.window_micros = micros;
      },
      "Log rows per window (default: 10000)",
      "Windows by the log's time column instead: 1h, 1d, 1w ... (default: by rows)");
  sub->add_option("--id", r.id_column,
                  "Id column joining the two files (default: the model's id-role "
                  "column, else \"id\")");
  sub->add_option("--label-column", r.label_column,
                  "Label column of the labels file (default: the model's target, else the "
                  "labels file's only other column)");
  sub->add_option("--time", r.time_column,
                  "Time column of the log (default: the model's time-role column)");
  sub->add_option("--positive", r.positive,
                  "Positive class without --model (default: the last prob_ column)");
  sub->add_option("--threshold", o.threshold,
                  "Predict positive when P(positive) >= this, for accuracy, precision, recall "
                  "and F1 (default: 0.5)")
      ->check(Interval(0, 1, true, true));
  sub->add_option("--tolerance", o.tolerance,
                  "A window is degraded when its AUC (or accuracy) is more than this below the "
                  "training value, or its RMSE more than this fraction above (default: 0.05)");
  sub->add_option("--min-labels", o.min_labels,
                  "Labels a window needs before its realized metric is judged instead of the "
                  "estimate (default: 50)");
  AddDecimalFlag(sub, &r.decimal);
  sub->add_option("--threads", f->threads, "Worker threads for reading; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--fail-on-degradation", f->fail_on_degradation,
                "Exit with status 3 when a window degraded (default: exit 0)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
