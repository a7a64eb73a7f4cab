// Prometheus metrics of the server: lock-free counters and fixed-bucket histograms updated on
// the request path, rendered as Prometheus text exposition format (version 0.0.4) on demand.
//
// Thread-safety: every update is a relaxed atomic operation, safe from any number of threads;
// rendering reads the atomics without stopping writers (a scrape may see one request counted
// in a counter and not yet in a histogram, which Prometheus tolerates).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace keel::serve {

// The routes the server answers, for metric labels. kOther is every unmatched path.
enum class Route : uint8_t {
  kHealthLive,
  kHealthReady,
  kServerMetadata,
  kModelMetadata,
  kModelReady,
  kInfer,
  kPredict,
  kExplain,
  kReload,
  kDrift,
  kRank,
  kMetrics,
  kFeedback,
  kChallenger,
  kOther,
  kCount,
};
inline constexpr size_t kNumRoutes = static_cast<size_t>(Route::kCount);

// Stable label value of a route ("predict", "v2_infer", ...).
std::string_view RouteName(Route route);

// A histogram with fixed upper bounds (sorted, finite); values above the last bound land in
// the +Inf bucket. Observation is a binary search plus two relaxed atomic adds.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double value);

  // Appends the `_bucket`, `_sum` and `_count` series of metric `name`; `labels` is the label
  // list without braces (e.g. `route="predict"`), possibly empty.
  void AppendSeries(std::string* out, std::string_view name, std::string_view labels) const;

  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return bounds_; }
  // The upper bound of the bucket holding the q-quantile (0 < q <= 1) of what was observed:
  // an upper estimate, as Prometheus' histogram_quantile would bracket it; +inf when it lies
  // above the last bound, 0 when nothing was observed.
  double QuantileUpperBound(double q) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

// Request latency buckets in seconds, 50 us to 10 s.
std::vector<double> LatencyBuckets();
// `n` equal-width buckets over [lo, hi] (upper bounds; n >= 1, hi > lo).
std::vector<double> LinearBuckets(double lo, double hi, int n);

// HTTP-level metrics: requests by route and status, latency by route, connections.
class HttpMetrics {
 public:
  HttpMetrics();

  // Counts one answered request and its latency (seconds from the complete request to the
  // response handed to the socket).
  void RecordRequest(Route route, int status, double seconds);

  std::atomic<int64_t> connections_active{0};
  std::atomic<uint64_t> connections_accepted{0};
  // Connections closed at accept because --max-connections were open.
  std::atomic<uint64_t> connections_rejected{0};
  // Requests the transport answered itself: malformed HTTP, limits, timeouts (also counted in
  // requests_total under route "other").
  std::atomic<uint64_t> timeouts{0};

  // Appends every HTTP family (with HELP and TYPE lines).
  void AppendText(std::string* out) const;

 private:
  // Status codes with their own counter; anything else is counted under "other".
  static constexpr std::array<int, 16> kStatuses = {200, 400, 401, 403, 404, 405, 408, 409,
                                                    411, 413, 415, 422, 431, 500, 501, 503};
  static constexpr size_t kNumStatusSlots = kStatuses.size() + 1;
  static size_t StatusSlot(int status);

  std::array<std::array<std::atomic<uint64_t>, kNumStatusSlots>, kNumRoutes> requests_{};
  std::vector<std::unique_ptr<Histogram>> latency_;  // one per route
};

// Appends "# HELP name help\n# TYPE name type\n".
void AppendMetricHeader(std::string* out, std::string_view name, std::string_view type,
                        std::string_view help);
// Appends a Prometheus label value with `\`, `"` and newlines escaped (no quotes added).
void AppendLabelValue(std::string* out, std::string_view value);

}  // namespace keel::serve
