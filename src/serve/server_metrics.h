// The Prometheus text of a running server (GET /metrics): the HTTP families (metrics.h), then
// per model name its info, counters, anomalies, ignored fields and prediction histograms, the
// prediction log's counters, the live drift windows, and readiness. Rendering reads atomics
// and snapshots without stopping the request path.
#pragma once

#include <string>

#include "serve/metrics.h"
#include "serve/model_store.h"
#include "serve/prediction_log.h"

namespace keel::serve {

struct ServerMetricsSources {
  const HttpMetrics* http = nullptr;
  const ModelStore* store = nullptr;
  const PredictionLog* log = nullptr;  // null: no prediction log (its families are left out)
  bool ready = false;
};

// Appends every family, each with its HELP and TYPE lines, in the order above.
void AppendServerMetrics(const ServerMetricsSources& sources, std::string* out);

}  // namespace keel::serve
