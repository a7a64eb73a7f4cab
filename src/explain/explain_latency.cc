#include "explain/explain_latency.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace keel {

LatencyStats MeasureRowLatency(const Explainer& explainer, const FeatureMatrix& x, size_t calls,
                               size_t warmup) {
  LatencyStats s;
  if (x.rows == 0 || calls == 0 || x.cols != static_cast<size_t>(explainer.num_features())) {
    return s;
  }
  ExplainScratch scratch = explainer.NewScratch();
  std::vector<double> out(explainer.row_width());
  for (size_t i = 0; i < warmup; ++i) {
    explainer.ExplainRows(x.row(i % x.rows), 1, x.cols, out.data(), &scratch);
  }
  std::vector<double> us(calls);
  using Clock = std::chrono::steady_clock;
  for (size_t i = 0; i < calls; ++i) {
    const auto t0 = Clock::now();
    explainer.ExplainRows(x.row(i % x.rows), 1, x.cols, out.data(), &scratch);
    const auto t1 = Clock::now();
    us[i] = std::chrono::duration<double, std::micro>(t1 - t0).count();
  }
  s.calls = calls;
  double sum = 0;
  for (double v : us) sum += v;
  s.mean_us = sum / static_cast<double>(calls);
  std::sort(us.begin(), us.end());
  s.min_us = us.front();
  s.median_us = us[calls / 2];
  s.p99_us = us[std::min(calls - 1, static_cast<size_t>(0.99 * static_cast<double>(calls)))];
  return s;
}

}  // namespace keel
