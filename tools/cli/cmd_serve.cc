// keel serve: an HTTP model server (Open Inference Protocol v2 and a record JSON API).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "core/file_io.h"
#include "core/log.h"
#include "keel/version_info.h"
#include "registry/postgres_database.h"
#include "registry/prediction_log_store.h"
#include "registry/sql_database.h"
#include "serve/database_prediction_log.h"
#include "serve/http_server.h"
#include "serve/log_retention.h"
#include "serve/model_store.h"
#include "serve/registry_watcher.h"
#include "serve/served_objectives.h"
#include "serve/service.h"

namespace keel::cli {
namespace {

struct ServeFlags {
  CommonFlags common;
  std::vector<std::string> models;
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 1;
  bool lenient = false;
  bool allow_contract_change = false;
  std::string log_db = "keel_predictions.db";
  bool no_log = false;
  bool log_durable = false;
  uint64_t max_body_bytes = 1 << 20;
  uint32_t max_header_bytes = 16 << 10;
  size_t max_instances = 1000;
  int max_connections = 1024;
  int read_timeout_ms = 10000;
  int idle_timeout_ms = 60000;
  int write_timeout_ms = 10000;
  int shutdown_grace_ms = 10000;
  std::string admin_token_file;
  uint64_t drift_window_rows = 10000;
  std::string registry;
  int registry_poll_ms = 1000;
  std::string log_retention;
  std::vector<std::string> objectives;  // [NAME=]PATH: server-side rank objectives
};

std::string Trimmed(std::string s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.pop_back();
  }
  return s;
}

std::string EnvOr(const char* name, std::string fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : fallback;
}

int RunServe(const ServeFlags& f) {
  ApplyCommonFlags(f.common);
  if (f.models.empty() && f.registry.empty()) {
    return ReportError(
        Status::InvalidArgument("give at least one --model [NAME=]PATH, or --registry URL"),
        f.common);
  }
  if (f.port < 0 || f.port > 65535) {
    return ReportError(Status::InvalidArgument("--port {} is not a TCP port", f.port), f.common);
  }

  serve::ModelStore store;
  serve::ServedModelOptions mo;
  mo.drift.window_rows = f.drift_window_rows;
  nlohmann::json models_json = nlohmann::json::array();
  std::vector<std::string> pii_columns;
  for (const std::string& spec : f.models) {
    std::string name, path;
    const size_t eq = spec.find('=');
    if (eq != std::string::npos) {
      name = spec.substr(0, eq);
      path = spec.substr(eq + 1);
    } else {
      path = spec;
      name = std::filesystem::path(path).stem().string();
    }
    auto model = serve::ServedModel::Load(name, path, mo);
    if (!model.ok()) return ReportError(model.status(), f.common);
    const auto& m = **model;
    log::Info("model '{}': {} ({} {}, {} features, {} trees, version {})", name, path,
              TaskName(m.model().task), m.kind_name(), m.num_features(), m.num_trees(),
              m.version());
    if (m.live_drift() == nullptr) {
      log::Info("model '{}': no live drift windows: {}", name, m.drift_off_reason());
    }
    if (m.explainer() == nullptr) {
      log::Warn("model '{}' cannot be explained (explain requests will fail): {}", name,
                m.explain_error());
    }
    for (const auto& c : m.model().schema.columns) {
      if (c.role == Role::kPii) pii_columns.push_back(name + "." + c.name);
    }
    models_json.push_back({{"name", name}, {"path", path}, {"version", m.version()}});
    if (Status st = store.Add(name, path, *model, mo); !st.ok()) return ReportError(st, f.common);
  }

  // Registry models: each name's production version, followed while serving.
  std::unique_ptr<serve::RegistryWatcher> watcher;
  if (!f.registry.empty()) {
    serve::RegistryWatcherOptions ro;
    ro.location = f.registry;
    ro.poll = std::chrono::milliseconds(f.registry_poll_ms);
    ro.model_options = mo;
    ro.allow_contract_change = f.allow_contract_change;
    auto opened = serve::RegistryWatcher::Open(ro, &store);
    if (!opened.ok()) return ReportError(opened.status(), f.common);
    watcher = std::move(opened).value();
    for (const auto& [name, version] : watcher->served()) {
      log::Info("model '{}': registry version {} (production)", name, version);
      models_json.push_back({{"name", name}, {"registry_version", version}});
      const auto* slot = store.Find(name);
      for (const auto& c : slot->Get()->model().schema.columns) {
        if (c.role == Role::kPii) pii_columns.push_back(name + "." + c.name);
      }
    }
  }

  // Server-side rank objectives, checked against each model now so a typo stops the start.
  serve::ServedObjectives served_objectives;
  for (const std::string& spec : f.objectives) {
    const size_t eq = spec.find('=');
    std::vector<std::string> names;
    const std::string path = eq == std::string::npos ? spec : spec.substr(eq + 1);
    if (eq != std::string::npos) {
      names.push_back(spec.substr(0, eq));
    } else {
      for (const auto* slot : store.All()) names.push_back(slot->name());
    }
    for (const std::string& name : names) {
      const auto* slot = store.Find(name);
      if (slot == nullptr) {
        std::vector<std::string> served;
        for (const auto* s : store.All()) served.push_back(s->name());
        return ReportError(Status::NotFound("--objectives {}: no model '{}' is served (models: {})",
                                            spec, name, fmt::join(served, ", ")),
                           f.common);
      }
      if (Status st = served_objectives.Add(name, path, *slot->Get()); !st.ok()) {
        return ReportError(st, f.common);
      }
      log::Info("model '{}': rank objectives from {}", name, path);
    }
  }

  serve::ServiceOptions so;
  so.rank_objectives = &served_objectives;
  so.lenient = f.lenient;
  so.allow_contract_change = f.allow_contract_change;
  so.max_instances = f.max_instances;
  so.max_body_bytes = f.max_body_bytes;
  so.server_version = KEEL_VERSION;
  so.pii_key = EnvOr("KEEL_PII_KEY");
  if (!f.admin_token_file.empty()) {
    auto token = ReadFile(f.admin_token_file);
    if (!token.ok()) return ReportError(token.status(), f.common);
    so.admin_token = Trimmed(*token);
    if (so.admin_token.empty()) {
      return ReportError(
          Status::InvalidArgument("--admin-token-file {} is empty", f.admin_token_file), f.common);
    }
  } else {
    so.admin_token = EnvOr("KEEL_ADMIN_TOKEN");
  }
  if (so.admin_token.empty()) {
    log::Info("admin routes (reload) are off: set KEEL_ADMIN_TOKEN or --admin-token-file");
  }

  std::unique_ptr<serve::PredictionLog> plog;
  std::unique_ptr<serve::LogRetention> retention;
  if (!f.no_log) {
    {
      serve::DatabaseLogOptions lo;
      lo.location = f.log_db;
      lo.durable = f.log_durable;
      auto opened = serve::DatabasePredictionLog::Open(lo);
      if (!opened.ok()) return ReportError(opened.status(), f.common);
      plog = std::move(opened).value();
    }
    if (!f.log_retention.empty()) {
      auto keep = registry::ParseRetention(f.log_retention);
      if (!keep.ok()) return ReportError(keep.status(), f.common);
      serve::LogRetentionOptions lr;
      lr.location = f.log_db;
      lr.retention_us = *keep;
      retention = std::make_unique<serve::LogRetention>(lr);
    }
    if (!pii_columns.empty() && so.pii_key.empty()) {
      log::Warn(
          "pii columns are dropped from the prediction log (set KEEL_PII_KEY to log "
          "them pseudonymized): {}",
          fmt::join(pii_columns, ", "));
    }
  }

  serve::HttpMetrics metrics;
  serve::Service service(so, &store, plog.get(), &metrics);
  serve::HttpServerOptions ho;
  ho.host = f.host;
  ho.port = static_cast<uint16_t>(f.port);
  ho.io_threads = f.threads;
  ho.max_connections = f.max_connections;
  ho.max_body_bytes = f.max_body_bytes;
  ho.max_header_bytes = f.max_header_bytes;
  ho.read_timeout = std::chrono::milliseconds(f.read_timeout_ms);
  ho.idle_timeout = std::chrono::milliseconds(f.idle_timeout_ms);
  ho.write_timeout = std::chrono::milliseconds(f.write_timeout_ms);
  ho.shutdown_grace = std::chrono::milliseconds(f.shutdown_grace_ms);
  auto server = serve::HttpServer::Create(ho, &service, &metrics);
  if (!server.ok()) return ReportError(server.status(), f.common);
  const uint16_t port = (*server)->port();
  service.SetReady(true);
  // Tests and scripts wait for this line (port 0 picks a free port).
  std::fprintf(stderr, "keel: listening on http://%s:%u\n", f.host.c_str(), port);
  std::fflush(stderr);
  if (f.common.json) {
    PrintJson({{"ok", true},
               {"listening", fmt::format("http://{}:{}", f.host, port)},
               {"port", port},
               {"models", models_json},
               {"prediction_log", f.no_log ? nlohmann::json(nullptr)
                                           : nlohmann::json(registry::RedactPassword(f.log_db))}});
  }
  if (watcher) watcher->StartPolling();
  (*server)->Run();
  if (watcher) watcher->Stop();
  retention.reset();
  if (plog) {
    plog->Close();
    const auto st = plog->stats();
    log::Info("prediction log: {} rows written, {} dropped", st.rows_written, st.rows_dropped);
  }
  log::Info("stopped");
  return kExitOk;
}

}  // namespace

Command AddServeCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "serve",
      "Serve models over HTTP: Open Inference Protocol v2 (/v2/...), a record JSON API "
      "(/v1/models/NAME/predict, /explain), Prometheus /metrics, hot reload");
  auto f = std::make_shared<ServeFlags>();
  AddCommonFlags(sub, &f->common);
  sub->add_option("--model,-m", f->models,
                  "A model to serve, as PATH or NAME=PATH (repeatable). NAME defaults to the "
                  "file name without extension and appears in the URL paths");
  sub->add_option("--host", f->host, "Address to listen on (default 127.0.0.1; 0.0.0.0 = all)");
  sub->add_option("--port,-p", f->port,
                  "TCP port (default 8080; 0 picks a free port, printed on stderr as "
                  "'keel: listening on http://HOST:PORT')");
  sub->add_option("--threads,-t", f->threads,
                  "I/O threads that parse, predict and answer (default 1: on a small machine "
                  "shared with the clients one thread is fastest; raise it on more cores)")
      ->check(CLI::Range(1, 256));
  sub->add_flag("--lenient", f->lenient,
                "Count (in /metrics) and ignore unknown fields and wrong-typed values instead "
                "of answering 400 (default: strict)");
  sub->add_flag("--allow-contract-change", f->allow_contract_change,
                "Let hot reloads (POST /v1/models/NAME/reload, SIGHUP, registry promotions) "
                "swap in a model that changes the request contract: features added, removed "
                "or of another kind, categories dropped, another task, classes or target "
                "(default: such reloads are refused with 409 and the old model keeps serving)");
  sub->add_option("--log-db", f->log_db,
                  "SQLite file of the prediction log (default keel_predictions.db in the "
                  "current directory; WAL mode), or a postgresql:// URL shared by servers");
  sub->add_flag("--no-log", f->no_log, "Do not keep a prediction log");
  sub->add_flag("--log-durable", f->log_durable,
                "Commit each prediction's log rows before answering (default off: rows are "
                "committed in batches within ~0.2 s, and dropped and counted if the queue is "
                "full)");
  sub->add_option("--max-body-bytes", f->max_body_bytes,
                  "Largest request body; larger ones get 413 (default 1048576)");
  sub->add_option("--max-header-bytes", f->max_header_bytes,
                  "Largest request header; larger ones get 431 (default 16384)");
  sub->add_option("--max-instances", f->max_instances,
                  "Most instances (rows) in one request; more get 413 (default 1000)");
  sub->add_option("--max-connections", f->max_connections,
                  "Most open connections; more are answered 503 and closed (default 1024)")
      ->check(CLI::Range(1, 1 << 20));
  sub->add_option("--read-timeout-ms", f->read_timeout_ms,
                  "A request must arrive completely within this time from its first byte; "
                  "slower clients get 408 and are closed (default 10000)")
      ->check(CLI::Range(1, 3600000));
  sub->add_option("--idle-timeout-ms", f->idle_timeout_ms,
                  "Close a kept-alive connection idle this long (default 60000)")
      ->check(CLI::Range(1, 86400000));
  sub->add_option("--write-timeout-ms", f->write_timeout_ms,
                  "Close a connection whose client does not read its answer within this time "
                  "(default 10000)")
      ->check(CLI::Range(1, 3600000));
  sub->add_option("--shutdown-grace-ms", f->shutdown_grace_ms,
                  "On SIGTERM/SIGINT, wait this long for in-flight requests (default 10000)")
      ->check(CLI::Range(0, 3600000));
  sub->add_option("--drift-window-rows", f->drift_window_rows,
                  "Rows per live drift window: every answered instance feeds tumbling windows "
                  "compared with the model's training profile (GET /v1/models/NAME/drift, "
                  "keel_drift_* metrics); 0 = off (default 10000)");
  sub->add_option("--admin-token-file", f->admin_token_file,
                  "File holding the bearer token of the admin routes (POST "
                  "/v1/models/NAME/reload); default: the KEEL_ADMIN_TOKEN environment "
                  "variable; with neither, admin routes are off");
  sub->add_option("--registry", f->registry,
                  "Serve the production version of every model in this registry (SQLite file "
                  "or postgresql:// URL) and follow promotions and rollbacks without a restart "
                  "(default: none; combinable with --model)");
  sub->add_option("--registry-poll-ms", f->registry_poll_ms,
                  "How often to check the registry for stage changes (default 1000)")
      ->check(CLI::Range(10, 3600000));
  sub->add_option("--log-retention", f->log_retention,
                  "Delete prediction-log rows older than this, at start and hourly: a number "
                  "with unit d, h, m or s (default: keep everything; see `keel log prune`)");
  sub->add_option("--objectives", f->objectives,
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
  return {sub, [f] { return RunServe(*f); }};
}

}  // namespace keel::cli
