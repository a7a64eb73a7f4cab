#include "serve/service.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/stopwatch.h"
#include "serve/admin_routes.h"
#include "serve/challenger.h"
#include "serve/challenger_report.h"
#include "serve/error_response.h"
#include "serve/feedback.h"
#include "serve/json_text.h"
#include "serve/live_drift.h"
#include "serve/oip_request.h"
#include "serve/rank_route.h"
#include "serve/record_request.h"
#include "serve/record_response.h"
#include "serve/route_table.h"
#include "serve/server_metrics.h"

namespace keel::serve {

static_assert(kNumInstanceAnomalyKinds == std::tuple_size_v<decltype(SlotMetrics::anomalies)>,
              "SlotMetrics::anomalies holds one counter per InstanceAnomalyKind");

namespace {

// A connection's JSON parser grows to the largest body it has seen; past this it is replaced
// after the request so one huge request does not pin megabytes per idle connection.
constexpr size_t kKeepParserBytes = 256 << 10;

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Whether a POST body's Content-Type is JSON (absent is accepted as JSON).
bool IsJsonContentType(std::string_view ct) {
  if (ct.empty()) return true;
  const size_t semi = ct.find(';');
  std::string_view media = ct.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  constexpr std::string_view kJson = "application/json";
  if (media.size() != kJson.size()) return false;
  for (size_t i = 0; i < kJson.size(); ++i) {
    char c = media[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kJson[i]) return false;
  }
  return true;
}

// The 415 answer names the header to send; curl's -d sends a form type unless told.
std::string UnsupportedContentTypeMessage(std::string_view ct) {
  std::string m = fmt::format(
      "the body must be JSON: send the header 'Content-Type: application/json' (got '{}')",
      TruncateUtf8(ct, 100));
  if (ct.starts_with("application/x-www-form-urlencoded")) {
    m += "; curl -d sends this type unless given -H 'Content-Type: application/json'";
  }
  return m;
}

// Whether the query string sets `name` to true ("name", "name=1", "name=true").
bool QueryFlag(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part == name) return true;
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      const std::string_view v = part.substr(name.size() + 1);
      if (v == "1" || v == "true") return true;
    }
  }
  return false;
}

}  // namespace

class Service::Connection final : public ConnectionState {
 public:
  explicit Connection(size_t max_body) : max_body_(max_body), parser(max_body) {}

  void ShrinkIfHuge() {
    if (parser.capacity() > kKeepParserBytes) parser = simdjson::ondemand::parser(max_body_);
  }

  size_t max_body_;
  simdjson::ondemand::parser parser;
  RecordBatch batch;
  OipBatch oip;
  std::vector<double> values;
  std::vector<double> shap;
  ExplainScratch scratch;
  uint64_t scratch_serial = 0;  // ServedModel::serial the scratch was made for
  std::vector<int> order;
  InstanceSpans spans;
  std::string request_id;
  std::string log_text;  // inputs and outputs of OIP rows for the log
  std::string canary_key;
};

// One request on its way through a route handler.
struct Service::Call {
  const HttpRequest& request;
  Connection* conn;
  HttpResponse* response;
  ModelSlot* slot;  // the model the path names (routes with {name}), else null
};

// A row of the route table: what the dispatcher checks before calling `handler`.
struct Service::RouteEntry {
  Route route;
  HttpMethod method;
  PathPattern pattern;
  bool admin;      // needs the admin bearer token
  bool json_body;  // needs a JSON content type
  bool model;      // the pattern names a model ({name}), which must be served
  void (Service::*handler)(Call&);
};

const std::vector<Service::RouteEntry>& Service::Table() {
  using M = HttpMethod;
  enum Needs { kNothing = 0, kJsonBody = 1, kAdminToken = 2 };
  static const std::vector<RouteEntry> table = [] {
    std::vector<RouteEntry> t;
    auto add = [&](Route route, M method, std::string_view pattern, int needs,
                   void (Service::*handler)(Call&)) {
      const bool model = pattern.find("{name}") != std::string_view::npos;
      t.push_back({route, method, PathPattern(pattern), (needs & kAdminToken) != 0,
                   (needs & kJsonBody) != 0, model, handler});
    };
    add(Route::kHealthLive, M::kGet, "/v2/health/live", kNothing, &Service::HealthLive);
    add(Route::kHealthReady, M::kGet, "/v2/health/ready", kNothing, &Service::HealthReady);
    add(Route::kServerMetadata, M::kGet, "/v2[/]", kNothing, &Service::ServerMetadata);
    add(Route::kModelMetadata, M::kGet, "/v2/models/{name}[/versions/{version}][/]", kNothing,
        &Service::ModelMetadata);
    add(Route::kModelReady, M::kGet, "/v2/models/{name}[/versions/{version}]/ready", kNothing,
        &Service::ModelReady);
    add(Route::kInfer, M::kPost, "/v2/models/{name}[/versions/{version}]/infer", kJsonBody,
        &Service::Infer);
    add(Route::kPredict, M::kPost, "/v1/models/{name}/predict", kJsonBody, &Service::Predict);
    add(Route::kExplain, M::kPost, "/v1/models/{name}/explain", kJsonBody, &Service::Explain);
    add(Route::kReload, M::kPost, "/v1/models/{name}/reload", kAdminToken, &Service::Reload);
    add(Route::kDrift, M::kGet, "/v1/models/{name}/drift", kNothing, &Service::Drift);
    add(Route::kRank, M::kPost, "/v1/models/{name}/rank", kJsonBody, &Service::Rank);
    add(Route::kFeedback, M::kPost, "/v1/models/{name}/feedback", kJsonBody, &Service::Feedback);
    add(Route::kChallenger, M::kGet, "/v1/models/{name}/challenger", kNothing,
        &Service::ChallengerStatus);
    add(Route::kMetrics, M::kGet, "/metrics", kNothing, &Service::Metrics);
    return t;
  }();
  return table;
}

std::vector<RouteInfo> Service::Routes() {
  std::vector<RouteInfo> out;
  for (const RouteEntry& e : Table()) {
    out.push_back({e.route, e.method == HttpMethod::kGet ? "GET" : "POST", e.pattern.text()});
  }
  return out;
}

Service::Service(ServiceOptions options, ModelStore* store, PredictionLog* log,
                 HttpMetrics* metrics)
    : options_(std::move(options)),
      store_(store),
      log_(log),
      metrics_(metrics),
      rank_route_(std::make_unique<RankRoute>(options_.max_instances, options_.rank_objectives)),
      drift_feeder_(store) {}

Service::~Service() = default;

std::unique_ptr<ConnectionState> Service::NewConnection() {
  return std::make_unique<Connection>(options_.max_body_bytes);
}

void Service::Handle(const HttpRequest& request, ConnectionState* state, HttpResponse* response) {
  auto* conn = static_cast<Connection*>(state);
  Dispatch(request, conn, response);
  conn->ShrinkIfHuge();
}

void Service::Dispatch(const HttpRequest& request, Connection* conn, HttpResponse* response) {
  const std::string_view path = request.target.substr(0, request.target.find('?'));
  PathParams params;
  const RouteEntry* entry = nullptr;
  for (const RouteEntry& e : Table()) {
    if (e.pattern.Match(path, &params)) {
      entry = &e;
      break;
    }
  }
  if (entry == nullptr) {
    return AnswerError(
        response, 404,
        fmt::format("no route {} (see /v2 and /v2/models/{{name}} for what is served)",
                    TruncateUtf8(path, 200)));
  }
  response->route = entry->route;
  if (request.method != entry->method) {
    const std::string_view allow = entry->method == HttpMethod::kGet ? "GET" : "POST";
    AnswerError(response, 405, fmt::format("{} takes {} only", TruncateUtf8(path, 200), allow));
    response->extra_headers += fmt::format("Allow: {}\r\n", allow);
    return;
  }
  if (entry->admin && !AuthorizeAdmin(options_.admin_token, request.authorization, response)) {
    return;
  }
  if (entry->json_body && !IsJsonContentType(request.content_type)) {
    return AnswerError(response, 415, UnsupportedContentTypeMessage(request.content_type));
  }
  Call call{request, conn, response, nullptr};
  if (entry->model) {
    const std::string_view name = params.Get("name");
    call.slot = store_->Find(name);
    if (call.slot == nullptr) {
      std::string names;
      for (ModelSlot* s : store_->All()) {
        if (!names.empty()) names += ", ";
        names += s->name();
      }
      return AnswerError(response, 404,
                         fmt::format("no model named '{}' is served (models: {})",
                                     TruncateUtf8(name, 128), names));
    }
    const std::string_view version = params.Get("version");
    if (!version.empty() && version != call.slot->Get()->version()) {
      return AnswerError(response, 404,
                         fmt::format("model '{}' has no version '{}' (it serves {})", name,
                                     TruncateUtf8(version, 64), call.slot->Get()->version()));
    }
  }
  (this->*entry->handler)(call);
}

void Service::HealthLive(Call& call) {
  call.response->body = "{\"live\":true}";
}

void Service::HealthReady(Call& call) {
  const bool ready = ready_.load(std::memory_order_acquire);
  call.response->status = ready ? 200 : 503;
  call.response->body = ready ? "{\"ready\":true}" : "{\"ready\":false}";
}

void Service::ServerMetadata(Call& call) {
  std::string& body = call.response->body;
  body = "{\"name\":\"keel\",\"version\":";
  AppendJsonString(&body, options_.server_version);
  body +=
      ",\"extensions\":[\"keel_record_api\",\"keel_explain\",\"keel_reload\","
      "\"prometheus_metrics\"]}";
}

void Service::ModelMetadata(Call& call) {
  AppendModelMetadata(*call.slot->Get(), &call.response->body);
}

void Service::ModelReady(Call& call) {
  std::string& body = call.response->body;
  body = "{\"name\":";
  AppendJsonString(&body, call.slot->name());
  body += ",\"ready\":true}";
}

void Service::Metrics(Call& call) {
  call.response->content_type = kMetricsContentType;
  AppendMetrics(&call.response->body);
}

void Service::AppendMetrics(std::string* out) const {
  AppendServerMetrics({metrics_, store_, log_, ready_.load(std::memory_order_acquire)}, out);
  if (options_.challengers != nullptr) AppendChallengerMetrics(*options_.challengers, out);
}

// Per answered instance: the prediction histograms and the live drift windows.
void Service::ObserveValues(const ServedModel& model, const float* rows, size_t n,
                            const double* values) const {
  const size_t nv = model.num_values();
  auto& hist = model.histograms().values;
  for (size_t i = 0; i < n; ++i) {
    const double* v = values + i * nv;
    if (model.model().task == Task::kBinary) {
      hist[0]->Observe(v[1]);
    } else {
      for (size_t k = 0; k < nv; ++k) hist[k]->Observe(v[k]);
    }
  }
  if (LiveDrift* d = model.live_drift(); d != nullptr && n > 0) d->Enqueue(rows, n, values);
}

void Service::Predict(Call& call) {
  PredictOrExplain(call, /*explain=*/false);
}

void Service::Explain(Call& call) {
  PredictOrExplain(call, /*explain=*/true);
}

// Reads a record request for `model` into conn->batch and predicts it into conn->values.
// Errors: ParseRecordRequest's.
static Status ScoreRecords(const ServedModel& model, const std::string& body,
                           const RecordOptions& ro, simdjson::ondemand::parser* parser,
                           RecordBatch* batch, std::vector<double>* values) {
  KEEL_RETURN_IF_ERROR(ParseRecordRequest(model, body, ro, parser, batch));
  const size_t n = batch->n;
  const size_t nf = model.num_features();
  const size_t nv = model.num_values();
  values->resize(n * nv);
  // A float64 model answers from the exact doubles sent (x64), not their floats.
  const bool doubles = model.reads_doubles();
  for (size_t i = 0; i < n; ++i) {
    if (doubles) {
      model.Predict(batch->x64.data() + i * nf, values->data() + i * nv);
    } else {
      model.Predict(batch->x.data() + i * nf, values->data() + i * nv);
    }
  }
  return Status::OK();
}

void Service::PredictOrExplain(Call& call, bool explain) {
  Connection* conn = call.conn;
  HttpResponse* response = call.response;
  // The model stays alive until this request is done, even if a reload swaps it meanwhile.
  std::shared_ptr<const ServedModel> model = call.slot->Get();
  RecordOptions ro;
  ro.lenient = options_.lenient;
  ro.max_instances = options_.max_instances;
  ro.log_inputs = log_ != nullptr;
  ro.pii_key = options_.pii_key;
  ro.allow_explain_k = !explain;
  RecordBatch& batch = conn->batch;
  // The predict route of a model with a challenger (challenger.h) times and counts both.
  Challenger* challenger = explain || options_.challengers == nullptr
                               ? nullptr
                               : options_.challengers->Find(call.slot->name());
  const std::string& body = *call.request.body;
  Stopwatch watch;
  Status st = ScoreRecords(*model, body, ro, &conn->parser, &batch, &conn->values);
  SlotMetrics& sm = call.slot->metrics();
  if (batch.ignored_unknown > 0) {
    sm.ignored_unknown.fetch_add(batch.ignored_unknown, std::memory_order_relaxed);
  }
  if (batch.ignored_wrong_type > 0) {
    sm.ignored_wrong_type.fetch_add(batch.ignored_wrong_type, std::memory_order_relaxed);
  }
  if (!st.ok()) return AnswerStatus(response, st);
  std::string_view variant = kChampion;
  if (challenger != nullptr) {
    if (challenger->RoutesToChallenger(CanaryKey(batch, body, &conn->canary_key))) {
      variant = AnswerByCanary(*challenger, body, ro, conn, &model);
    } else {
      challenger->Record(kChampion, watch.Seconds(), false, !batch.anomalies.empty());
    }
  }

  const size_t n = batch.n;
  const size_t nf = model->num_features();
  const bool doubles = model->reads_doubles();
  if (challenger != nullptr) {
    challenger->ObservePredictions(variant, *model, conn->values.data(), n);
  }

  if (explain || batch.explain_k > 0) {
    const Explainer* ex = model->explainer();
    if (ex == nullptr) {
      return AnswerError(
          response, 422,
          fmt::format("model '{}' cannot be explained: {}", model->name(), model->explain_error()));
    }
    if (conn->scratch_serial != model->serial()) {
      conn->scratch = ex->NewScratch();
      conn->scratch_serial = model->serial();
    }
    conn->shap.resize(n * ex->row_width());
    if (doubles) {
      ex->ExplainRows64(batch.x64.data(), n, nf, conn->shap.data(), &conn->scratch);
    } else {
      ex->ExplainRows(batch.x.data(), n, nf, conn->shap.data(), &conn->scratch);
    }
  }

  request_ids_.Assign(call.request.request_id, &conn->request_id);
  response->extra_headers += "X-Request-Id: ";
  response->extra_headers += conn->request_id;
  response->extra_headers += "\r\n";
  if (explain) {
    AppendExplainResponse(*model, batch, conn->request_id, conn->values.data(), conn->shap.data(),
                          &response->body, &conn->spans);
  } else {
    AppendPredictResponse(*model, batch, conn->request_id, conn->values.data(), conn->shap.data(),
                          &conn->order, &response->body, &conn->spans);
  }

  sm.instances.fetch_add(n, std::memory_order_relaxed);
  for (const InstanceAnomaly& a : batch.anomalies) {
    sm.anomalies[static_cast<size_t>(a.kind)].fetch_add(1, std::memory_order_relaxed);
  }
  ObserveValues(*model, batch.x.data(), n, conn->values.data());
  if (log_ != nullptr) {
    LogRecordRows(log_, *model, batch, conn->request_id, response->body, conn->spans, response,
                  variant);
  }
  if (challenger != nullptr) {
    // Which variant answered, after the instances (their log spans stay put).
    std::string& out = response->body;
    if (!out.empty() && out.back() == '}') {
      out.pop_back();
      out += ",\"variant\":\"";
      out += variant;
      out += "\"}";
    }
    if (challenger->shadow()) {
      challenger->SubmitShadow(body, conn->request_id,
                               std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
    }
  }
}

std::string_view Service::AnswerByCanary(Challenger& challenger, const std::string& body,
                                         const RecordOptions& ro, Connection* conn,
                                         std::shared_ptr<const ServedModel>* model) {
  const std::shared_ptr<const ServedModel> candidate = challenger.slot().Get();
  Stopwatch watch;
  Status st = ScoreRecords(*candidate, body, ro, &conn->parser, &conn->batch, &conn->values);
  for (size_t i = 0; st.ok() && i < conn->values.size(); ++i) {
    if (!std::isfinite(conn->values[i])) {
      st = Status::Internal("the challenger gave a non-finite prediction");
    }
  }
  challenger.Record(kChallenger, watch.Seconds(), !st.ok(),
                    st.ok() && !conn->batch.anomalies.empty());
  if (st.ok()) {
    *model = candidate;
    return kChallenger;
  }
  // The challenger could not answer: the champion does (it read this request before).
  watch.Reset();
  Status again = ScoreRecords(**model, body, ro, &conn->parser, &conn->batch, &conn->values);
  challenger.Record(kChampion, watch.Seconds(), !again.ok(),
                    again.ok() && !conn->batch.anomalies.empty());
  return kChampion;
}

void Service::Infer(Call& call) {
  Connection* conn = call.conn;
  const std::shared_ptr<const ServedModel> model = call.slot->Get();
  OipOptions oo;
  oo.lenient = options_.lenient;
  oo.max_instances = options_.max_instances;
  OipBatch& b = conn->oip;
  Status st = ParseInferRequest(*model, *call.request.body, oo, &conn->parser, &b);
  SlotMetrics& sm = call.slot->metrics();
  if (b.ignored_inputs > 0) {
    sm.ignored_unknown.fetch_add(b.ignored_inputs, std::memory_order_relaxed);
  }
  if (!st.ok()) return AnswerStatus(call.response, st);
  const size_t n = b.n;
  const size_t nf = model->num_features();
  const size_t nv = model->num_values();
  conn->values.resize(n * nv);
  for (size_t i = 0; i < n; ++i) {
    if (model->reads_doubles()) {  // the exact doubles sent, as for the record routes
      model->Predict(b.x64.data() + i * nf, conn->values.data() + i * nv);
    } else {
      model->Predict(b.x.data() + i * nf, conn->values.data() + i * nv);
    }
  }
  AppendInferResponse(*model, b, conn->values.data(), &call.response->body);

  sm.instances.fetch_add(n, std::memory_order_relaxed);
  if (b.unseen_categories > 0) {
    sm.anomalies[static_cast<size_t>(InstanceAnomalyKind::kUnseenCategory)].fetch_add(
        b.unseen_categories, std::memory_order_relaxed);
  }
  ObserveValues(*model, b.x.data(), n, conn->values.data());
  if (log_ == nullptr || n == 0) return;
  request_ids_.Assign(b.has_id ? b.id : std::string_view(), &conn->request_id);
  LogInferRows(log_, *model, b, conn->values.data(), conn->request_id, &conn->log_text,
               call.response);
}

void Service::Reload(Call& call) {
  const std::string_view target = call.request.target;
  const size_t q = target.find('?');
  const std::string_view query =
      q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  AnswerReload(call.slot,
               options_.allow_contract_change || QueryFlag(query, "allow_contract_change"),
               call.response);
}

void Service::Rank(Call& call) {
  // The model stays alive until this request is done, even if a reload swaps it meanwhile.
  const std::shared_ptr<const ServedModel> model = call.slot->Get();
  Status st;
  try {
    st = rank_route_->Handle(*model, *call.request.body, &call.response->body);
  } catch (const std::bad_alloc&) {
    st = Status::ResourceExhausted("out of memory ranking the candidates");
  }
  if (!st.ok()) AnswerStatus(call.response, st);
}

void Service::Drift(Call& call) {
  const auto model = call.slot->Get();
  const LiveDrift* d = model->live_drift();
  if (d == nullptr) {
    return AnswerError(call.response, 422,
                       fmt::format("model '{}' has no live drift windows: {}", model->name(),
                                   model->drift_off_reason()));
  }
  const LiveDrift::Snapshot s = d->snapshot();
  nlohmann::json j = {{"model", model->name()},
                      {"model_version", model->version()},
                      {"window_rows", d->window_rows()},
                      {"rows", s.rows},
                      {"rows_dropped", s.dropped},
                      {"windows", s.windows},
                      {"drifted_windows", s.drifted_windows},
                      {"last_window", d->LastWindowJson()}};
  call.response->body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Service::Feedback(Call& call) {
  if (options_.feedback == nullptr) {
    return AnswerError(call.response, 422,
                       "feedback needs the prediction log, and this server keeps none (--no-log)");
  }
  AnswerFeedback(options_.feedback, *call.slot->Get(), *call.request.body, options_.pii_key,
                 options_.max_labels, call.response);
}

void Service::ChallengerStatus(Call& call) {
  Challenger* c =
      options_.challengers == nullptr ? nullptr : options_.challengers->Find(call.slot->name());
  if (c == nullptr) {
    return AnswerError(call.response, 404,
                       fmt::format("model '{}' has no challenger", call.slot->name()));
  }
  nlohmann::json j = c->StatusJson(call.slot->Get()->version());
  j["model"] = call.slot->name();
  // The gate reads the log and runs the tests: blocking work, off the I/O threads.
  call.response->blocking_work = [j = std::move(j), location = options_.log_location,
                                  name = call.slot->name(), champion = call.slot->Get(),
                                  challenger = c->slot().Get()](HttpResponse* r) mutable {
    if (location.empty()) {
      j["report"] = {{"error", "no prediction log (--no-log): no labeled traffic to judge"}};
    } else {
      registry::DatabaseOptions o;
      o.create = false;
      ChallengerReportOptions ro;
      ro.model = name;
      ro.champion_model = &champion->model();  // the served models' training profiles
      ro.challenger_model = &challenger->model();
      auto db = registry::OpenDatabase(location, o);
      auto rep = db.ok() ? BuildChallengerReport(**db, ro, Context{1, false, nullptr})
                         : Result<ChallengerReport>(db.status());
      j["report"] = rep.ok() ? rep->ToJson() : nlohmann::json{{"error", rep.status().message()}};
    }
    r->body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
}

void Service::OnReloadSignal() {
  for (ModelSlot* slot : store_->All()) {
    if (slot->path().empty()) continue;  // followed in a registry: no file to read
    // The outcome (reloaded, refused, failed) is logged and counted by Reload.
    slot->Reload(options_.allow_contract_change).status().IgnoreError();
  }
}

}  // namespace keel::serve
