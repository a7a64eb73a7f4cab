#include "serve/service.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <simdjson.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "core/log.h"
#include "core/number_format.h"
#include "serve/json_text.h"
#include "serve/live_drift.h"
#include "serve/oip_request.h"
#include "serve/rank_route.h"
#include "serve/record_request.h"
#include "serve/record_response.h"
#include "serve/request_contract.h"

namespace keel::serve {

static_assert(kNumInstanceAnomalyKinds == std::tuple_size_v<decltype(SlotMetrics::anomalies)>,
              "SlotMetrics::anomalies holds one counter per InstanceAnomalyKind");

namespace {

// A connection's JSON parser grows to the largest body it has seen; past this it is replaced
// after the request so one huge request does not pin megabytes per idle connection.
constexpr size_t kKeepParserBytes = 256 << 10;

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

void Error(HttpResponse* r, int status, std::string_view message) {
  r->status = status;
  r->body.clear();
  r->body.append("{\"error\":");
  AppendJsonString(&r->body, message);
  r->body.push_back('}');
}

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kParseError:
    case StatusCode::kOutOfRange:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kResourceExhausted:
      return 413;
    case StatusCode::kUnsupported:
      return 415;
    case StatusCode::kCorrupt:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kIoError:
    case StatusCode::kAlreadyExists:
      return 422;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kOk:
    case StatusCode::kInternal:
    case StatusCode::kCancelled:
      break;
  }
  return 500;
}

void ErrorFromStatus(HttpResponse* r, const Status& st) {
  Error(r, HttpStatusOf(st.code()), st.message());
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

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
  if (StartsWith(ct, "application/x-www-form-urlencoded")) {
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

// A client's X-Request-Id is used when it is short printable ASCII without quotes.
bool UsableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c <= ' ' || c > '~' || c == '"' || c == '\\') return false;
  }
  return true;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

int64_t UnixMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void AppendDriftMetrics(const std::vector<ModelSlot*>& slots, std::string* out) {
  struct Row {
    const ModelSlot* slot;
    LiveDrift::Snapshot s;
  };
  std::vector<Row> rows;
  for (const ModelSlot* slot : slots) {
    const auto m = slot->Get();
    if (m->live_drift() != nullptr) rows.push_back({slot, m->live_drift()->snapshot()});
  }
  if (rows.empty()) return;
  auto label = [](const ModelSlot* s) {
    std::string l = "model=\"";
    AppendLabelValue(&l, s->name());
    return l + '"';
  };
  auto series = [&](std::string_view name, std::string_view type, std::string_view help, auto get) {
    AppendMetricHeader(out, name, type, help);
    for (const Row& r : rows) {
      out->append(name).append("{").append(label(r.slot)).append("} ");
      AppendJsonNumber(out, get(r.s));
      out->push_back('\n');
    }
  };
  series("keel_drift_rows_total", "counter", "Instances fed to the live drift windows.",
         [](const LiveDrift::Snapshot& s) { return static_cast<double>(s.rows); });
  series("keel_drift_rows_dropped_total", "counter",
         "Instances left out of the drift windows because their queue was full.",
         [](const LiveDrift::Snapshot& s) { return static_cast<double>(s.dropped); });
  series("keel_drift_windows_total", "counter", "Drift windows evaluated.",
         [](const LiveDrift::Snapshot& s) { return static_cast<double>(s.windows); });
  series("keel_drift_windows_drifted_total", "counter",
         "Drift windows whose data, predictions or labels drifted from training.",
         [](const LiveDrift::Snapshot& s) { return static_cast<double>(s.drifted_windows); });
  series("keel_drift_last_window_drifted", "gauge",
         "1 when the last evaluated window drifted (0 before the first).",
         [](const LiveDrift::Snapshot& s) { return s.last_drifted ? 1.0 : 0.0; });
  series("keel_drift_last_window_share_drifted", "gauge",
         "Share of features that drifted in the last evaluated window.",
         [](const LiveDrift::Snapshot& s) { return s.last_share_drifted; });
  AppendMetricHeader(out, "keel_drift_feature_drifted", "gauge",
                     "1 when the feature drifted in the last evaluated window.");
  for (const Row& r : rows) {
    for (const auto& [feature, drifted] : r.s.last_features) {
      out->append("keel_drift_feature_drifted{").append(label(r.slot)).append(",feature=\"");
      AppendLabelValue(out, feature);
      out->append(drifted ? "\"} 1\n" : "\"} 0\n");
    }
  }
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
};

Service::Service(ServiceOptions options, ModelStore* store, PredictionLog* log,
                 HttpMetrics* metrics)
    : options_(std::move(options)), store_(store), log_(log), metrics_(metrics) {
  std::random_device rd;
  request_id_prefix_ = rd();
  rank_route_ = std::make_unique<RankRoute>(options_.max_instances, options_.rank_objectives);
  drift_thread_ = std::thread([this] { RunDriftThread(); });
}

Service::~Service() {
  {
    std::lock_guard<std::mutex> lock(drift_mu_);
    stopping_ = true;
  }
  drift_cv_.notify_all();
  drift_thread_.join();
}

void Service::RunDriftThread() {
  std::unique_lock<std::mutex> lock(drift_mu_);
  while (!stopping_) {
    drift_cv_.wait_for(lock, std::chrono::milliseconds(200));
    lock.unlock();
    for (ModelSlot* slot : store_->All()) {
      const auto model = slot->Get();
      if (LiveDrift* d = model->live_drift()) d->Drain();
    }
    lock.lock();
  }
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

std::unique_ptr<ConnectionState> Service::NewConnection() {
  return std::make_unique<Connection>(options_.max_body_bytes);
}

void Service::Handle(const HttpRequest& request, ConnectionState* state, HttpResponse* response) {
  auto* conn = static_cast<Connection*>(state);
  Dispatch(request, conn, response);
  conn->ShrinkIfHuge();
}

bool Service::Authorized(const HttpRequest& request, HttpResponse* response) const {
  if (options_.admin_token.empty()) {
    Error(response, 403,
          "admin routes are off: start the server with KEEL_ADMIN_TOKEN set or "
          "--admin-token-file");
    return false;
  }
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view auth = request.authorization;
  if (!StartsWith(auth, kBearer)) {
    Error(response, 401, "admin routes need an Authorization: Bearer <token> header");
    response->extra_headers += "WWW-Authenticate: Bearer\r\n";
    return false;
  }
  auth.remove_prefix(kBearer.size());
  if (!ConstantTimeEquals(auth, options_.admin_token)) {
    Error(response, 401, "the bearer token is not the admin token");
    response->extra_headers += "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n";
    return false;
  }
  return true;
}

void Service::Dispatch(const HttpRequest& request, Connection* conn, HttpResponse* response) {
  std::string_view path = request.target.substr(0, request.target.find('?'));
  auto method_is = [&](HttpMethod m, std::string_view allow) {
    if (request.method == m) return true;
    Error(response, 405, fmt::format("{} takes {} only", TruncateUtf8(path, 200), allow));
    response->extra_headers += fmt::format("Allow: {}\r\n", allow);
    return false;
  };
  auto json_body = [&] {
    if (IsJsonContentType(request.content_type)) return true;
    Error(response, 415, UnsupportedContentTypeMessage(request.content_type));
    return false;
  };
  auto find_model = [&](std::string_view name) -> ModelSlot* {
    ModelSlot* slot = store_->Find(name);
    if (slot == nullptr) {
      std::string names;
      for (ModelSlot* s : store_->All()) {
        if (!names.empty()) names += ", ";
        names += s->name();
      }
      Error(response, 404,
            fmt::format("no model named '{}' is served (models: {})", TruncateUtf8(name, 128),
                        names));
    }
    return slot;
  };

  if (path == "/metrics") {
    response->route = Route::kMetrics;
    if (!method_is(HttpMethod::kGet, "GET")) return;
    response->content_type = kMetricsContentType;
    AppendMetrics(&response->body);
    return;
  }
  if (path == "/v2/health/live") {
    response->route = Route::kHealthLive;
    if (!method_is(HttpMethod::kGet, "GET")) return;
    response->body = "{\"live\":true}";
    return;
  }
  if (path == "/v2/health/ready") {
    response->route = Route::kHealthReady;
    if (!method_is(HttpMethod::kGet, "GET")) return;
    const bool ready = ready_.load(std::memory_order_acquire);
    response->status = ready ? 200 : 503;
    response->body = ready ? "{\"ready\":true}" : "{\"ready\":false}";
    return;
  }
  if (path == "/v2" || path == "/v2/") {
    response->route = Route::kServerMetadata;
    if (!method_is(HttpMethod::kGet, "GET")) return;
    response->body = "{\"name\":\"keel\",\"version\":";
    AppendJsonString(&response->body, options_.server_version);
    response->body +=
        ",\"extensions\":[\"keel_record_api\",\"keel_explain\",\"keel_reload\","
        "\"prometheus_metrics\"]}";
    return;
  }
  if (StartsWith(path, "/v2/models/")) {
    std::string_view rest = path.substr(std::string_view("/v2/models/").size());
    const std::string_view name = rest.substr(0, rest.find('/'));
    std::string_view tail = rest.substr(name.size());
    std::string_view version;
    if (StartsWith(tail, "/versions/")) {
      tail.remove_prefix(std::string_view("/versions/").size());
      version = tail.substr(0, tail.find('/'));
      tail.remove_prefix(version.size());
    }
    Route route;
    if (tail.empty() || tail == "/") {
      route = Route::kModelMetadata;
    } else if (tail == "/ready") {
      route = Route::kModelReady;
    } else if (tail == "/infer") {
      route = Route::kInfer;
    } else {
      Error(response, 404, fmt::format("no route {}", TruncateUtf8(path, 200)));
      return;
    }
    response->route = route;
    ModelSlot* slot = find_model(name);
    if (slot == nullptr) return;
    if (!version.empty() && version != slot->Get()->version()) {
      Error(response, 404,
            fmt::format("model '{}' has no version '{}' (it serves {})", name,
                        TruncateUtf8(version, 64), slot->Get()->version()));
      return;
    }
    if (route == Route::kModelMetadata) {
      if (!method_is(HttpMethod::kGet, "GET")) return;
      AppendModelMetadata(*slot->Get(), &response->body);
    } else if (route == Route::kModelReady) {
      if (!method_is(HttpMethod::kGet, "GET")) return;
      response->body = "{\"name\":";
      AppendJsonString(&response->body, slot->name());
      response->body += ",\"ready\":true}";
    } else {
      if (!method_is(HttpMethod::kPost, "POST") || !json_body()) return;
      Infer(request, slot, conn, response);
    }
    return;
  }
  if (StartsWith(path, "/v1/models/")) {
    std::string_view rest = path.substr(std::string_view("/v1/models/").size());
    const std::string_view name = rest.substr(0, rest.find('/'));
    const std::string_view tail = rest.substr(name.size());
    Route route;
    if (tail == "/predict") {
      route = Route::kPredict;
    } else if (tail == "/explain") {
      route = Route::kExplain;
    } else if (tail == "/reload") {
      route = Route::kReload;
    } else if (tail == "/drift") {
      route = Route::kDrift;
    } else if (tail == "/rank") {
      route = Route::kRank;
    } else {
      Error(response, 404, fmt::format("no route {}", TruncateUtf8(path, 200)));
      return;
    }
    response->route = route;
    if (route == Route::kDrift) {
      if (!method_is(HttpMethod::kGet, "GET")) return;
      ModelSlot* slot = find_model(name);
      if (slot != nullptr) Drift(slot, response);
      return;
    }
    if (!method_is(HttpMethod::kPost, "POST")) return;
    if (route == Route::kReload) {
      if (!Authorized(request, response)) return;
      ModelSlot* slot = find_model(name);
      if (slot != nullptr) Reload(request, slot, response);
      return;
    }
    if (!json_body()) return;
    ModelSlot* slot = find_model(name);
    if (slot != nullptr && route == Route::kRank) {
      Rank(request, slot, response);
      return;
    }
    if (slot != nullptr) Predict(request, slot, route == Route::kExplain, conn, response);
    return;
  }
  Error(response, 404,
        fmt::format("no route {} (see /v2 and /v2/models/{{name}} for what is served)",
                    TruncateUtf8(path, 200)));
}

void Service::Predict(const HttpRequest& request, ModelSlot* slot, bool explain, Connection* conn,
                      HttpResponse* response) {
  // The model stays alive until this request is done, even if a reload swaps it meanwhile.
  const std::shared_ptr<const ServedModel> model = slot->Get();
  RecordOptions ro;
  ro.lenient = options_.lenient;
  ro.max_instances = options_.max_instances;
  ro.log_inputs = log_ != nullptr;
  ro.pii_key = options_.pii_key;
  ro.allow_explain_k = !explain;
  RecordBatch& batch = conn->batch;
  Status st = ParseRecordRequest(*model, *request.body, ro, &conn->parser, &batch);
  SlotMetrics& sm = slot->metrics();
  if (batch.ignored_unknown > 0) {
    sm.ignored_unknown.fetch_add(batch.ignored_unknown, std::memory_order_relaxed);
  }
  if (batch.ignored_wrong_type > 0) {
    sm.ignored_wrong_type.fetch_add(batch.ignored_wrong_type, std::memory_order_relaxed);
  }
  if (!st.ok()) return ErrorFromStatus(response, st);

  const size_t n = batch.n;
  const size_t nf = model->num_features();
  const size_t nv = model->num_values();
  conn->values.resize(n * nv);
  for (size_t i = 0; i < n; ++i)
    model->Predict(batch.x.data() + i * nf, conn->values.data() + i * nv);

  const bool need_shap = explain || batch.explain_k > 0;
  if (need_shap) {
    const Explainer* ex = model->explainer();
    if (ex == nullptr) {
      return Error(
          response, 422,
          fmt::format("model '{}' cannot be explained: {}", model->name(), model->explain_error()));
    }
    if (conn->scratch_serial != model->serial()) {
      conn->scratch = ex->NewScratch();
      conn->scratch_serial = model->serial();
    }
    conn->shap.resize(n * ex->row_width());
    ex->ExplainRows(batch.x.data(), n, nf, conn->shap.data(), &conn->scratch);
  }

  if (UsableRequestId(request.request_id)) {
    conn->request_id.assign(request.request_id);
  } else {
    conn->request_id.clear();
    fmt::format_to(std::back_inserter(conn->request_id), "{:08x}-{:012x}", request_id_prefix_,
                   next_request_id_.fetch_add(1, std::memory_order_relaxed));
  }
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
  if (log_ != nullptr) LogInstances(*model, conn, response);
}

void Service::LogInstances(const ServedModel& model, Connection* conn, HttpResponse* response) {
  const int64_t now = UnixMicros();
  const RecordBatch& batch = conn->batch;
  uint64_t last = 0;
  bool dropped = false;
  for (size_t i = 0; i < batch.n; ++i) {
    PredictionRecord rec;
    rec.request_id = conn->request_id;
    rec.instance = static_cast<int32_t>(i);
    rec.time_micros = now;
    rec.model = model.name();
    rec.model_version = model.version();
    rec.subject = batch.subject(i);
    rec.inputs_json = batch.log_input(i);
    rec.output_json = std::string_view(response->body)
                          .substr(conn->spans.begin[i], conn->spans.end[i] - conn->spans.begin[i]);
    const uint64_t ticket = log_->Append(rec);
    if (ticket == 0) dropped = true;
    last = std::max(last, ticket);
  }
  if (!log_->durable() || batch.n == 0) return;
  if (dropped) {
    return Error(response, 503, "the prediction log is closed; the prediction was not logged");
  }
  // Durable mode: answer only once the rows are committed. The wait runs off the I/O
  // threads so other connections keep being served meanwhile.
  PredictionLog* log = log_;
  response->blocking_work = [log, last](HttpResponse* r) {
    Status st = log->WaitDurable(last);
    if (!st.ok()) Error(r, 503, "the prediction could not be logged: " + st.message());
  };
}

void Service::Infer(const HttpRequest& request, ModelSlot* slot, Connection* conn,
                    HttpResponse* response) {
  const std::shared_ptr<const ServedModel> model = slot->Get();
  OipOptions oo;
  oo.lenient = options_.lenient;
  oo.max_instances = options_.max_instances;
  OipBatch& b = conn->oip;
  Status st = ParseInferRequest(*model, *request.body, oo, &conn->parser, &b);
  SlotMetrics& sm = slot->metrics();
  if (b.ignored_inputs > 0)
    sm.ignored_unknown.fetch_add(b.ignored_inputs, std::memory_order_relaxed);
  if (!st.ok()) return ErrorFromStatus(response, st);
  const size_t n = b.n;
  const size_t nf = model->num_features();
  const size_t nv = model->num_values();
  conn->values.resize(n * nv);
  for (size_t i = 0; i < n; ++i) model->Predict(b.x.data() + i * nf, conn->values.data() + i * nv);
  AppendInferResponse(*model, b, conn->values.data(), &response->body);

  sm.instances.fetch_add(n, std::memory_order_relaxed);
  if (b.unseen_categories > 0) {
    sm.anomalies[static_cast<size_t>(InstanceAnomalyKind::kUnseenCategory)].fetch_add(
        b.unseen_categories, std::memory_order_relaxed);
  }
  ObserveValues(*model, b.x.data(), n, conn->values.data());
  if (log_ == nullptr || n == 0) return;

  // The log gets the encoded features (category codes back as their texts) and the values.
  conn->request_id.clear();
  if (b.has_id && UsableRequestId(b.id)) {
    conn->request_id.assign(b.id);
  } else {
    fmt::format_to(std::back_inserter(conn->request_id), "{:08x}-{:012x}", request_id_prefix_,
                   next_request_id_.fetch_add(1, std::memory_order_relaxed));
  }
  const int64_t now = UnixMicros();
  const auto& features = model->model().features;
  uint64_t last = 0;
  bool dropped = false;
  for (size_t i = 0; i < n; ++i) {
    std::string& t = conn->log_text;
    t.clear();
    t.push_back('{');
    bool first = true;
    for (size_t f = 0; f < nf; ++f) {
      const float x = b.x[i * nf + f];
      if (std::isnan(x)) continue;
      if (!first) t.push_back(',');
      first = false;
      t.append(model->feature_names_json()[f]);
      t.push_back(':');
      const auto& cats = features[f].categories;
      if (features[f].kind == FeatureSpec::Kind::kCategorical && x >= 0 &&
          static_cast<size_t>(x) < cats.size()) {
        AppendJsonString(&t, cats[static_cast<size_t>(x)]);
      } else {
        AppendJsonNumber(&t, x);
      }
    }
    t.push_back('}');
    const size_t split = t.size();
    t.push_back('{');
    for (size_t k = 0; k < nv; ++k) {
      if (k > 0) t.push_back(',');
      t.append(model->value_keys_json()[k]);
      t.push_back(':');
      AppendJsonNumber(&t, conn->values[i * nv + k]);
    }
    t.push_back('}');
    PredictionRecord rec;
    rec.request_id = conn->request_id;
    rec.instance = static_cast<int32_t>(i);
    rec.time_micros = now;
    rec.model = model->name();
    rec.model_version = model->version();
    rec.inputs_json = std::string_view(t).substr(0, split);
    rec.output_json = std::string_view(t).substr(split);
    const uint64_t ticket = log_->Append(rec);
    if (ticket == 0) dropped = true;
    last = std::max(last, ticket);
  }
  if (!log_->durable()) return;
  if (dropped) {
    return Error(response, 503, "the prediction log is closed; the prediction was not logged");
  }
  PredictionLog* log = log_;
  response->blocking_work = [log, last](HttpResponse* r) {
    Status st = log->WaitDurable(last);
    if (!st.ok()) Error(r, 503, "the prediction could not be logged: " + st.message());
  };
}

void Service::Reload(const HttpRequest& request, ModelSlot* slot, HttpResponse* response) {
  const size_t q = request.target.find('?');
  const std::string_view query =
      q == std::string_view::npos ? std::string_view() : request.target.substr(q + 1);
  const bool allow = options_.allow_contract_change || QueryFlag(query, "allow_contract_change");
  // Loading reads and compiles a file: run it off the I/O threads.
  response->blocking_work = [slot, allow](HttpResponse* r) {
    auto result = slot->Reload(allow);
    r->body.clear();
    if (!result.ok()) {
      r->status = 422;
      r->body = "{\"error\":";
      AppendJsonString(&r->body, "reload refused, the previous version keeps serving: " +
                                     result.status().message());
      r->body += ",\"model\":";
      AppendJsonString(&r->body, slot->name());
      r->body += ",\"version\":";
      AppendJsonString(&r->body, slot->Get()->version());
      r->body += "}";
      return;
    }
    nlohmann::json j = {{"model", slot->name()}};
    if (!result->reloaded) {
      r->status = 409;
      j["error"] = fmt::format(
          "reload refused, the previous version keeps serving: version {} changes the request "
          "contract ({}); start keel serve with --allow-contract-change, or add "
          "?allow_contract_change=true to this request, to accept it",
          result->version, DescribeContractChanges(result->contract_changes));
      j["version"] = result->previous_version;
      j["refused_version"] = result->version;
    } else {
      r->status = 200;
      j["version"] = result->version;
      j["previous_version"] = result->previous_version;
      j["reloaded"] = true;
    }
    j["contract_changes"] = ContractChangesJson(result->contract_changes);
    r->body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
}

void Service::Rank(const HttpRequest& request, ModelSlot* slot, HttpResponse* response) {
  // The model stays alive until this request is done, even if a reload swaps it meanwhile.
  const std::shared_ptr<const ServedModel> model = slot->Get();
  Status st;
  try {
    st = rank_route_->Handle(*model, *request.body, &response->body);
  } catch (const std::bad_alloc&) {
    st = Status::ResourceExhausted("out of memory ranking the candidates");
  }
  if (!st.ok()) ErrorFromStatus(response, st);
}

void Service::Drift(ModelSlot* slot, HttpResponse* response) {
  const auto model = slot->Get();
  const LiveDrift* d = model->live_drift();
  if (d == nullptr) {
    return Error(response, 422,
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
  response->body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Service::OnReloadSignal() {
  for (ModelSlot* slot : store_->All()) {
    if (slot->path().empty()) continue;  // followed in a registry: no file to read
    // The outcome (reloaded, refused, failed) is logged and counted by Reload.
    slot->Reload(options_.allow_contract_change).status().IgnoreError();
  }
}

void Service::AppendMetrics(std::string* out) const {
  metrics_->AppendText(out);
  const std::vector<ModelSlot*> slots = store_->All();
  auto label = [&](const ModelSlot* s) {
    std::string l = "model=\"";
    AppendLabelValue(&l, s->name());
    l += '"';
    return l;
  };
  AppendMetricHeader(out, "keel_model_info", "gauge",
                     "The model each name serves (value 1), with its version and shape.");
  for (const ModelSlot* s : slots) {
    const auto m = s->Get();
    out->append("keel_model_info{");
    out->append(label(s));
    out->append(",version=\"");
    AppendLabelValue(out, m->version());
    out->append("\",task=\"");
    out->append(TaskName(m->model().task));
    out->append("\",kind=\"");
    out->append(m->kind_name());
    out->append("\",trees=\"");
    AppendJsonInt(out, static_cast<int64_t>(m->num_trees()));
    out->append("\",features=\"");
    AppendJsonInt(out, static_cast<int64_t>(m->num_features()));
    out->append("\"} 1\n");
  }
  auto counter = [&](std::string_view name, std::string_view help, auto get) {
    AppendMetricHeader(out, name, "counter", help);
    for (const ModelSlot* s : slots) {
      out->append(name);
      out->push_back('{');
      out->append(label(s));
      out->append("} ");
      AppendJsonInt(out, static_cast<int64_t>(get(s->metrics())));
      out->push_back('\n');
    }
  };
  counter("keel_model_instances_total", "Instances predicted or explained.",
          [](const SlotMetrics& m) { return m.instances.load(std::memory_order_relaxed); });
  AppendMetricHeader(out, "keel_model_reloads_total", "counter",
                     "Hot reloads and registry switches by result: ok, error (the artifact "
                     "failed to load or check), contract_refused (it changes the request "
                     "contract); a refused reload leaves the old model serving.");
  for (const ModelSlot* s : slots) {
    const SlotMetrics& m = s->metrics();
    for (const auto& [result, count] :
         {std::pair<std::string_view, const std::atomic<uint64_t>*>{"ok", &m.reloads_ok},
          {"error", &m.reloads_failed},
          {"contract_refused", &m.reloads_contract_refused}}) {
      out->append("keel_model_reloads_total{");
      out->append(label(s));
      out->append(",result=\"").append(result).append("\"} ");
      AppendJsonInt(out, static_cast<int64_t>(count->load(std::memory_order_relaxed)));
      out->push_back('\n');
    }
  }
  AppendMetricHeader(out, "keel_instance_anomalies_total", "counter",
                     "Schema validation anomalies of request instances, by kind.");
  for (const ModelSlot* s : slots) {
    for (size_t k = 0; k < kNumInstanceAnomalyKinds; ++k) {
      out->append("keel_instance_anomalies_total{");
      out->append(label(s));
      out->append(",kind=\"");
      out->append(InstanceAnomalyKindName(static_cast<InstanceAnomalyKind>(k)));
      out->append("\"} ");
      AppendJsonInt(
          out, static_cast<int64_t>(s->metrics().anomalies[k].load(std::memory_order_relaxed)));
      out->push_back('\n');
    }
  }
  AppendMetricHeader(out, "keel_ignored_fields_total", "counter",
                     "Request fields ignored in --lenient mode, by reason.");
  for (const ModelSlot* s : slots) {
    out->append("keel_ignored_fields_total{");
    out->append(label(s));
    out->append(",reason=\"unknown_field\"} ");
    AppendJsonInt(
        out, static_cast<int64_t>(s->metrics().ignored_unknown.load(std::memory_order_relaxed)));
    out->append("\nkeel_ignored_fields_total{");
    out->append(label(s));
    out->append(",reason=\"wrong_type\"} ");
    AppendJsonInt(
        out, static_cast<int64_t>(s->metrics().ignored_wrong_type.load(std::memory_order_relaxed)));
    out->push_back('\n');
  }
  AppendMetricHeader(out, "keel_prediction_value", "histogram",
                     "Answered values per model: probability of each class (binary: the "
                     "positive class) or the regression prediction. Reset by a reload.");
  for (const ModelSlot* s : slots) {
    const auto m = s->Get();
    const auto& hist = m->histograms().values;
    for (size_t k = 0; k < hist.size(); ++k) {
      const size_t value_index = m->model().task == Task::kBinary ? 1 : k;
      std::string l = label(s);
      l += ",output=\"";
      AppendLabelValue(&l, m->value_names()[value_index]);
      l += '"';
      hist[k]->AppendSeries(out, "keel_prediction_value", l);
    }
  }
  if (log_ != nullptr) {
    const PredictionLogStats ls = log_->stats();
    auto one = [&](std::string_view name, std::string_view type, std::string_view help,
                   uint64_t v) {
      AppendMetricHeader(out, name, type, help);
      out->append(name);
      out->push_back(' ');
      AppendJsonInt(out, static_cast<int64_t>(v));
      out->push_back('\n');
    };
    one("keel_prediction_log_rows_written_total", "counter", "Prediction log rows committed.",
        ls.rows_written);
    one("keel_prediction_log_rows_dropped_total", "counter",
        "Prediction log rows dropped because the queue was full or the store failed.",
        ls.rows_dropped);
    one("keel_prediction_log_rows_queued", "gauge", "Prediction log rows waiting for commit.",
        ls.rows_queued);
    one("keel_prediction_log_write_errors_total", "counter",
        "Prediction log batches the store refused.", ls.write_errors);
  }
  AppendDriftMetrics(slots, out);
  AppendMetricHeader(out, "keel_ready", "gauge", "1 when the server is ready to serve.");
  out->append(ready_.load(std::memory_order_acquire) ? "keel_ready 1\n" : "keel_ready 0\n");
}

}  // namespace keel::serve
