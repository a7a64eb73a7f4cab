// keel monitor: join a prediction log with labels that arrived later and report performance
// per window against the training performance; estimate it (CBPE) where labels are missing
// (usecase/monitor.h). This file binds flags and prints.
#include <chrono>
#include <cstdio>

#include "command.h"
#include "reader_flags.h"
#include "usecase/monitor.h"
#include "usecase/nats_monitor.h"
#include "window_flags.h"

namespace keel::cli {
namespace {

struct MonitorFlags {
  CommonFlags common;
  usecase::MonitorRequest request;
  int threads = 0;
  bool fail_on_degradation = false;
  // --from nats://: the merged drift view of `keel stream --from nats://` consumers.
  std::string from;
  usecase::NatsMonitorRequest nats;
  std::string until_idle, server_timeout = "30s", settle = "2m";
};

int RunNats(MonitorFlags& f) {
  usecase::NatsMonitorRequest& r = f.nats;
  r.source.url = f.from;
  r.model_path = f.request.model_path;
  if (f.request.options.by_time) r.window.size_micros = f.request.options.window_micros;
  Status st;
  if (r.model_path.empty() || r.source.stream.empty() || r.source.subject.empty()) {
    st = Status::InvalidArgument(
        "--from nats:// needs --model M.keel, --stream NAME and --subject SUBJECT");
  } else if (!f.request.log_path.empty() || !f.request.labels_path.empty()) {
    st = Status::InvalidArgument("--log and --labels read files; --from nats:// reads profiles");
  } else if (r.grace_windows < 0) {
    st = Status::InvalidArgument("--grace must be 0 or more windows");
  }
  int64_t micros = 0;
  if (st.ok() && !f.until_idle.empty()) {
    st = ParseDuration(f.until_idle, "--until-idle", &micros);
    r.until_idle = std::chrono::milliseconds(micros / 1000);
  }
  if (st.ok()) {
    st = ParseDuration(f.server_timeout, "--server-timeout", &micros);
    r.source.server_timeout = std::chrono::milliseconds(micros / 1000);
  }
  if (st.ok()) {
    st = f.settle == "0" ? Status::OK() : ParseDuration(f.settle, "--settle", &micros);
    r.settle = std::chrono::milliseconds(f.settle == "0" ? 0 : micros / 1000);
  }
  if (r.source.consumer.empty()) r.source.consumer = "keel-monitor";
  if (!st.ok()) return ReportUsageError(st, f.common);
  Context ctx = CommandContext(f.common, f.threads);
  auto result = usecase::MonitorNats(r, ctx, stdout);
  if (!result.ok()) return ReportError(result.status(), f.common);
  if (f.common.json) {
    PrintJson(result->ToJson());
  } else if (!f.common.quiet) {
    std::fputs(result->ToText().c_str(), stderr);
  }
  return kExitOk;
}

int Run(MonitorFlags& f) {
  ApplyCommonFlags(f.common);
  if (!f.from.empty()) {
    if (f.from.rfind("nats://", 0) != 0) {
      return ReportUsageError(
          Status::InvalidArgument("--from {}: expected a nats://HOST:PORT URL", f.from), f.common);
    }
    return RunNats(f);
  }
  if (f.request.log_path.empty() || f.request.labels_path.empty()) {
    return ReportUsageError(Status::InvalidArgument("--log and --labels are required (or --from "
                                                    "nats:// for the merged drift view)"),
                            f.common);
  }
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
                  "the time, and prob_<class> (or prediction) per line (required without --from)");
  sub->add_option("--labels", r.labels_path,
                  "Labels that arrived later: a file with the id and the label (required without "
                  "--from)");
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
  usecase::NatsMonitorRequest& n = f->nats;
  sub->add_option("--from", f->from,
                  "nats://HOST:PORT[,...]: instead of --log/--labels, merge the drift-window pane "
                  "profiles that `keel stream --from nats://` consumers publish into one view per "
                  "window (one JSON line per window on stdout; see docs/streaming.md)");
  sub->add_option("--stream", n.source.stream,
                  "NATS: the JetStream stream holding the pane profiles");
  sub->add_option("--subject", n.source.subject,
                  "NATS: the profiles' subject (the consumers' --profiles-to, default "
                  "<to>.profiles)");
  sub->add_option("--consumer", n.source.consumer,
                  "NATS: durable consumer name of this monitor; a new name reads the stream from "
                  "its start (default: keel-monitor)");
  sub->add_option("--grace", n.grace_windows,
                  "NATS: a window is final when every consumer that published has moved past "
                  "it, or when one consumer is this many windows past it (default: 2); either "
                  "way, not before --settle allows it");
  sub->add_option("--settle", f->settle,
                  "NATS: a window is also not final while an event stream sequence below the "
                  "rows of later windows is unaccounted for (e.g. held by a killed consumer "
                  "until redelivered); a sequence missing this long is given up (another "
                  "subject, deleted). Keep it longer than the consumers' --ack-wait; 0: do not "
                  "wait for sequences (default: 2m)");
  sub->add_option("--until-idle", f->until_idle,
                  "NATS: evaluate the windows left and exit after this long without a profile "
                  "(default: run until stopped)")
      ->check(DurationCheck("--until-idle"));
  sub->add_option("--server-timeout", f->server_timeout,
                  "NATS: exit with an error once the server has been unreachable this long "
                  "(default: 30s)")
      ->check(DurationCheck("--server-timeout"));
  sub->add_option("--min-window-rows", n.window.min_rows,
                  "NATS: windows with fewer rows are not evaluated (default: 100, as keel stream)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
