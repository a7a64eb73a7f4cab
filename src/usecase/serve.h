// `keel serve`: a model server assembled from settings and run until stopped. The models of
// --model files and of a registry (their production versions, followed while serving), the
// prediction log (SQLite file or PostgreSQL, with retention), server-side rank objectives,
// admin auth, and the HTTP transport's limits and timeouts: every setting is a ServeRequest
// field with its default, so the command line and a Python binding assemble the same server.
//
// Environment, read at start: KEEL_ADMIN_TOKEN (the admin token when no file is given),
// KEEL_PII_KEY (HMAC key for pii columns in the prediction log; without it they are dropped).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/context.h"
#include "keel/status.h"
#include "serve/prediction_log.h"
#include "usecase/log.h"

namespace keel::serve {
class HttpServer;
}

namespace keel::usecase {

struct ServeRequest {
  // What to serve.
  std::vector<std::string> models;  // [NAME=]PATH, repeatable; NAME defaults to the file stem
  std::string registry;  // serve each production version here, follow stage changes; "" = none
  int registry_poll_ms = 1000;          // how often the registry is checked for stage changes
  std::vector<std::string> objectives;  // rank objectives [NAME=]O.yaml; no NAME = every model
  uint64_t drift_window_rows = 10000;   // rows per live drift window; 0 = off
  // Challengers (serve/challenger.h): NAME=PATH, a second model for the served model NAME.
  std::vector<std::string> challengers;
  std::string traffic = "shadow";      // "shadow" or "canary:PERCENT" (serve/traffic_split.h)
  size_t shadow_queue = 1000;          // request copies waiting for a shadow challenger
  double canary_max_error_rate = 0;    // guard rails; 0 = off
  double canary_max_p99_ms = 0;        // p99 of the canary's scoring time; 0 = off
  double canary_max_anomaly_rate = 0;  // share of canary requests with an input anomaly; 0 = off
  uint64_t canary_min_requests = 100;  // canary requests before the guard rails judge
  // Labels fed back (POST .../feedback) this long after their prediction count as late.
  std::string feedback_late_after = "7d";

  // Requests.
  bool lenient = false;  // count and ignore unknown fields and wrong types instead of 400
  bool allow_contract_change = false;  // reloads may change the request contract
  size_t max_instances = 1000;         // per request; more get 413
  std::string admin_token_file;        // "" = $KEEL_ADMIN_TOKEN; neither = admin routes off

  // The prediction log.
  std::string log_db = kDefaultPredictionLog;  // SQLite file or postgresql:// URL
  bool no_log = false;
  bool log_durable = false;   // commit each prediction's rows before answering
  std::string log_retention;  // delete rows older than this ("90d"), at start and hourly; "" = keep

  // The HTTP transport (serve/http_server.h).
  std::string host = "127.0.0.1";
  int port = 8080;     // 0 = any free port (ServeStarted::port)
  int io_threads = 1;  // threads that parse, predict and answer
  uint64_t max_body_bytes = 1 << 20;
  uint32_t max_header_bytes = 16 << 10;
  int max_connections = 1024;
  int read_timeout_ms = 10000;
  int idle_timeout_ms = 60000;
  int write_timeout_ms = 10000;
  int shutdown_grace_ms = 10000;  // a stop waits this long for in-flight requests
  // SIGTERM/SIGINT stop the server and SIGHUP reloads every model from its file. Off for a
  // caller with signal handling of its own, which stops the server with ServeControl.
  bool handle_signals = true;
};

// The server once it listens: what Serve reports to its caller before serving.
struct ServeStarted {
  std::string host;
  uint16_t port = 0;
  // {"name", "path", "version"} per --model file, {"name", "registry_version"} per registry
  // model, in load order.
  nlohmann::json models = nlohmann::json::array();
  std::string prediction_log;  // its location without a password; "" = no log

  // {"ok", "listening", "port", "models", "prediction_log"}: `keel serve --json`.
  nlohmann::json ToJson() const;
  // "keel: listening on http://HOST:PORT", the line scripts wait for.
  std::string ToText() const;
};

struct ServeResult {
  ServeStarted started;
  serve::PredictionLogStats log;  // rows written and dropped over the run (zero without a log)
};

class ServeControl;

// Loads the models (a --model file that fails to load, a registry without a production
// version, an objectives file that does not fit its model: each stops the start with its
// error), opens the prediction log, binds the port, calls `on_started` (on the calling thread,
// before serving), and serves until stopped by a signal (handle_signals) or `control`. Then
// stops following the registry, flushes the prediction log and returns. Warnings (pii columns
// dropped from the log, models that cannot be explained, admin routes off) go to the log.
// Errors: InvalidArgument (no model or registry, a bad port, an empty admin token file, a bad
// retention), NotFound (objectives for a model not served), those of loading the models, the
// registry, the log and binding the port.
Result<ServeResult> Serve(const ServeRequest& request, const Context& ctx,
                          ServeControl* control = nullptr,
                          const std::function<void(const ServeStarted&)>& on_started = {});

// Stops a running Serve from another thread (a signal handler's, a Python caller's).
class ServeControl {
 public:
  // Starts a graceful shutdown: no new connections, in-flight requests finish (within
  // shutdown_grace_ms). Thread-safe; called before the server listens, Serve stops as soon as
  // it has started.
  void Stop();

 private:
  friend Result<ServeResult> Serve(const ServeRequest&, const Context&, ServeControl*,
                                   const std::function<void(const ServeStarted&)>&);
  // Serve's: the server to stop while it runs (null once it has returned).
  void Attach(serve::HttpServer* server);

  std::mutex mu_;
  serve::HttpServer* server_ = nullptr;
  bool stop_requested_ = false;
};

}  // namespace keel::usecase
