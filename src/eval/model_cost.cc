#include "eval/model_cost.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/stopwatch.h"

namespace keel {
namespace {

constexpr size_t kInterleaveBlock = 100;

}  // namespace

double Quantile(std::vector<double>* values, double q) {
  if (values->empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values->begin(), values->end());
  const double pos = q * static_cast<double>(values->size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, values->size() - 1);
  return (*values)[lo] + ((*values)[hi] - (*values)[lo]) * (pos - static_cast<double>(lo));
}

Result<std::vector<ModelCost>> MeasureCosts(std::span<const CostSubject> subjects,
                                            const CostOptions& options, const Context& ctx) {
  size_t max_outputs = 1;
  for (const CostSubject& s : subjects) {
    if (s.features->rows == 0) return Status::InvalidArgument("no rows to time the models on");
    if (s.predictor->num_features() != s.features->cols) {
      return Status::InvalidArgument("a model takes {} features but its data has {}",
                                     s.predictor->num_features(), s.features->cols);
    }
    max_outputs = std::max(max_outputs, static_cast<size_t>(s.predictor->num_outputs()));
  }
  const size_t m = subjects.size();
  std::vector<ModelCost> costs(m);
  std::vector<std::vector<double>> micros(m);
  for (auto& v : micros) v.reserve(options.latency_rows);
  std::vector<double> out(max_outputs);
  double sink = 0;  // keeps the calls from being optimised away

  for (size_t i = 0; i < options.warmup_rows; ++i) {
    for (const CostSubject& s : subjects) {
      s.predictor->PredictRow(s.features->row(i % s.features->rows), out.data());
      sink += out[0];
    }
  }
  using Clock = std::chrono::steady_clock;
  for (size_t start = 0; start < options.latency_rows; start += kInterleaveBlock) {
    const size_t end = std::min(options.latency_rows, start + kInterleaveBlock);
    for (size_t j = 0; j < m; ++j) {
      const Predictor& predictor = *subjects[j].predictor;
      const FeatureMatrix& features = *subjects[j].features;
      for (size_t i = start; i < end; ++i) {
        const float* row = features.row(i % features.rows);
        const auto t0 = Clock::now();
        predictor.PredictRow(row, out.data());
        const auto t1 = Clock::now();
        sink += out[0];
        micros[j].push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      }
    }
  }

  const int threads = ctx.threads();
  for (size_t j = 0; j < m; ++j) {
    ModelCost& c = costs[j];
    c.latency_rows = micros[j].size();
    if (!micros[j].empty()) {
      c.mean_us = std::accumulate(micros[j].begin(), micros[j].end(), 0.0) /
                  static_cast<double>(micros[j].size());
      c.p50_us = Quantile(&micros[j], 0.5);
      c.p99_us = Quantile(&micros[j], 0.99);
    }
    const Predictor& predictor = *subjects[j].predictor;
    const FeatureMatrix& features = *subjects[j].features;
    std::vector<double> batch(features.rows * static_cast<size_t>(predictor.num_outputs()));
    c.batch_threads = threads;
    // One untimed pass warms the caches and the thread pool.
    KEEL_RETURN_IF_ERROR(predictor.PredictBatch(features, batch, false, threads));
    Stopwatch watch;
    size_t passes = 0;
    do {
      KEEL_RETURN_IF_ERROR(predictor.PredictBatch(features, batch, false, threads));
      ++passes;
    } while (watch.Seconds() < options.min_batch_seconds);
    const double seconds = watch.Seconds();
    sink += batch[0];
    c.rows_per_second = static_cast<double>(passes * features.rows) / seconds;
  }
  // A volatile store of the accumulated outputs: the compiler must compute them.
  volatile double keep = sink;
  (void)keep;
  return costs;
}

}  // namespace keel
