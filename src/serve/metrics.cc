#include "serve/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/number_format.h"
#include "serve/json_text.h"

namespace keel::serve {

std::string_view RouteName(Route route) {
  switch (route) {
    case Route::kHealthLive:
      return "v2_health_live";
    case Route::kHealthReady:
      return "v2_health_ready";
    case Route::kServerMetadata:
      return "v2_server_metadata";
    case Route::kModelMetadata:
      return "v2_model_metadata";
    case Route::kModelReady:
      return "v2_model_ready";
    case Route::kInfer:
      return "v2_infer";
    case Route::kPredict:
      return "v1_predict";
    case Route::kExplain:
      return "v1_explain";
    case Route::kReload:
      return "v1_reload";
    case Route::kDrift:
      return "v1_drift";
    case Route::kRank:
      return "v1_rank";
    case Route::kMetrics:
      return "metrics";
    case Route::kFeedback:
      return "v1_feedback";
    case Route::kChallenger:
      return "v1_challenger";
    case Route::kOther:
    case Route::kCount:
      break;
  }
  return "other";
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  // NaN compares false everywhere and lands in +Inf; it is kept out of the sum.
  const size_t b =
      std::isnan(value)
          ? bounds_.size()
          : static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                bounds_.begin());
  buckets_[b].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (std::isfinite(value)) sum_.fetch_add(value, std::memory_order_relaxed);
}

double Histogram::QuantileUpperBound(double q) const {
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) total += buckets_[i].load(std::memory_order_relaxed);
  if (total == 0) return 0;
  const double rank = std::ceil(q * static_cast<double>(total));
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    if (static_cast<double>(cumulative) >= rank) return bounds_[i];
  }
  return std::numeric_limits<double>::infinity();
}

namespace {

void AppendSeriesName(std::string* out, std::string_view name, std::string_view suffix,
                      std::string_view labels, std::string_view extra) {
  out->append(name);
  out->append(suffix);
  if (labels.empty() && extra.empty()) return;
  out->push_back('{');
  out->append(labels);
  if (!labels.empty() && !extra.empty()) out->push_back(',');
  out->append(extra);
  out->push_back('}');
}

}  // namespace

void Histogram::AppendSeries(std::string* out, std::string_view name,
                             std::string_view labels) const {
  uint64_t cumulative = 0;
  std::string le;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    le = "le=\"";
    if (i < bounds_.size()) {
      AppendDouble(&le, bounds_[i]);
    } else {
      le += "+Inf";
    }
    le += '"';
    AppendSeriesName(out, name, "_bucket", labels, le);
    out->push_back(' ');
    AppendJsonInt(out, static_cast<int64_t>(cumulative));
    out->push_back('\n');
  }
  AppendSeriesName(out, name, "_sum", labels, "");
  out->push_back(' ');
  AppendDouble(out, sum_.load(std::memory_order_relaxed));
  out->push_back('\n');
  AppendSeriesName(out, name, "_count", labels, "");
  out->push_back(' ');
  // The count is the sum of the buckets read above, so _count always equals the +Inf bucket.
  AppendJsonInt(out, static_cast<int64_t>(cumulative));
  out->push_back('\n');
}

std::vector<double> LatencyBuckets() {
  return {50e-6, 100e-6, 200e-6, 300e-6, 500e-6, 750e-6, 1e-3, 1.5e-3, 2e-3, 3e-3, 5e-3,
          10e-3, 25e-3,  50e-3,  100e-3, 250e-3, 500e-3, 1.0,  2.5,    5.0,  10.0};
}

std::vector<double> LinearBuckets(double lo, double hi, int n) {
  std::vector<double> b;
  b.reserve(static_cast<size_t>(n));
  for (int i = 1; i <= n; ++i) b.push_back(lo + (hi - lo) * i / n);
  return b;
}

HttpMetrics::HttpMetrics() {
  for (auto& row : requests_) {
    for (auto& c : row) c.store(0, std::memory_order_relaxed);
  }
  latency_.reserve(kNumRoutes);
  for (size_t r = 0; r < kNumRoutes; ++r)
    latency_.push_back(std::make_unique<Histogram>(LatencyBuckets()));
}

size_t HttpMetrics::StatusSlot(int status) {
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) return i;
  }
  return kStatuses.size();
}

void HttpMetrics::RecordRequest(Route route, int status, double seconds) {
  const auto r = static_cast<size_t>(route);
  requests_[r][StatusSlot(status)].fetch_add(1, std::memory_order_relaxed);
  latency_[r]->Observe(seconds);
}

void AppendMetricHeader(std::string* out, std::string_view name, std::string_view type,
                        std::string_view help) {
  out->append("# HELP ").append(name).append(" ").append(help).append("\n");
  out->append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void AppendLabelValue(std::string* out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '"') {
      out->append("\\\"");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

void HttpMetrics::AppendText(std::string* out) const {
  AppendMetricHeader(out, "keel_http_requests_total", "counter",
                     "HTTP requests answered, by route and status code.");
  for (size_t r = 0; r < kNumRoutes; ++r) {
    for (size_t s = 0; s < kNumStatusSlots; ++s) {
      const uint64_t n = requests_[r][s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out->append("keel_http_requests_total{route=\"");
      out->append(RouteName(static_cast<Route>(r)));
      out->append("\",status=\"");
      if (s < kStatuses.size()) {
        AppendJsonInt(out, kStatuses[s]);
      } else {
        out->append("other");
      }
      out->append("\"} ");
      AppendJsonInt(out, static_cast<int64_t>(n));
      out->push_back('\n');
    }
  }
  AppendMetricHeader(out, "keel_http_request_duration_seconds", "histogram",
                     "Time from a complete request to its response handed to the socket.");
  std::string labels;
  for (size_t r = 0; r < kNumRoutes; ++r) {
    if (latency_[r]->count() == 0) continue;
    labels = "route=\"";
    labels += RouteName(static_cast<Route>(r));
    labels += '"';
    latency_[r]->AppendSeries(out, "keel_http_request_duration_seconds", labels);
  }
  auto gauge = [&](std::string_view name, std::string_view type, std::string_view help, int64_t v) {
    AppendMetricHeader(out, name, type, help);
    out->append(name).append(" ");
    AppendJsonInt(out, v);
    out->push_back('\n');
  };
  gauge("keel_http_connections_active", "gauge", "Open client connections.",
        connections_active.load(std::memory_order_relaxed));
  gauge("keel_http_connections_total", "counter", "Client connections accepted.",
        static_cast<int64_t>(connections_accepted.load(std::memory_order_relaxed)));
  gauge("keel_http_connections_rejected_total", "counter",
        "Connections answered 503 and closed because --max-connections were open.",
        static_cast<int64_t>(connections_rejected.load(std::memory_order_relaxed)));
  gauge("keel_http_timeouts_total", "counter",
        "Connections closed because a request was not read or written within its timeout.",
        static_cast<int64_t>(timeouts.load(std::memory_order_relaxed)));
}

}  // namespace keel::serve
