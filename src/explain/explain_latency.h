// Single-row explanation latency: what a server answering one request at a time pays for an
// explanation on top of the prediction. For `keel explain --latency-calls` and benchmarks.
#pragma once

#include <cstddef>

#include "explain/explainer.h"
#include "predict/feature_matrix.h"

namespace keel {

struct LatencyStats {
  size_t calls = 0;
  double median_us = 0;
  double p99_us = 0;
  double mean_us = 0;
  double min_us = 0;
};

// Times `calls` calls of explainer.ExplainRows on one row each (cycling over the rows of `x`,
// which must match the explainer's width and have at least one row), on the calling thread,
// after `warmup` untimed calls. Each call is timed on its own with a steady clock. Returns
// zeros when x has no rows or calls == 0.
LatencyStats MeasureRowLatency(const Explainer& explainer, const FeatureMatrix& x, size_t calls,
                               size_t warmup = 200);

}  // namespace keel
