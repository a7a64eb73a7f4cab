// What a model costs to run, measured on the spot: single-row latency and batch throughput.
//
// Timings depend on the machine and its load; they are measured here, for the models at
// hand, on the same rows, so a comparison of two models under the same conditions is fair.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/context.h"
#include "keel/status.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"

namespace keel {

struct CostOptions {
  // Single-row calls timed per model (rows of the data taken in turn, wrapping around).
  size_t latency_rows = 2000;
  // Untimed calls first, so caches and branch predictors are warm.
  size_t warmup_rows = 200;
  // Batch passes over the data repeat until at least this much time has passed.
  double min_batch_seconds = 0.2;
};

struct ModelCost {
  uint64_t file_bytes = 0;  // size of the .keel artifact, 0 when unknown
  // Single-row Predictor::PredictRow latency in microseconds, each call timed on its own
  // with a steady clock (the clock's own ~20-50 ns are included).
  size_t latency_rows = 0;
  double p50_us = 0;
  double p99_us = 0;
  double mean_us = 0;
  // PredictBatch throughput on every row of the data.
  double rows_per_second = 0;
  int batch_threads = 0;  // the Context's thread count it was measured on
};

// A model to time and its input: the rows of the data encoded for it (borrowed).
struct CostSubject {
  const Predictor* predictor = nullptr;
  const FeatureMatrix* features = nullptr;
};

// Measures every subject on its rows (the same data rows, each encoded for its model).
// Single-row calls are interleaved between the models in blocks of 100, so a burst of load
// elsewhere on the machine hits them alike. Batch throughput is measured on ctx.threads()
// threads. file_bytes is left 0.
// Errors: InvalidArgument for an empty matrix or one that does not fit its predictor.
Result<std::vector<ModelCost>> MeasureCosts(std::span<const CostSubject> subjects,
                                            const CostOptions& options, const Context& ctx);

// The q-quantile (q in [0, 1]) of `values` with linear interpolation (numpy's default);
// NaN for no values. Reorders `values`.
double Quantile(std::vector<double>* values, double q);

}  // namespace keel
