#include "serve/challenger.h"

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "core/json_number.h"
#include "core/log.h"
#include "core/number_format.h"
#include "core/stopwatch.h"
#include "serve/record_id.h"
#include "serve/record_response.h"
#include "serve/request_logging.h"

namespace keel::serve {

Challenger::Challenger(std::string name, std::shared_ptr<const ServedModel> model, std::string path,
                       ChallengerOptions options)
    : name_(name),
      options_(std::move(options)),
      slot_(std::move(name), std::move(path), model),
      champion_(options_.drift_window_rows),
      challenger_(options_.drift_window_rows) {
  if (shadow()) {
    shadow_ = std::make_unique<ShadowQueue>(
        options_.shadow_queue, [this](const ShadowJob& job) { return ScoreShadow(job); });
  }
}

Challenger::~Challenger() {
  StopShadow();
}

void Challenger::StopShadow() {
  if (shadow_) shadow_->Stop();
}

bool Challenger::canary_active() const {
  return options_.split.mode() == TrafficMode::kCanary && !removed_.load(std::memory_order_acquire);
}

std::string Challenger::removed_reason() const {
  std::lock_guard<std::mutex> lock(removed_mu_);
  return removed_reason_;
}

bool Challenger::RoutesToChallenger(std::string_view key) const {
  return canary_active() && options_.split.ToChallenger(key);
}

void Challenger::SubmitShadow(std::string_view body, std::string_view request_id,
                              int64_t time_micros) {
  if (shadow_ && active()) shadow_->TrySubmit(body, request_id, time_micros);
}

const VariantStats& Challenger::stats(std::string_view variant) const {
  return variant == kChallenger ? challenger_ : champion_;
}

void Challenger::Record(std::string_view variant, double seconds, bool error, bool anomalous) {
  VariantStats& s = variant == kChallenger ? challenger_ : champion_;
  s.requests.fetch_add(1, std::memory_order_relaxed);
  if (error) s.errors.fetch_add(1, std::memory_order_relaxed);
  if (anomalous) s.anomalous.fetch_add(1, std::memory_order_relaxed);
  s.latency.Observe(seconds);
  if (variant == kChallenger && options_.split.mode() == TrafficMode::kCanary) {
    CheckGuard(anomalous);
  }
}

void Challenger::ObservePredictions(std::string_view variant, const ServedModel& model,
                                    const double* values, size_t n) {
  (variant == kChallenger ? challenger_ : champion_).drift.Observe(model, values, n);
}

void Challenger::CheckGuard(bool anomalous) {
  if (removed_.load(std::memory_order_acquire)) return;
  std::string reason;
  if (options_.canary_max_anomaly_rate > 0 && options_.canary_min_requests > 0) {
    // Tumbling windows of canary_min_requests requests: a burst of anomalous traffic trips
    // the limit even after a long clean run.
    std::lock_guard<std::mutex> lock(window_mu_);
    ++window_requests_;
    window_anomalous_ += anomalous ? 1 : 0;
    if (window_requests_ >= options_.canary_min_requests) {
      const double rate =
          static_cast<double>(window_anomalous_) / static_cast<double>(window_requests_);
      if (rate > options_.canary_max_anomaly_rate) {
        reason = fmt::format(
            "anomaly rate {:.4g} ({} of the last {} requests had an input anomaly) exceeds "
            "--canary-max-anomaly-rate {}",
            rate, window_anomalous_, window_requests_,
            FormatDouble(options_.canary_max_anomaly_rate));
      }
      window_requests_ = window_anomalous_ = 0;
    }
  }
  const uint64_t n = challenger_.requests.load(std::memory_order_relaxed);
  if (reason.empty() && n >= options_.canary_min_requests && n > 0) {
    const uint64_t errors = challenger_.errors.load(std::memory_order_relaxed);
    const double rate = static_cast<double>(errors) / static_cast<double>(n);
    if (options_.canary_max_error_rate > 0 && rate > options_.canary_max_error_rate) {
      reason =
          fmt::format("error rate {:.4g} ({} of {} requests) exceeds --canary-max-error-rate {}",
                      rate, errors, n, FormatDouble(options_.canary_max_error_rate));
    } else if (options_.canary_max_p99_ms > 0) {
      const double p99_ms = challenger_.latency.QuantileUpperBound(0.99) * 1000;
      if (p99_ms > options_.canary_max_p99_ms) {
        reason = fmt::format(
            "p99 scoring latency over {:.4g} ms ({} requests) exceeds "
            "--canary-max-p99-ms {}",
            p99_ms, n, FormatDouble(options_.canary_max_p99_ms));
      }
    }
  }
  if (!reason.empty()) TakeOut(reason);
}

void Challenger::TakeOut(const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(removed_mu_);
    if (removed_.load(std::memory_order_relaxed)) return;  // another thread was first
    removed_reason_ = reason;
    removed_.store(true, std::memory_order_release);
  }
  const std::string version = slot_.Get()->version();
  log::Error(
      "model '{}': canary challenger version {} taken out of traffic: {}; the champion "
      "answers every request",
      name_, version, reason);
  if (options_.on_removed) options_.on_removed(name_, version, reason);
}

void Challenger::Retire(const std::string& reason) {
  std::lock_guard<std::mutex> lock(removed_mu_);
  removed_reason_ = reason;
  removed_.store(true, std::memory_order_release);
}

void Challenger::Reinstate() {
  {
    std::lock_guard<std::mutex> window(window_mu_);
    window_requests_ = window_anomalous_ = 0;
  }
  std::lock_guard<std::mutex> lock(removed_mu_);
  removed_reason_.clear();
  removed_.store(false, std::memory_order_release);
}

// The shadow worker: the challenger reads and scores the request as if it answered it, and
// its answer goes to the log only.
Status Challenger::ScoreShadow(const ShadowJob& job) {
  if (options_.before_shadow_score) options_.before_shadow_score();
  const std::shared_ptr<const ServedModel> model = slot_.Get();
  RecordOptions ro;
  ro.lenient = options_.lenient;
  ro.max_instances = options_.max_instances;
  ro.log_inputs = options_.log != nullptr;
  ro.pii_key = options_.pii_key;
  Stopwatch watch;
  Status st = ParseRecordRequest(*model, job.body, ro, &parser_, &batch_);
  bool finite = true;
  if (st.ok()) {
    batch_.explain_k = 0;  // reasons are not logged for the shadow
    const size_t n = batch_.n, nf = model->num_features(), nv = model->num_values();
    values_.resize(n * nv);
    for (size_t i = 0; i < n; ++i) {
      if (model->reads_doubles()) {
        model->Predict(batch_.x64.data() + i * nf, values_.data() + i * nv);
      } else {
        model->Predict(batch_.x.data() + i * nf, values_.data() + i * nv);
      }
    }
    for (double v : values_) finite = finite && std::isfinite(v);
    if (!finite) st = Status::Internal("the challenger gave a non-finite prediction");
  }
  Record(kChallenger, watch.Seconds(), !st.ok(), st.ok() && !batch_.anomalies.empty());
  if (!st.ok()) return st;
  ObservePredictions(kChallenger, *model, values_.data(), batch_.n);
  response_.clear();
  AppendPredictResponse(*model, batch_, job.request_id, values_.data(), nullptr, &order_,
                        &response_, &spans_);
  if (options_.log != nullptr) {
    LogRecordRows(options_.log, *model, batch_, job.request_id, response_, spans_, nullptr,
                  kChallenger);
  }
  return Status::OK();
}

nlohmann::json Challenger::StatusJson(const std::string& champion_version) const {
  auto variant = [](const VariantStats& s, const std::string& version) {
    const VariantDriftSnapshot d = s.drift.Snapshot();
    nlohmann::json prediction = {{"count", d.predictions}, {"mean", JsonNumber(d.mean)}};
    if (d.has_reference) {
      prediction["windows"] = d.windows;
      prediction["last_window"] = d.windows == 0 ? nlohmann::json(nullptr)
                                                 : nlohmann::json{{"mean", JsonNumber(d.last_mean)},
                                                                  {"psi", JsonNumber(d.last_psi)},
                                                                  {"js", JsonNumber(d.last_js)}};
    }
    return nlohmann::json{{"version", version},
                          {"prediction", prediction},
                          {"requests", s.requests.load(std::memory_order_relaxed)},
                          {"errors", s.errors.load(std::memory_order_relaxed)},
                          {"anomalous", s.anomalous.load(std::memory_order_relaxed)},
                          {"p99_ms_upper", s.latency.QuantileUpperBound(0.99) * 1000}};
  };
  nlohmann::json j = {{"traffic", options_.split.ToString()},
                      {"active", active()},
                      {"removed_reason", removed_reason()},
                      {"champion", variant(champion_, champion_version)},
                      {"challenger", variant(challenger_, slot_.Get()->version())}};
  if (shadow_) {
    const ShadowQueueStats s = shadow_->stats();
    j["shadow"] = {{"submitted", s.submitted},
                   {"dropped", s.dropped},
                   {"scored", s.scored},
                   {"failed", s.failed}};
  }
  return j;
}

Status Challengers::Add(std::unique_ptr<Challenger> challenger) {
  std::lock_guard<std::mutex> lock(add_mu_);
  if (Find(challenger->name()) != nullptr) {
    return Status::AlreadyExists("two challengers for model '{}': give one --challenger per name",
                                 challenger->name());
  }
  auto next = std::make_shared<List>(*list_.load(std::memory_order_acquire));
  next->push_back(std::move(challenger));
  list_.store(std::move(next), std::memory_order_release);
  return Status::OK();
}

Challenger* Challengers::Find(std::string_view name) const {
  const auto list = list_.load(std::memory_order_acquire);
  if (list->empty()) return nullptr;  // the common case: no challenger at all
  for (const auto& c : *list) {
    if (c->name() == name) return c.get();
  }
  return nullptr;
}

std::vector<Challenger*> Challengers::All() const {
  const auto list = list_.load(std::memory_order_acquire);
  std::vector<Challenger*> out;
  for (const auto& c : *list) out.push_back(c.get());
  return out;
}

void Challengers::StopShadows() {
  for (Challenger* c : All()) c->StopShadow();
}

std::string_view CanaryKey(const RecordBatch& batch, std::string_view body, std::string* scratch) {
  scratch->clear();
  thread_local std::string id;
  for (size_t i = 0; i < batch.n; ++i) {
    const std::string_view raw = i < batch.ids.size() ? batch.ids[i] : std::string_view();
    if (!RecordIdText(raw, &id)) id.clear();
    if (id.empty()) id = batch.subject(i);  // a pii-keyed model's (pseudonymized) subject
    if (id.empty()) return body;            // an instance without an id
    if (i > 0) scratch->push_back('\x1f');
    scratch->append(id);
  }
  if (batch.n == 0) return body;
  return *scratch;
}

void AppendChallengerMetrics(const Challengers& challengers, std::string* out) {
  const std::vector<Challenger*> all = challengers.All();
  if (all.empty()) return;
  std::string labels;
  auto model_label = [&](const Challenger& c) {
    labels = "model=\"";
    AppendLabelValue(&labels, c.name());
    labels += '"';
  };
  AppendMetricHeader(out, "keel_challenger_info", "gauge",
                     "The challenger of a model: its version and traffic split");
  for (const Challenger* c : all) {
    model_label(*c);
    *out += "keel_challenger_info{" + labels + ",version=\"";
    AppendLabelValue(out, c->slot().Get()->version());
    *out += "\",traffic=\"" + c->split().ToString() + "\"} 1\n";
  }
  AppendMetricHeader(out, "keel_challenger_active", "gauge",
                     "1 while the challenger takes its traffic; 0 once the canary guard rails "
                     "took it out");
  for (const Challenger* c : all) {
    model_label(*c);
    *out += fmt::format("keel_challenger_active{{{}}} {}\n", labels, c->active() ? 1 : 0);
  }
  const std::string_view variants[] = {kChampion, kChallenger};
  // One series per model and variant; `value` gives nullopt to leave a variant out.
  auto per_variant = [&](const char* name, const char* type, const char* help, auto value) {
    AppendMetricHeader(out, name, type, help);
    for (const Challenger* c : all) {
      model_label(*c);
      for (std::string_view v : variants) {
        const std::optional<double> x = value(c->stats(v));
        if (!x) continue;
        *out += fmt::format("{}{{{},variant=\"{}\"}} {}\n", name, labels, v, FormatDouble(*x));
      }
    }
  };
  auto count = [](const std::atomic<uint64_t>& n) {
    return std::optional<double>(static_cast<double>(n.load(std::memory_order_relaxed)));
  };
  per_variant("keel_variant_requests_total", "counter",
              "Requests scored per variant (shadow copies included)",
              [&](const VariantStats& s) { return count(s.requests); });
  per_variant("keel_variant_errors_total", "counter",
              "Requests a variant failed to score (a canary's are answered by the champion)",
              [&](const VariantStats& s) { return count(s.errors); });
  per_variant("keel_variant_anomalous_requests_total", "counter",
              "Requests of a variant with at least one input anomaly (as the variant's schema "
              "reads them)",
              [&](const VariantStats& s) { return count(s.anomalous); });
  AppendMetricHeader(out, "keel_variant_scoring_duration_seconds", "histogram",
                     "Time a variant took to read and score a request");
  for (const Challenger* c : all) {
    for (std::string_view v : variants) {
      model_label(*c);
      labels += fmt::format(",variant=\"{}\"", v);
      c->stats(v).latency.AppendSeries(out, "keel_variant_scoring_duration_seconds", labels);
    }
  }
  per_variant("keel_variant_predictions_total", "counter",
              "Predictions (rows) a variant made since its model was installed",
              [](const VariantStats& s) {
                return std::optional<double>(static_cast<double>(s.drift.Snapshot().predictions));
              });
  per_variant("keel_variant_prediction_mean", "gauge",
              "Mean prediction of a variant since its model was installed (binary: "
              "P(positive class); regression: the value)",
              [](const VariantStats& s) { return std::optional<double>(s.drift.Snapshot().mean); });
  // Drift against the variant model's training profile, per window (models with a profile).
  auto drift = [](double (*field)(const VariantDriftSnapshot&)) {
    return [field](const VariantStats& s) {
      const VariantDriftSnapshot d = s.drift.Snapshot();
      return d.has_reference ? std::optional<double>(field(d)) : std::nullopt;
    };
  };
  per_variant("keel_variant_prediction_drift_windows_total", "counter",
              "Completed windows of a variant's predictions compared with its training profile",
              drift([](const VariantDriftSnapshot& d) { return static_cast<double>(d.windows); }));
  per_variant("keel_variant_prediction_psi", "gauge",
              "PSI of the last window of a variant's predictions against its training profile",
              drift([](const VariantDriftSnapshot& d) { return d.last_psi; }));
  per_variant("keel_variant_prediction_js", "gauge",
              "Jensen-Shannon distance (base 2) of the last window of a variant's predictions "
              "against its training profile",
              drift([](const VariantDriftSnapshot& d) { return d.last_js; }));
  bool any_shadow = false;
  for (const Challenger* c : all) any_shadow = any_shadow || c->shadow();
  if (!any_shadow) return;
  AppendMetricHeader(out, "keel_shadow_requests_dropped_total", "counter",
                     "Request copies the shadow challenger's full queue refused");
  for (const Challenger* c : all) {
    if (!c->shadow()) continue;
    model_label(*c);
    *out += fmt::format("keel_shadow_requests_dropped_total{{{}}} {}\n", labels,
                        c->shadow_stats().dropped);
  }
}

}  // namespace keel::serve
