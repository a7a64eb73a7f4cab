#include "serve/server_metrics.h"

#include <atomic>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json_number.h"
#include "serve/json_text.h"
#include "serve/live_drift.h"
#include "serve/record_request.h"

namespace keel::serve {
namespace {

// `model="NAME"`, the label every per-model series carries.
std::string ModelLabel(const ModelSlot* slot) {
  std::string l = "model=\"";
  AppendLabelValue(&l, slot->name());
  l += '"';
  return l;
}

// Appends "NAME{LABELS} VALUE\n" for an integer value.
void AppendIntSample(std::string* out, std::string_view name, std::string_view labels,
                     uint64_t value) {
  out->append(name);
  if (!labels.empty()) out->append("{").append(labels).append("}");
  out->push_back(' ');
  AppendJsonInt(out, static_cast<int64_t>(value));
  out->push_back('\n');
}

uint64_t Load(const std::atomic<uint64_t>& counter) {
  return counter.load(std::memory_order_relaxed);
}

void AppendModelInfo(const std::vector<ModelSlot*>& slots, std::string* out) {
  AppendMetricHeader(out, "keel_model_info", "gauge",
                     "The model each name serves (value 1), with its version and shape.");
  for (const ModelSlot* s : slots) {
    const auto m = s->Get();
    out->append("keel_model_info{");
    out->append(ModelLabel(s));
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
}

// The counters kept per model name (SlotMetrics): they survive reloads.
void AppendSlotCounters(const std::vector<ModelSlot*>& slots, std::string* out) {
  AppendMetricHeader(out, "keel_model_instances_total", "counter",
                     "Instances predicted or explained.");
  for (const ModelSlot* s : slots) {
    AppendIntSample(out, "keel_model_instances_total", ModelLabel(s), Load(s->metrics().instances));
  }
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
      AppendIntSample(out, "keel_model_reloads_total",
                      ModelLabel(s) + ",result=\"" + std::string(result) + "\"", Load(*count));
    }
  }
  AppendMetricHeader(out, "keel_instance_anomalies_total", "counter",
                     "Schema validation anomalies of request instances, by kind.");
  for (const ModelSlot* s : slots) {
    for (size_t k = 0; k < kNumInstanceAnomalyKinds; ++k) {
      const std::string labels =
          ModelLabel(s) + ",kind=\"" +
          std::string(InstanceAnomalyKindName(static_cast<InstanceAnomalyKind>(k))) + "\"";
      AppendIntSample(out, "keel_instance_anomalies_total", labels,
                      Load(s->metrics().anomalies[k]));
    }
  }
  AppendMetricHeader(out, "keel_ignored_fields_total", "counter",
                     "Request fields ignored in --lenient mode, by reason.");
  for (const ModelSlot* s : slots) {
    AppendIntSample(out, "keel_ignored_fields_total", ModelLabel(s) + ",reason=\"unknown_field\"",
                    Load(s->metrics().ignored_unknown));
    AppendIntSample(out, "keel_ignored_fields_total", ModelLabel(s) + ",reason=\"wrong_type\"",
                    Load(s->metrics().ignored_wrong_type));
  }
}

void AppendPredictionHistograms(const std::vector<ModelSlot*>& slots, std::string* out) {
  AppendMetricHeader(out, "keel_prediction_value", "histogram",
                     "Answered values per model: probability of each class (binary: the "
                     "positive class) or the regression prediction. Reset by a reload.");
  for (const ModelSlot* s : slots) {
    const auto m = s->Get();
    const auto& hist = m->histograms().values;
    for (size_t k = 0; k < hist.size(); ++k) {
      const size_t value_index = m->model().task == Task::kBinary ? 1 : k;
      std::string l = ModelLabel(s);
      l += ",output=\"";
      AppendLabelValue(&l, m->value_names()[value_index]);
      l += '"';
      hist[k]->AppendSeries(out, "keel_prediction_value", l);
    }
  }
}

void AppendLogMetrics(const PredictionLog& log, std::string* out) {
  const PredictionLogStats ls = log.stats();
  auto one = [&](std::string_view name, std::string_view type, std::string_view help, uint64_t v) {
    AppendMetricHeader(out, name, type, help);
    AppendIntSample(out, name, "", v);
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
  auto series = [&](std::string_view name, std::string_view type, std::string_view help, auto get) {
    AppendMetricHeader(out, name, type, help);
    for (const Row& r : rows) {
      out->append(name).append("{").append(ModelLabel(r.slot)).append("} ");
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
      out->append("keel_drift_feature_drifted{").append(ModelLabel(r.slot)).append(",feature=\"");
      AppendLabelValue(out, feature);
      out->append(drifted ? "\"} 1\n" : "\"} 0\n");
    }
  }
}

}  // namespace

void AppendServerMetrics(const ServerMetricsSources& sources, std::string* out) {
  sources.http->AppendText(out);
  const std::vector<ModelSlot*> slots = sources.store->All();
  AppendModelInfo(slots, out);
  AppendSlotCounters(slots, out);
  AppendPredictionHistograms(slots, out);
  if (sources.log != nullptr) AppendLogMetrics(*sources.log, out);
  AppendDriftMetrics(slots, out);
  AppendMetricHeader(out, "keel_ready", "gauge", "1 when the server is ready to serve.");
  out->append(sources.ready ? "keel_ready 1\n" : "keel_ready 0\n");
}

}  // namespace keel::serve
