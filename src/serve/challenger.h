// Champion and challenger: a second model served under a model's name (`keel serve --model
// churn=champion.keel --challenger churn=challenger.keel --traffic shadow|canary:PERCENT`, or
// from a registry: the production version is the champion, the staging version the
// challenger).
//
// The ModelSlot of the name (model_store.h) holds the champion; a Challenger holds the
// challenger in a slot of its own (so a registry can swap it like a champion) and the traffic
// split (traffic_split.h):
//   - shadow: the champion answers every request; a copy of the request body goes to a
//     bounded ShadowQueue (shadow_queue.h) whose worker scores it with the challenger and
//     logs the answer with variant "challenger". A full queue drops the copy and counts it;
//     the champion never waits and never fails because of the challenger.
//   - canary: the requests the split sends to the challenger are answered by it (the answer's
//     "variant" and "model_version" say so). A request the challenger cannot answer (it
//     refuses the request, or gives a non-finite value) is counted as a challenger error and
//     answered by the champion instead.
// Both variants' rows go to the prediction log with their variant.
//
// Guard rails (canary): once canary_min_requests were answered by the challenger, an error
// rate above canary_max_error_rate or a p99 scoring latency above canary_max_p99_ms, or, over
// any window of canary_min_requests consecutive challenger requests, a share of requests with
// an input anomaly (the validation verdict of the answer's "anomalies": unseen category, out
// of range, wrong type, ... as the challenger's schema reads them) above
// canary_max_anomaly_rate takes the challenger out of traffic (every request then goes to the
// champion) until the server restarts or a new challenger version is installed; the event is
// logged, shown on /metrics (keel_challenger_active 0) and handed to on_removed (the registry
// history, when served from a registry).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <simdjson.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "serve/metrics.h"
#include "serve/model_store.h"
#include "serve/prediction_log.h"
#include "serve/record_request.h"
#include "serve/record_response.h"
#include "serve/shadow_queue.h"
#include "serve/traffic_split.h"
#include "serve/variant_drift.h"

namespace keel::serve {

inline constexpr std::string_view kChampion = "champion";
inline constexpr std::string_view kChallenger = "challenger";

struct ChallengerOptions {
  TrafficSplit split;
  size_t shadow_queue = 1000;  // request copies waiting for the shadow worker
  // Canary guard rails; <= 0 = off.
  double canary_max_error_rate = 0;    // share of the challenger's requests, in (0, 1]
  double canary_max_p99_ms = 0;        // p99 of the challenger's scoring time
  double canary_max_anomaly_rate = 0;  // share of requests with an input anomaly, per window
  uint64_t canary_min_requests = 100;  // challenger requests before the limits are checked;
                                       // also the anomaly-rate window
  // How requests are read (as for the champion) and where the shadow's rows go (may be null).
  bool lenient = false;
  size_t max_instances = 1000;
  // Predictions per window of each variant's prediction drift (variant_drift.h); 0 = off.
  uint64_t drift_window_rows = 1000;
  std::string pii_key;
  PredictionLog* log = nullptr;
  // Runs on the shadow worker before each copy is scored; tests make the challenger slow or
  // hang with it (null = nothing).
  std::function<void()> before_shadow_score;
  // Called once when the guard takes the challenger out (name, version, reason).
  std::function<void(const std::string&, const std::string&, const std::string&)> on_removed;
};

// Requests, errors, scoring latency and predictions of one variant.
struct VariantStats {
  explicit VariantStats(uint64_t drift_window_rows) : drift(drift_window_rows) {}

  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> anomalous{0};   // requests with at least one input anomaly
  Histogram latency{LatencyBuckets()};  // seconds: parsing and scoring the request
  VariantDrift drift;                   // its predictions' mean and drift
};

class Challenger {
 public:
  Challenger(std::string name, std::shared_ptr<const ServedModel> model, std::string path,
             ChallengerOptions options);
  ~Challenger();  // stops the shadow worker

  const std::string& name() const { return name_; }
  ModelSlot& slot() { return slot_; }
  const ModelSlot& slot() const { return slot_; }
  const TrafficSplit& split() const { return options_.split; }
  bool shadow() const { return options_.split.mode() == TrafficMode::kShadow; }
  // Takes traffic: not taken out by the guard rails or retired.
  bool active() const { return !removed_.load(std::memory_order_acquire); }
  // Canary mode and active.
  bool canary_active() const;
  // Why the guard took the challenger out ("" while active).
  std::string removed_reason() const;

  // Canary: whether the request with this routing key goes to the challenger (stable).
  bool RoutesToChallenger(std::string_view key) const;

  // Shadow: queues a copy of an answered request for the challenger (never blocks).
  void SubmitShadow(std::string_view body, std::string_view request_id, int64_t time_micros);

  // One request scored by a variant, `seconds` of parsing and scoring, whether it failed and
  // whether one of its instances had an input anomaly. A challenger's outcome may trip the
  // canary guard rails.
  void Record(std::string_view variant, double seconds, bool error, bool anomalous = false);

  // `n` rows of predictions `model` made as `variant` (num_values() per row), for the
  // variant's prediction mean and drift.
  void ObservePredictions(std::string_view variant, const ServedModel& model, const double* values,
                          size_t n);

  // Puts the challenger back in traffic (a new version was installed).
  void Reinstate();
  // Takes the challenger out of traffic without the guard (a registry name without a staging
  // version any more); `reason` is what removed_reason() says.
  void Retire(const std::string& reason);
  // Where the shadow's rows go; set before serving (not synchronised with the worker).
  void set_log(PredictionLog* log) { options_.log = log; }
  // Scores the shadow copies queued and stops the shadow worker (before the log closes).
  void StopShadow();

  const VariantStats& stats(std::string_view variant) const;
  ShadowQueueStats shadow_stats() const { return shadow_ ? shadow_->stats() : ShadowQueueStats{}; }

  // {"mode", "percent", "active", "removed_reason", "version", "variants": {...}, "shadow"}.
  nlohmann::json StatusJson(const std::string& champion_version) const;

 private:
  Status ScoreShadow(const ShadowJob& job);
  void CheckGuard(bool anomalous);
  void TakeOut(const std::string& reason);

  std::string name_;
  ChallengerOptions options_;
  ModelSlot slot_;
  VariantStats champion_, challenger_;
  std::atomic<bool> removed_{false};
  mutable std::mutex removed_mu_;
  std::string removed_reason_;
  // The anomaly-rate window: challenger requests and anomalous ones since it began.
  std::mutex window_mu_;
  uint64_t window_requests_ = 0, window_anomalous_ = 0;
  // The shadow worker's own decoder state (used on its thread only).
  simdjson::ondemand::parser parser_;
  RecordBatch batch_;
  std::vector<double> values_;
  std::vector<int> order_;
  std::string response_;
  InstanceSpans spans_;
  std::unique_ptr<ShadowQueue> shadow_;  // last: its worker stops first
};

// The challengers of a server, by model name. Added at start or, for a registry's staging
// versions, while serving; never removed (a registry challenger without a staging version is
// retired instead), so pointers stay valid for the container's lifetime. Thread-safe.
class Challengers {
 public:
  // Errors: AlreadyExists for a second challenger of one name.
  Status Add(std::unique_ptr<Challenger> challenger);
  Challenger* Find(std::string_view name) const;
  std::vector<Challenger*> All() const;
  // StopShadow on each.
  void StopShadows();

 private:
  using List = std::vector<std::shared_ptr<Challenger>>;
  std::mutex add_mu_;
  // Copy-on-write: the request path reads a snapshot without a lock.
  std::atomic<std::shared_ptr<const List>> list_{std::make_shared<const List>()};
};

// The routing key of a canary request: its instances' record ids (record_id.h; the subject
// pseudonym of an instance without an id) joined by '\x1f' when every instance has one, else
// the whole body. `scratch` is reused.
std::string_view CanaryKey(const RecordBatch& batch, std::string_view body, std::string* scratch);

// Appends the challenger families to the Prometheus text: keel_challenger_info,
// keel_challenger_active, keel_variant_requests_total, keel_variant_errors_total,
// keel_variant_anomalous_requests_total, keel_variant_scoring_duration_seconds,
// keel_variant_predictions_total, keel_variant_prediction_mean,
// keel_variant_prediction_drift_windows_total, keel_variant_prediction_psi,
// keel_variant_prediction_js, keel_shadow_requests_dropped_total.
void AppendChallengerMetrics(const Challengers& challengers, std::string* out);

}  // namespace keel::serve
