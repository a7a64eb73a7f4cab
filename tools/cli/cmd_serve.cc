// keel serve: an HTTP model server (Open Inference Protocol v2 and a record JSON API), assembled
// and run by usecase/serve.h. This file binds flags and prints.
#include <cstdio>

#include "command.h"
#include "usecase/serve.h"

namespace keel::cli {
namespace {

struct ServeFlags {
  CommonFlags common;
  usecase::ServeRequest request;
};

int Run(const ServeFlags& f) {
  ApplyCommonFlags(f.common);
  auto result = usecase::Serve(f.request, CommandContext(f.common, 1), nullptr,
                               [&](const usecase::ServeStarted& started) {
                                 // Tests and scripts wait for this line (port 0 picks a free port).
                                 std::fputs(started.ToText().c_str(), stderr);
                                 std::fflush(stderr);
                                 if (f.common.json) PrintJson(started.ToJson());
                               });
  if (!result.ok()) return ReportError(result.status(), f.common);
  return kExitOk;
}

}  // namespace

Command AddServeCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "serve",
      "Serve models over HTTP: Open Inference Protocol v2 (/v2/...), a record JSON API "
      "(/v1/models/NAME/predict, /explain, /rank, /drift), Prometheus /metrics, hot reload");
  auto f = std::make_shared<ServeFlags>();
  usecase::ServeRequest& r = f->request;
  AddCommonFlags(sub, &f->common);
  sub->add_option("--model,-m", r.models,
                  "A model to serve, as PATH or NAME=PATH (repeatable). NAME defaults to the "
                  "file name without extension and appears in the URL paths");
  sub->add_option("--challenger", r.challengers,
                  "A challenger for a served model, as NAME=PATH (repeatable, one per NAME): "
                  "it shares NAME's traffic as --traffic says, and both variants' answers go "
                  "to the prediction log with their variant (see docs/serving.md)");
  sub->add_option("--traffic", r.traffic,
                  "How challengers share traffic: shadow (the champion answers; the "
                  "challenger scores a copy off the request path, logged only) or "
                  "canary:PERCENT (that share of requests, chosen by a stable hash of their "
                  "id, is answered by the challenger) (default shadow)");
  sub->add_option("--shadow-queue", r.shadow_queue,
                  "Request copies waiting for a shadow challenger; beyond it copies are "
                  "dropped and counted, never delaying the champion (default 1000)")
      ->check(CLI::Range(1, 1 << 24));
  sub->add_option("--canary-max-error-rate", r.canary_max_error_rate,
                  "Take a canary challenger out of traffic when more than this share of its "
                  "requests fail (default 0 = off)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--canary-max-p99-ms", r.canary_max_p99_ms,
                  "Take a canary challenger out of traffic when its p99 scoring time exceeds "
                  "this many milliseconds (default 0 = off)")
      ->check(CLI::Range(0.0, 1e9));
  sub->add_option("--canary-max-anomaly-rate", r.canary_max_anomaly_rate,
                  "Take a canary challenger out of traffic when more than this share of its "
                  "requests, over a window of --canary-min-requests requests, have an input "
                  "anomaly (the answer's \"anomalies\" as the challenger's schema reads the "
                  "request: unseen category, out of range, wrong type...) (default 0 = off)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--canary-min-requests", r.canary_min_requests,
                  "Canary requests before the limits above are judged, and the length of the "
                  "anomaly-rate window (default 100)");
  sub->add_option("--feedback-late-after", r.feedback_late_after,
                  "Labels fed back (POST /v1/models/NAME/feedback) this long after their "
                  "prediction are counted as late: a number with unit d, h, m or s (default 7d)")
      ->check(RetentionCheck());
  sub->add_option("--host", r.host, "Address to listen on (default 127.0.0.1; 0.0.0.0 = all)");
  sub->add_option("--port,-p", r.port,
                  "TCP port (default 8080; 0 picks a free port, printed on stderr as "
                  "'keel: listening on http://HOST:PORT')");
  sub->add_option("--threads,-t", r.io_threads,
                  "I/O threads that parse, predict and answer (default 1: on a small machine "
                  "shared with the clients one thread is fastest; raise it on more cores)")
      ->check(CLI::Range(1, 256));
  sub->add_flag("--lenient", r.lenient,
                "Count (in /metrics) and ignore unknown fields and wrong-typed values instead "
                "of answering 400 (default: strict)");
  sub->add_flag("--allow-contract-change", r.allow_contract_change,
                "Let hot reloads (POST /v1/models/NAME/reload, SIGHUP, registry promotions) "
                "swap in a model that changes the request contract: features added, removed "
                "or of another kind, categories dropped, another task, classes or target "
                "(default: such reloads are refused with 409 and the old model keeps serving)");
  sub->add_option("--log-db", r.log_db,
                  "SQLite file of the prediction log (default keel_predictions.db in the "
                  "current directory; WAL mode), or a postgresql:// URL shared by servers");
  sub->add_flag("--no-log", r.no_log, "Do not keep a prediction log");
  sub->add_flag("--log-durable", r.log_durable,
                "Commit each prediction's log rows before answering (default off: rows are "
                "committed in batches within ~20 ms, ~0.2 s on PostgreSQL, and dropped and "
                "counted if the queue is full)");
  sub->add_option("--max-body-bytes", r.max_body_bytes,
                  "Largest request body; larger ones get 413 (default 1048576)");
  sub->add_option("--max-header-bytes", r.max_header_bytes,
                  "Largest request header; larger ones get 431 (default 16384)");
  sub->add_option("--max-instances", r.max_instances,
                  "Most instances (rows) in one request; more get 413 (default 1000)");
  sub->add_option("--max-connections", r.max_connections,
                  "Most open connections; more are answered 503 and closed (default 1024)")
      ->check(CLI::Range(1, 1 << 20));
  sub->add_option("--read-timeout-ms", r.read_timeout_ms,
                  "A request must arrive completely within this time from its first byte; "
                  "slower clients get 408 and are closed (default 10000)")
      ->check(CLI::Range(1, 3600000));
  sub->add_option("--idle-timeout-ms", r.idle_timeout_ms,
                  "Close a kept-alive connection idle this long (default 60000)")
      ->check(CLI::Range(1, 86400000));
  sub->add_option("--write-timeout-ms", r.write_timeout_ms,
                  "Close a connection whose client does not read its answer within this time "
                  "(default 10000)")
      ->check(CLI::Range(1, 3600000));
  sub->add_option("--shutdown-grace-ms", r.shutdown_grace_ms,
                  "On SIGTERM/SIGINT, wait this long for in-flight requests (default 10000)")
      ->check(CLI::Range(0, 3600000));
  sub->add_option("--drift-window-rows", r.drift_window_rows,
                  "Rows per live drift window: every answered instance feeds tumbling windows "
                  "compared with the model's training profile (GET /v1/models/NAME/drift, "
                  "keel_drift_* metrics); also the predictions per window of each challenger "
                  "variant's prediction drift (keel_variant_prediction_psi/_js); 0 = off "
                  "(default 10000)");
  sub->add_option("--admin-token-file", r.admin_token_file,
                  "File holding the bearer token of the admin routes (POST "
                  "/v1/models/NAME/reload); default: the KEEL_ADMIN_TOKEN environment "
                  "variable; with neither, admin routes are off");
  sub->add_option("--registry", r.registry,
                  "Serve the production version of every model in this registry (SQLite file "
                  "or postgresql:// URL) and follow promotions and rollbacks without a restart "
                  "(default: none; combinable with --model)");
  sub->add_option("--registry-poll-ms", r.registry_poll_ms,
                  "How often to check the registry for stage changes (default 1000)")
      ->check(CLI::Range(10, 3600000));
  sub->add_option("--log-retention", r.log_retention,
                  "Delete prediction-log rows older than this, at start and hourly: a number "
                  "with unit d, h, m or s (default: keep everything; see `keel log prune`)")
      ->check(RetentionCheck());
  sub->add_option("--objectives", r.objectives,
                  "Rank objectives kept by the server, as NAME=O.yaml for the model NAME or "
                  "O.yaml for every served model (repeatable; default: none). POST "
                  "/v1/models/NAME/rank uses them when the request has no \"objectives\". "
                  "Checked against the model's schema at start (an unknown name stops the "
                  "server) and re-read when the model is reloaded");
  sub->footer(
      "Environment: KEEL_ADMIN_TOKEN (admin bearer token), KEEL_PII_KEY (HMAC-SHA256 key for "
      "pii columns in the prediction log; without it they are dropped).\n"
      "Signals: SIGHUP reloads every model from its file (registry models follow the "
      "registry instead); SIGTERM/SIGINT drain and stop.\n"
      "See docs/serving.md for the routes and formats.");
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
