// Service: the routes of `keel serve`, behind the HTTP transport (http_server.h).
//
//   GET  /v2/health/live                     {"live": true}
//   GET  /v2/health/ready                    {"ready": true}; 503 before models load and
//                                            while shutting down
//   GET  /v2                                 server metadata
//   GET  /v2/models/{name}[/versions/{v}]    model metadata (inputs, outputs)
//   GET  /v2/models/{name}[/versions/{v}]/ready
//   POST /v2/models/{name}[/versions/{v}]/infer    Open Inference Protocol (oip_request.h)
//   POST /v1/models/{name}/predict           record API (record_request.h, record_response.h)
//   POST /v1/models/{name}/explain           full SHAP vectors
//   POST /v1/models/{name}/reload            hot reload (admin: bearer token); 409 when the
//                                            new artifact changes the request contract
//   GET  /v1/models/{name}/drift             the live drift windows' last verdict
//   POST /v1/models/{name}/rank              multi-objective ranking of candidates (rank_route.h)
//   GET  /metrics                            Prometheus text format
// Errors answer {"error": "<message>"} with 400 (malformed or invalid request), 401/403
// (admin auth), 404 (route or model), 405 (method), 409 (a reload refused because it changes
// the request contract), 413 (too many instances), 415 (content type), 422 (a model that
// cannot do what was asked, a reload whose artifact fails to load or check), 500 (a bug).
//
// Request path: per connection, a simdjson parser and every decode/encode buffer are reused,
// so a predict request allocates nothing in the steady state (besides what the transport and
// the prediction log's batch need).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "serve/http_types.h"
#include "serve/metrics.h"
#include "serve/model_store.h"
#include "serve/prediction_log.h"

namespace keel::serve {

class RankRoute;
class ServedObjectives;

struct ServiceOptions {
  // Unknown fields and wrong types are counted and ignored instead of failing the request.
  bool lenient = false;
  size_t max_instances = 1000;
  // Largest request body (sizes the JSON parser).
  size_t max_body_bytes = 1 << 20;
  // Bearer token of the admin routes; empty = admin routes are off (403).
  std::string admin_token;
  // HMAC-SHA256 key for pii values in the prediction log; empty = pii is dropped.
  std::string pii_key;
  // Server name and version for GET /v2.
  std::string server_version;
  // Reloads (POST .../reload, SIGHUP) swap in a model even when it changes the request
  // contract (request_contract.h); without it such a reload is refused with 409, unless the
  // request adds ?allow_contract_change=true.
  bool allow_contract_change = false;
  // Objectives configured per model for POST .../rank requests without their own
  // (served_objectives.h); null = none. Must outlive the service.
  ServedObjectives* rank_objectives = nullptr;
};

class Service final : public HttpHandler {
 public:
  // `store` and `metrics` must outlive the service; `log` may be null (no prediction log).
  // Starts the drift thread, which feeds the models' live drift windows every 200 ms.
  Service(ServiceOptions options, ModelStore* store, PredictionLog* log, HttpMetrics* metrics);
  ~Service() override;

  std::unique_ptr<ConnectionState> NewConnection() override;
  void Handle(const HttpRequest& request, ConnectionState* state, HttpResponse* response) override;
  void OnReloadSignal() override;
  void OnShutdownStarted() override { SetReady(false); }

  // Readiness for /v2/health/ready (false before startup completes and during shutdown).
  void SetReady(bool ready) { ready_.store(ready, std::memory_order_release); }

  // Appends the Prometheus text of every metric (HTTP, models, prediction log).
  void AppendMetrics(std::string* out) const;

 private:
  class Connection;
  void Dispatch(const HttpRequest& request, Connection* conn, HttpResponse* response);
  void Predict(const HttpRequest& request, ModelSlot* slot, bool explain, Connection* conn,
               HttpResponse* response);
  void Infer(const HttpRequest& request, ModelSlot* slot, Connection* conn, HttpResponse* response);
  void Reload(const HttpRequest& request, ModelSlot* slot, HttpResponse* response);
  bool Authorized(const HttpRequest& request, HttpResponse* response) const;
  void LogInstances(const class ServedModel& model, Connection* conn, HttpResponse* response);
  void Drift(ModelSlot* slot, HttpResponse* response);
  void Rank(const HttpRequest& request, ModelSlot* slot, HttpResponse* response);
  void RunDriftThread();
  void ObserveValues(const ServedModel& model, const float* rows, size_t n,
                     const double* values) const;

  ServiceOptions options_;
  ModelStore* store_;
  PredictionLog* log_;
  HttpMetrics* metrics_;
  std::atomic<bool> ready_{false};
  // Random per process, so generated request ids do not repeat across restarts.
  uint32_t request_id_prefix_ = 0;
  std::atomic<uint64_t> next_request_id_{1};

  std::mutex drift_mu_;
  std::condition_variable drift_cv_;
  bool stopping_ = false;
  std::thread drift_thread_;
  std::unique_ptr<RankRoute> rank_route_;  // POST /v1/models/{name}/rank (rank_route.h)
};

}  // namespace keel::serve
