// keel stream: score JSON Lines from stdin, write predictions as JSON Lines to stdout, and
// watch drift windows against the model's training profile (usecase/stream.h); or consume the
// events from NATS JetStream and publish the predictions there (--from nats://,
// usecase/nats_stream.h). This file binds flags and prints.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "command.h"
#include "usecase/nats_stream.h"
#include "usecase/stream.h"
#include "window_flags.h"

namespace keel::cli {
namespace {

struct StreamFlags {
  CommonFlags common;
  usecase::StreamRequest request;
  std::string slide;
  int threads = 0;
  // --from nats://: the consumer's flags (the durations as given, read in RunNats).
  std::string from = "-";
  usecase::NatsStreamRequest nats;
  std::string ack_wait = "30s", server_timeout = "30s", max_idle;
};

// The CLI contract: the --json object goes to stdout (for stdin, as the last line, after the
// predictions: it is the only line with "ok"); without --json a one-line summary to stderr.
template <typename Result>
int PrintSummary(const Result& result, const CommonFlags& common) {
  if (!result.ok()) return ReportError(result.status(), common);
  if (common.json) {
    PrintJson(result->ToJson());
  } else if (!common.quiet) {
    std::fputs(result->ToText().c_str(), stderr);
  }
  return kExitOk;
}

// SIGINT/SIGTERM stop a NATS consumer after its current batch (its summary is printed).
std::shared_ptr<CancelFlag> g_stop;
extern "C" void StopOnSignal(int) {
  if (g_stop) g_stop->Cancel();
}

Status ReadMillis(const std::string& text, std::string_view flag, std::chrono::milliseconds* ms) {
  int64_t micros = 0;
  KEEL_RETURN_IF_ERROR(ParseDuration(text, flag, &micros));
  *ms = std::chrono::milliseconds(micros / 1000);
  return Status::OK();
}

int RunNats(StreamFlags& f) {
  usecase::NatsStreamRequest& r = f.nats;
  r.stream = f.request;
  r.source.url = f.from;
  Status st = ReadMillis(f.ack_wait, "--ack-wait", &r.source.ack_wait);
  if (st.ok()) st = ReadMillis(f.server_timeout, "--server-timeout", &r.source.server_timeout);
  if (st.ok() && !f.max_idle.empty()) st = ReadMillis(f.max_idle, "--max-idle", &r.max_idle);
  if (st.ok() && (r.to.empty() || r.source.stream.empty() || r.source.subject.empty() ||
                  r.source.consumer.empty())) {
    st = Status::InvalidArgument(
        "--from nats:// needs --stream NAME, --subject SUBJECT, --consumer NAME and --to SUBJECT");
  }
  if (st.ok() && r.stream.drift_windows) st = usecase::MergeableWindows(r.stream.options.window);
  if (!st.ok()) return ReportUsageError(st, f.common);
  Context ctx = CommandContext(f.common, f.threads);
  g_stop = std::make_shared<CancelFlag>();
  ctx.cancel = g_stop;
  std::signal(SIGINT, StopOnSignal);
  std::signal(SIGTERM, StopOnSignal);
  return PrintSummary(usecase::StreamNats(r, ctx, stderr), f.common);
}

// --slide is rows with --window and a duration with --window-time: read once both are known.
Status ApplySlide(const std::string& slide, drift::WindowOptions* w) {
  if (slide.empty()) return Status::OK();
  if (w->mode == drift::WindowOptions::Mode::kTime) {
    return ParseDuration(slide, "--slide", &w->slide_micros);
  }
  try {
    w->slide_rows = std::stoull(slide);
  } catch (...) {
    return Status::InvalidArgument(
        "--slide \"{}\": expected a number of rows with --window (durations go with "
        "--window-time)",
        slide);
  }
  return Status::OK();
}

int Run(StreamFlags& f) {
  ApplyCommonFlags(f.common);
  Status slide = ApplySlide(f.slide, &f.request.options.window);
  if (!slide.ok()) return ReportUsageError(slide, f.common);
  if (f.from.rfind("nats://", 0) == 0) return RunNats(f);
  if (f.from != "-") {
    return ReportUsageError(
        Status::InvalidArgument("--from {}: expected - (stdin) or a nats://HOST:PORT URL", f.from),
        f.common);
  }
  if (!f.nats.to.empty() || !f.nats.log_db.empty()) {
    return ReportUsageError(Status::InvalidArgument("--to and --log-db need --from nats://"),
                            f.common);
  }
  return PrintSummary(
      usecase::Stream(f.request, CommandContext(f.common, f.threads), STDIN_FILENO, stdout, stderr),
      f.common);
}

}  // namespace

Command AddStreamCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "stream",
      "Score JSON Lines read from stdin (one JSON object per line), write predictions as JSON "
      "Lines to stdout, and report drift windows against the model's training profile; or "
      "consume events from NATS JetStream (--from nats://) and publish the predictions there");
  auto f = std::make_shared<StreamFlags>();
  usecase::StreamRequest& r = f->request;
  drift::WindowOptions& w = r.options.window;
  sub->add_option("--model", r.model_path, "Model file (.keel)")->required();
  AddWindowFlags(
      sub, &w.size_rows,
      [&w](int64_t micros) {
        w.mode = drift::WindowOptions::Mode::kTime;
        w.size_micros = micros;
      },
      "Drift window size in rows (default: 10000; ignored with --window-time)",
      "Drift windows by event time instead of rows: a duration like 90s, 15m, 1h, 1d over the "
      "schema's time column (default: windows by row count)");
  sub->add_option("--slide", f->slide,
                  "Sliding windows: a new window every this many rows (with --window) or this "
                  "duration (with --window-time); must divide the window (default: the window "
                  "size, i.e. tumbling windows)");
  sub->add_option("--drift-events", r.events_path,
                  "Write drift events (one JSON object per line) to this file instead of stderr "
                  "(default: stderr)");
  sub->add_flag("--all-windows", r.options.all_windows,
                "Report every window (\"event\": \"window\" when it did not drift), not only "
                "drifting ones (default: off)");
  sub->add_flag_callback(
      "--no-drift", [&r] { r.drift_windows = false; },
      "Only score; no drift windows (default: off)");
  sub->add_option("--min-window-rows", w.min_rows,
                  "Windows with fewer rows are not evaluated (default: 100)");
  sub->add_option("--alpha", w.drift.alpha,
                  "Significance level for the features' corrected p-values (default: 0.05)")
      ->check(Interval(0, 1, true, true));
  sub->add_option("--drift-share", w.drift.drift_share,
                  "Share of drifted features at which a window counts as drifted (default: 0.5)")
      ->check(Interval(0, 1, true, false));
  sub->add_option("--js-threshold", w.drift.js_threshold,
                  "Jensen-Shannon distance for categorical features in large windows (default: "
                  "0.1)")
      ->check(Interval(0, 1, true, false));
  sub->add_option("--wasserstein-threshold", w.drift.wasserstein_threshold,
                  "Wasserstein distance in reference standard deviations for numeric features in "
                  "large windows (default: 0.1)");
  sub->add_option("--fairness-gate", w.fairness_gate,
                  "Demographic parity difference (max - min selection rate over the groups of a "
                  "sensitive attribute) above which a window raises a fairness alert "
                  "(default: 0.1)");
  sub->add_option("--min-group-rows", w.min_group_rows,
                  "Groups with fewer rows in a window are left out of its disparity (default: 30)");
  sub->add_option_function<double>(
         "--selection-threshold", [&r](double t) { r.selection_threshold = t; },
         "A prediction at or above this counts as selected in the group rates (default: the "
         "training profile's, 0.5 unless set when training)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--batch", r.options.batch_rows,
                  "Most lines decoded and predicted together; fewer when input arrives slowly "
                  "(default: 16384; with --from nats://, --max-inflight)");
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  usecase::NatsStreamRequest& n = f->nats;
  sub->add_option("--from", f->from,
                  "Where events come from: - (stdin) or nats://HOST:PORT[,nats://...] for a "
                  "NATS JetStream durable pull consumer (default: -)");
  sub->add_option("--stream", n.source.stream, "NATS: the JetStream stream holding the events");
  sub->add_option("--subject", n.source.subject,
                  "NATS: the events' subject within the stream, wildcards allowed (events.>)");
  sub->add_option("--consumer", n.source.consumer,
                  "NATS: durable consumer name; processes with the same name share the events "
                  "(created on first use)");
  sub->add_option("--to", n.to,
                  "NATS: subject the predictions are published to (a JetStream stream must "
                  "store it)");
  sub->add_option("--dead-letter", n.dead_letter,
                  "NATS: subject of the events that are no JSON object, with the reason in "
                  "their Keel-Error header (default: <to>.dead)");
  sub->add_option("--max-inflight", n.max_inflight,
                  "NATS: most messages fetched at once and held unacknowledged while scored "
                  "(default: 1000)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--ack-wait", f->ack_wait,
                  "NATS: a message not acknowledged this long after delivery is redelivered "
                  "(set when the consumer is created; default: 30s)")
      ->check(DurationCheck("--ack-wait"));
  sub->add_option("--server-timeout", f->server_timeout,
                  "NATS: exit with an error once the server has been unreachable this long "
                  "(reconnecting until then; default: 30s)")
      ->check(DurationCheck("--server-timeout"));
  sub->add_option("--max-idle", f->max_idle,
                  "NATS: exit (successfully) after this long without a message (default: run "
                  "until SIGINT/SIGTERM)")
      ->check(DurationCheck("--max-idle"));
  sub->add_option("--log-db", n.log_db,
                  "NATS: prediction log, a SQLite file or postgresql:// URL (the table of keel "
                  "serve --log-db; pii columns pseudonymized under $KEEL_PII_KEY or dropped); "
                  "a row is committed before its event is acknowledged, a redelivered event "
                  "logged once");
  sub->add_option("--metrics-port", n.metrics_port,
                  "NATS: serve Prometheus metrics (consumed, scored, published, rejected, "
                  "redelivered, duplicates, logged, lag) at http://HOST:PORT/metrics; 0 = any "
                  "free port (default: off)")
      ->check(CLI::Range(0, 65535));
  sub->add_option("--metrics-host", n.metrics_host,
                  "NATS: address the metrics port listens on (default: 127.0.0.1)");
  sub->add_option("--profiles-to", n.profiles_to,
                  "NATS: subject the drift windows' pane profiles are published to, for keel "
                  "monitor --from nats:// (a JetStream stream must store it; windows must be by "
                  "--window-time; default: <to>.profiles)");
  sub->add_option("--instance", n.instance,
                  "NATS: this process's name in its pane profiles (default: "
                  "<consumer>-<host>-<pid>)");
  AddCommonFlags(sub, &f->common);
  sub->footer(
      "Output: one JSON object per input line, in order, with the id and time columns passed "
      "through and prob_<class> (or prediction); an unreadable line gets {\"line\", \"error\"}.\n"
      "--json prints the final summary as one JSON object (with \"ok\") on stdout, after the "
      "last prediction; without --json a one-line summary goes to stderr.\n"
      "Window events are described in docs/drift.md.\n"
      "With --from nats://, each prediction (the same object) is published to --to and each "
      "event is acknowledged only once its prediction is stored; drift windows must then be by "
      "--window-time and are published as pane profiles (--profiles-to) for keel monitor "
      "--from nats://; see docs/streaming.md.");
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
