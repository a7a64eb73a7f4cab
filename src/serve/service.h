// Service: the routes of `keel serve`, behind the HTTP transport (http_server.h). Its route
// table (service.cc, listed by Routes()) holds, per route, the method, the path pattern
// (route_table.h) and the handler:
//
//   GET  /v2/health/live                     {"live": true}
//   GET  /v2/health/ready                    {"ready": true}; 503 before models load and
//                                            while shutting down
//   GET  /v2                                 server metadata
//   GET  /v2/models/{name}[/versions/{version}]          model metadata (inputs, outputs)
//   GET  /v2/models/{name}[/versions/{version}]/ready
//   POST /v2/models/{name}[/versions/{version}]/infer    Open Inference Protocol (oip_request.h)
//   POST /v1/models/{name}/predict           record API (record_request.h, record_response.h)
//   POST /v1/models/{name}/explain           full SHAP vectors
//   POST /v1/models/{name}/reload            hot reload (admin: bearer token); 409 when the
//                                            new artifact changes the request contract
//   GET  /v1/models/{name}/drift             the live drift windows' last verdict
//   POST /v1/models/{name}/rank              multi-objective ranking of candidates (rank_route.h)
//   POST /v1/models/{name}/feedback          labels fed back for logged predictions (feedback.h)
//   GET  /v1/models/{name}/challenger        the challenger's traffic, counters and, on the
//                                            labeled traffic, the gate (challenger.h)
//   GET  /metrics                            Prometheus text format (server_metrics.h)
//
// A request is checked in this order, the first failure answering: the path names a route
// (404), the method is the route's (405), admin auth (401/403), a JSON content type (415), the
// model is served (404), the version, when the path names one, is the one serving (404).
// Errors answer {"error": "<message>"} (error_response.h) with 400 (malformed or invalid
// request), 404, 405, 409 (a reload refused because it changes the request contract), 413
// (too many instances), 415, 422 (a model that cannot do what was asked, a reload whose
// artifact fails to load or check), 500 (a bug).
//
// Request path: per connection, a simdjson parser and every decode/encode buffer are reused,
// so a predict request allocates nothing in the steady state (besides what the transport and
// the prediction log's batch need).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "serve/drift_feeder.h"
#include "serve/http_types.h"
#include "serve/metrics.h"
#include "serve/model_store.h"
#include "serve/prediction_log.h"
#include "serve/request_logging.h"

namespace keel::serve {

class Challenger;
class Challengers;
class FeedbackWriter;
class RankRoute;
struct RecordOptions;
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
  // Challengers by model name (challenger.h): shadow or canary traffic on the predict route;
  // null = none. Must outlive the service.
  Challengers* challengers = nullptr;
  // Where POST /v1/models/{name}/feedback stores labels (feedback.h); null = no prediction
  // log, the route answers 422. Must outlive the service.
  FeedbackWriter* feedback = nullptr;
  // Most labels in one feedback request.
  size_t max_labels = 100000;
  // The prediction log's location, which GET /v1/models/{name}/challenger reads for the gate
  // on labeled traffic (challenger_report.h); "" = none.
  std::string log_location;
};

// One row of the route table, for documentation and tests.
struct RouteInfo {
  Route route;
  std::string_view method;   // "GET" or "POST"
  std::string_view pattern;  // e.g. "/v1/models/{name}/predict"
};

class Service final : public HttpHandler {
 public:
  // `store` and `metrics` must outlive the service; `log` may be null (no prediction log).
  // Starts the drift thread (drift_feeder.h), which feeds the models' live drift windows.
  Service(ServiceOptions options, ModelStore* store, PredictionLog* log, HttpMetrics* metrics);
  ~Service() override;

  std::unique_ptr<ConnectionState> NewConnection() override;
  void Handle(const HttpRequest& request, ConnectionState* state, HttpResponse* response) override;
  void OnReloadSignal() override;
  void OnShutdownStarted() override { SetReady(false); }

  // Readiness for /v2/health/ready (false before startup completes and during shutdown).
  void SetReady(bool ready) { ready_.store(ready, std::memory_order_release); }

  // Appends the Prometheus text of every metric (HTTP, models, prediction log, drift).
  void AppendMetrics(std::string* out) const;

  // Every route the service answers, in table order.
  static std::vector<RouteInfo> Routes();

 private:
  class Connection;
  struct Call;
  struct RouteEntry;
  static const std::vector<RouteEntry>& Table();
  void Dispatch(const HttpRequest& request, Connection* conn, HttpResponse* response);

  // Route handlers (the table's), in table order.
  void HealthLive(Call& call);
  void HealthReady(Call& call);
  void ServerMetadata(Call& call);
  void ModelMetadata(Call& call);
  void ModelReady(Call& call);
  void Infer(Call& call);
  void Predict(Call& call);
  void Explain(Call& call);
  void Reload(Call& call);
  void Drift(Call& call);
  void Rank(Call& call);
  void Metrics(Call& call);
  void Feedback(Call& call);
  void ChallengerStatus(Call& call);

  void PredictOrExplain(Call& call, bool explain);
  // A canary request sent to the challenger: scores it with the challenger into the
  // connection's batch and values and sets *model to it; if the challenger cannot answer
  // (counted as its error), the champion (*model) scores it again. Returns who answered.
  std::string_view AnswerByCanary(Challenger& challenger, const std::string& body,
                                  const RecordOptions& ro, Connection* conn,
                                  std::shared_ptr<const ServedModel>* model);
  void ObserveValues(const ServedModel& model, const float* rows, size_t n,
                     const double* values) const;

  ServiceOptions options_;
  ModelStore* store_;
  PredictionLog* log_;
  HttpMetrics* metrics_;
  std::atomic<bool> ready_{false};
  RequestIds request_ids_;
  std::unique_ptr<RankRoute> rank_route_;  // POST /v1/models/{name}/rank (rank_route.h)
  DriftFeeder drift_feeder_;               // last: stops first
};

}  // namespace keel::serve
