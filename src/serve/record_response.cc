#include "serve/record_response.h"

#include <algorithm>
#include <cmath>

#include "model/quantile_outputs.h"
#include "serve/json_text.h"

namespace keel::serve {
namespace {

void AppendEnvelope(const ServedModel& model, std::string_view request_id, std::string* out) {
  out->append("{\"model\":");
  AppendJsonString(out, model.name());
  out->append(",\"model_version\":");
  AppendJsonString(out, model.version());
  out->append(",\"request_id\":");
  AppendJsonString(out, request_id);
}

// "id", the values, "label" and "anomalies" of instance i (no braces).
void AppendInstanceCore(const ServedModel& model, const RecordBatch& batch, size_t i,
                        const double* v, std::string* out) {
  bool first = true;
  auto sep = [&] {
    if (!first) out->push_back(',');
    first = false;
  };
  if (!batch.ids[i].empty()) {
    sep();
    out->append("\"id\":");
    out->append(batch.ids[i]);
  }
  const size_t nv = model.num_values();
  for (size_t k = 0; k < nv; ++k) {
    sep();
    out->append(model.value_keys_json()[k]);
    out->push_back(':');
    AppendJsonNumber(out, v[k]);
  }
  if (model.is_classifier()) {
    const size_t best = static_cast<size_t>(std::max_element(v, v + nv) - v);
    out->append(",\"label\":");
    out->append(model.class_names_json()[best]);
  }
  if (batch.interval > 0) {
    if (model.is_classifier()) {
      // Binary values are (1 - p, p); the predictor's output is p.
      const double* outputs = model.model().task == Task::kBinary ? v + 1 : v;
      out->append(",\"set\":");
      AppendJsonString(out, PredictionSet(model.model(), outputs, batch.interval_q));
    } else {
      const auto [lower, upper] = RegressionInterval(model.model(), v, batch.interval_q);
      out->append(",\"lower\":");
      AppendJsonNumber(out, lower);
      out->append(",\"upper\":");
      AppendJsonNumber(out, upper);
    }
  }
  sep();
  out->append("\"anomalies\":[");
  for (uint32_t a = batch.anomaly_begin[i]; a < batch.anomaly_begin[i + 1]; ++a) {
    const InstanceAnomaly& an = batch.anomalies[a];
    if (a > batch.anomaly_begin[i]) out->push_back(',');
    out->append("{\"field\":");
    AppendJsonString(out, an.field);
    out->append(",\"kind\":\"");
    out->append(InstanceAnomalyKindName(an.kind));
    out->push_back('"');
    if (!an.value.empty()) {
      out->append(",\"value\":");
      out->append(an.value);
    }
    out->push_back('}');
  }
  out->push_back(']');
}

}  // namespace

void AppendPredictResponse(const ServedModel& model, const RecordBatch& batch,
                           std::string_view request_id, const double* values, const double* shap,
                           std::vector<int>* order, std::string* out, InstanceSpans* spans) {
  const size_t nv = model.num_values();
  const size_t nf = model.num_features();
  spans->begin.clear();
  spans->end.clear();
  AppendEnvelope(model, request_id, out);
  out->append(",\"predictions\":[");
  const Explainer* ex = model.explainer();
  const size_t width = ex != nullptr ? ex->row_width() : 0;
  for (size_t i = 0; i < batch.n; ++i) {
    if (i > 0) out->push_back(',');
    spans->begin.push_back(static_cast<uint32_t>(out->size()));
    out->push_back('{');
    const double* v = values + i * nv;
    AppendInstanceCore(model, batch, i, v, out);
    if (batch.explain_k > 0 && ex != nullptr) {
      const int output = model.ExplainedOutput(v);
      const double* phi = shap + i * width + static_cast<size_t>(output) * (nf + 1);
      order->resize(nf);
      for (size_t f = 0; f < nf; ++f) (*order)[f] = static_cast<int>(f);
      const size_t k = std::min(static_cast<size_t>(batch.explain_k), nf);
      std::partial_sort(order->begin(), order->begin() + static_cast<std::ptrdiff_t>(k),
                        order->end(), [phi](int a, int b) {
                          const double fa = std::fabs(phi[a]), fb = std::fabs(phi[b]);
                          return fa > fb || (fa == fb && a < b);
                        });
      out->append(",\"reasons\":[");
      for (size_t r = 0; r < k; ++r) {
        const auto f = static_cast<size_t>((*order)[r]);
        if (r > 0) out->push_back(',');
        out->append("{\"feature\":");
        out->append(model.feature_names_json()[f]);
        out->append(",\"value\":");
        const std::string_view raw = batch.raw[i * nf + f];
        out->append(raw.empty() ? std::string_view("null") : raw);
        out->append(",\"contribution\":");
        AppendJsonNumber(out, phi[f]);
        out->push_back('}');
      }
      out->push_back(']');
    }
    out->push_back('}');
    spans->end.push_back(static_cast<uint32_t>(out->size()));
  }
  out->append("]}");
}

void AppendExplainResponse(const ServedModel& model, const RecordBatch& batch,
                           std::string_view request_id, const double* values, const double* shap,
                           std::string* out, InstanceSpans* spans) {
  const size_t nv = model.num_values();
  const size_t nf = model.num_features();
  const Explainer& ex = *model.explainer();
  const size_t width = ex.row_width();
  const auto outputs = static_cast<size_t>(ex.num_outputs());
  spans->begin.clear();
  spans->end.clear();
  AppendEnvelope(model, request_id, out);
  out->append(",\"explanations\":[");
  auto append_vector = [&](const double* phi) {
    out->push_back('{');
    for (size_t f = 0; f < nf; ++f) {
      out->append(model.feature_names_json()[f]);
      out->push_back(':');
      AppendJsonNumber(out, phi[f]);
      out->push_back(',');
    }
    out->append("\"bias\":");
    AppendJsonNumber(out, phi[nf]);
    out->push_back('}');
  };
  for (size_t i = 0; i < batch.n; ++i) {
    if (i > 0) out->push_back(',');
    spans->begin.push_back(static_cast<uint32_t>(out->size()));
    out->push_back('{');
    AppendInstanceCore(model, batch, i, values + i * nv, out);
    out->append(",\"shap\":");
    const double* row = shap + i * width;
    if (outputs == 1) {
      append_vector(row);
    } else {
      out->push_back('{');
      for (size_t k = 0; k < outputs; ++k) {
        if (k > 0) out->push_back(',');
        out->append(model.class_names_json()[k]);
        out->push_back(':');
        append_vector(row + k * (nf + 1));
      }
      out->push_back('}');
    }
    out->push_back('}');
    spans->end.push_back(static_cast<uint32_t>(out->size()));
  }
  out->append("]}");
}

}  // namespace keel::serve
