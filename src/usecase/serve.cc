#include "usecase/serve.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "core/file_io.h"
#include "core/log.h"
#include "keel/version_info.h"
#include "registry/postgres_database.h"
#include "registry/prediction_log_store.h"
#include "serve/challenger.h"
#include "serve/database_prediction_log.h"
#include "serve/feedback.h"
#include "serve/http_server.h"
#include "serve/log_retention.h"
#include "serve/model_store.h"
#include "serve/registry_watcher.h"
#include "serve/served_objectives.h"
#include "serve/service.h"

namespace keel::usecase {
namespace {

std::string EnvOr(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

std::string TrimmedRight(std::string s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.pop_back();
  }
  return s;
}

// What the models being loaded add to the start report and to the pii warning.
struct LoadedModels {
  nlohmann::json* report;
  std::vector<std::string> pii_columns;  // NAME.COLUMN of every pii column served

  void NotePii(const std::string& name, const Model& model) {
    for (const auto& c : model.schema.columns) {
      if (c.role == Role::kPii) pii_columns.push_back(name + "." + c.name);
    }
  }
};

// The --model files: each [NAME=]PATH loaded into `store`.
Status LoadModelFiles(const std::vector<std::string>& specs, const serve::ServedModelOptions& mo,
                      serve::ModelStore* store, LoadedModels* loaded) {
  for (const std::string& spec : specs) {
    const size_t eq = spec.find('=');
    const std::string path = eq == std::string::npos ? spec : spec.substr(eq + 1);
    const std::string name =
        eq == std::string::npos ? std::filesystem::path(path).stem().string() : spec.substr(0, eq);
    KEEL_ASSIGN_OR_RETURN(std::shared_ptr<const serve::ServedModel> model,
                          serve::ServedModel::Load(name, path, mo));
    const serve::ServedModel& m = *model;
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
    loaded->NotePii(name, m.model());
    loaded->report->push_back({{"name", name}, {"path", path}, {"version", m.version()}});
    KEEL_RETURN_IF_ERROR(store->Add(name, path, std::move(model), mo));
  }
  return Status::OK();
}

// What every challenger shares (the traffic split is set by the caller).
serve::ChallengerOptions ChallengerSettings(const ServeRequest& r, const std::string& pii_key,
                                            serve::PredictionLog* log) {
  serve::ChallengerOptions co;
  co.shadow_queue = r.shadow_queue;
  co.canary_max_error_rate = r.canary_max_error_rate;
  co.canary_max_p99_ms = r.canary_max_p99_ms;
  co.canary_max_anomaly_rate = r.canary_max_anomaly_rate;
  co.drift_window_rows = r.drift_window_rows;
  co.canary_min_requests = r.canary_min_requests;
  co.lenient = r.lenient;
  co.max_instances = r.max_instances;
  co.pii_key = pii_key;
  co.log = log;
  return co;
}

// The registry's production versions, loaded into `store` and followed while serving.
Result<std::unique_ptr<serve::RegistryWatcher>> FollowRegistry(const ServeRequest& r,
                                                               const serve::ServedModelOptions& mo,
                                                               serve::ModelStore* store,
                                                               serve::Challengers* challengers,
                                                               LoadedModels* loaded) {
  serve::RegistryWatcherOptions ro;
  if (!r.traffic.empty()) {
    // Staging versions are challengers; the log and pii key are set once known.
    ro.challengers = challengers;
    ro.challenger_options = ChallengerSettings(r, EnvOr("KEEL_PII_KEY"), nullptr);
    KEEL_ASSIGN_OR_RETURN(ro.challenger_options.split, serve::TrafficSplit::Parse(r.traffic));
  }
  ro.location = r.registry;
  ro.poll = std::chrono::milliseconds(r.registry_poll_ms);
  ro.model_options = mo;
  ro.allow_contract_change = r.allow_contract_change;
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<serve::RegistryWatcher> watcher,
                        serve::RegistryWatcher::Open(ro, store));
  const auto staging = watcher->challengers();
  for (const auto& [name, version] : watcher->served()) {
    log::Info("model '{}': registry version {} (production)", name, version);
    loaded->report->push_back({{"name", name}, {"registry_version", version}});
    if (auto it = staging.find(name); it != staging.end()) {
      loaded->report->back()["challenger"] = {{"registry_version", it->second},
                                              {"traffic", r.traffic}};
    }
    loaded->NotePii(name, store->Find(name)->Get()->model());
  }
  return watcher;
}

// Server-side rank objectives, checked against each model now so a typo stops the start.
Status LoadObjectives(const std::vector<std::string>& specs, const serve::ModelStore& store,
                      serve::ServedObjectives* objectives) {
  for (const std::string& spec : specs) {
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
        return Status::NotFound("--objectives {}: no model '{}' is served (models: {})", spec, name,
                                fmt::join(served, ", "));
      }
      KEEL_RETURN_IF_ERROR(objectives->Add(name, path, *slot->Get()));
      log::Info("model '{}': rank objectives from {}", name, path);
    }
  }
  return Status::OK();
}

// The bearer token of the admin routes: the file's content, else $KEEL_ADMIN_TOKEN, else none.
Result<std::string> AdminToken(const std::string& token_file) {
  std::string token;
  if (!token_file.empty()) {
    KEEL_ASSIGN_OR_RETURN(std::string text, ReadFile(token_file));
    token = TrimmedRight(std::move(text));
    if (token.empty()) {
      return Status::InvalidArgument("--admin-token-file {} is empty", token_file);
    }
  } else {
    token = EnvOr("KEEL_ADMIN_TOKEN");
  }
  if (token.empty()) {
    log::Info("admin routes (reload) are off: set KEEL_ADMIN_TOKEN or --admin-token-file");
  }
  return token;
}

// The prediction log and its retention, or nulls with --no-log.
struct OpenedLog {
  std::unique_ptr<serve::PredictionLog> log;
  std::unique_ptr<serve::LogRetention> retention;
};

Result<OpenedLog> OpenLog(const ServeRequest& r) {
  OpenedLog opened;
  if (r.no_log) return opened;
  serve::DatabaseLogOptions lo;
  lo.location = r.log_db;
  lo.durable = r.log_durable;
  KEEL_ASSIGN_OR_RETURN(opened.log, serve::DatabasePredictionLog::Open(lo));
  if (!r.log_retention.empty()) {
    KEEL_ASSIGN_OR_RETURN(const int64_t keep, registry::ParseRetention(r.log_retention));
    serve::LogRetentionOptions lr;
    lr.location = r.log_db;
    lr.retention_us = keep;
    opened.retention = std::make_unique<serve::LogRetention>(lr);
  }
  return opened;
}

// The --challenger files: each NAME=PATH the challenger of the served model NAME, which it
// must not change the request contract of (canary answers go to the same clients) unless
// contract changes are allowed.
Status LoadChallengers(const ServeRequest& r, const serve::ServedModelOptions& mo,
                       const serve::ModelStore& store, const std::string& pii_key,
                       serve::PredictionLog* log, serve::Challengers* out, nlohmann::json* report) {
  if (r.challengers.empty()) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(const serve::TrafficSplit split,
                        serve::TrafficSplit::Parse(r.traffic.empty() ? "shadow" : r.traffic));
  serve::ServedModelOptions cmo = mo;
  cmo.drift.window_rows = 0;  // live drift windows follow the champion
  for (const std::string& spec : r.challengers) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument(
          "--challenger {}: give NAME=PATH, NAME being a model served with --model", spec);
    }
    const std::string name = spec.substr(0, eq);
    const std::string path = spec.substr(eq + 1);
    const serve::ModelSlot* slot = store.Find(name);
    if (slot == nullptr) {
      std::vector<std::string> served;
      for (const auto* s : store.All()) served.push_back(s->name());
      return Status::NotFound("--challenger {}: no model '{}' is served (models: {})", spec, name,
                              fmt::join(served, ", "));
    }
    KEEL_ASSIGN_OR_RETURN(std::shared_ptr<const serve::ServedModel> model,
                          serve::ServedModel::Load(name, path, cmo));
    const auto changes = serve::CompareRequestContract(*slot->Get(), *model);
    if (!changes.empty() && !r.allow_contract_change) {
      return Status::FailedPrecondition(
          "--challenger {}: it changes the request contract of model '{}' ({}); its answers "
          "would not fit the champion's clients (start with --allow-contract-change to serve "
          "it anyway)",
          spec, name, serve::DescribeContractChanges(changes));
    }
    serve::ChallengerOptions co = ChallengerSettings(r, pii_key, log);
    co.split = split;
    log::Info("model '{}': challenger {} (version {}), traffic {}", name, path, model->version(),
              split.ToString());
    for (auto& m : *report) {
      if (m.value("name", "") == name) {
        m["challenger"] = {
            {"path", path}, {"version", model->version()}, {"traffic", split.ToString()}};
      }
    }
    KEEL_RETURN_IF_ERROR(
        out->Add(std::make_unique<serve::Challenger>(name, std::move(model), path, co)));
  }
  return Status::OK();
}

serve::HttpServerOptions TransportOptions(const ServeRequest& r) {
  serve::HttpServerOptions ho;
  ho.host = r.host;
  ho.port = static_cast<uint16_t>(r.port);
  ho.io_threads = r.io_threads;
  ho.max_connections = r.max_connections;
  ho.max_body_bytes = r.max_body_bytes;
  ho.max_header_bytes = r.max_header_bytes;
  ho.read_timeout = std::chrono::milliseconds(r.read_timeout_ms);
  ho.idle_timeout = std::chrono::milliseconds(r.idle_timeout_ms);
  ho.write_timeout = std::chrono::milliseconds(r.write_timeout_ms);
  ho.shutdown_grace = std::chrono::milliseconds(r.shutdown_grace_ms);
  ho.handle_signals = r.handle_signals;
  return ho;
}

}  // namespace

nlohmann::json ServeStarted::ToJson() const {
  return {{"ok", true},
          {"listening", fmt::format("http://{}:{}", host, port)},
          {"port", port},
          {"models", models},
          {"prediction_log",
           prediction_log.empty() ? nlohmann::json(nullptr) : nlohmann::json(prediction_log)}};
}

std::string ServeStarted::ToText() const {
  return fmt::format("keel: listening on http://{}:{}\n", host, port);
}

void ServeControl::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_requested_ = true;
  if (server_ != nullptr) server_->Shutdown();
}

void ServeControl::Attach(serve::HttpServer* server) {
  std::lock_guard<std::mutex> lock(mu_);
  server_ = server;
  if (server_ != nullptr && stop_requested_) server_->Shutdown();
}

Result<ServeResult> Serve(const ServeRequest& r, const Context& ctx, ServeControl* control,
                          const std::function<void(const ServeStarted&)>& on_started) {
  KEEL_RETURN_IF_ERROR(ctx.CheckCancelled("serve"));
  if (r.models.empty() && r.registry.empty()) {
    return Status::InvalidArgument("give at least one --model [NAME=]PATH, or --registry URL");
  }
  if (r.port < 0 || r.port > 65535) {
    return Status::InvalidArgument("--port {} is not a TCP port", r.port);
  }

  ServeResult result;
  ServeStarted& started = result.started;
  serve::ModelStore store;
  serve::ServedModelOptions mo;
  mo.drift.window_rows = r.drift_window_rows;
  LoadedModels loaded{&started.models, {}};
  KEEL_RETURN_IF_ERROR(LoadModelFiles(r.models, mo, &store, &loaded));
  // Declared before the watcher, which adds to it, and the service, which reads it.
  serve::Challengers challengers;
  std::unique_ptr<serve::RegistryWatcher> watcher;
  if (!r.registry.empty()) {
    KEEL_ASSIGN_OR_RETURN(watcher, FollowRegistry(r, mo, &store, &challengers, &loaded));
  }
  serve::ServedObjectives objectives;
  KEEL_RETURN_IF_ERROR(LoadObjectives(r.objectives, store, &objectives));

  serve::ServiceOptions so;
  so.rank_objectives = &objectives;
  so.lenient = r.lenient;
  so.allow_contract_change = r.allow_contract_change;
  so.max_instances = r.max_instances;
  so.max_body_bytes = r.max_body_bytes;
  so.server_version = KEEL_VERSION;
  so.pii_key = EnvOr("KEEL_PII_KEY");
  KEEL_ASSIGN_OR_RETURN(so.admin_token, AdminToken(r.admin_token_file));

  KEEL_ASSIGN_OR_RETURN(OpenedLog plog, OpenLog(r));
  if (plog.log != nullptr && !loaded.pii_columns.empty() && so.pii_key.empty()) {
    log::Warn(
        "pii columns are dropped from the prediction log (set KEEL_PII_KEY to log "
        "them pseudonymized): {}",
        fmt::join(loaded.pii_columns, ", "));
  }
  if (plog.log != nullptr) {
    started.prediction_log = registry::RedactPassword(r.log_db);
    so.log_location = r.log_db;
  }

  KEEL_RETURN_IF_ERROR(
      LoadChallengers(r, mo, store, so.pii_key, plog.log.get(), &challengers, &started.models));
  if (watcher) watcher->SetChallengerLog(plog.log.get());
  std::unique_ptr<serve::FeedbackWriter> feedback;
  if (plog.log != nullptr) {
    KEEL_ASSIGN_OR_RETURN(const int64_t late, registry::ParseRetention(r.feedback_late_after));
    KEEL_ASSIGN_OR_RETURN(feedback, serve::FeedbackWriter::Open(r.log_db, late));
    so.feedback = feedback.get();
  }
  so.challengers = &challengers;

  serve::HttpMetrics metrics;
  serve::Service service(so, &store, plog.log.get(), &metrics);
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<serve::HttpServer> server,
                        serve::HttpServer::Create(TransportOptions(r), &service, &metrics));
  started.host = r.host;
  started.port = server->port();
  service.SetReady(true);
  if (on_started) on_started(started);
  if (control != nullptr) control->Attach(server.get());
  if (watcher) watcher->StartPolling();
  server->Run();
  if (control != nullptr) control->Attach(nullptr);
  if (watcher) watcher->Stop();
  challengers.StopShadows();  // their last rows reach the log before it closes
  plog.retention.reset();
  if (plog.log != nullptr) {
    plog.log->Close();
    result.log = plog.log->stats();
    log::Info("prediction log: {} rows written, {} dropped", result.log.rows_written,
              result.log.rows_dropped);
  }
  log::Info("stopped");
  return result;
}

}  // namespace keel::usecase
