// libFuzzer target: the record API's decoder (ParseRecordRequest, serve/record_request.h) and
// the response path behind it (prediction, TreeSHAP, AppendPredictResponse /
// AppendExplainResponse, serve/record_response.h), as Service::Predict runs them.
//
// Input: one option byte, then the request body.
//   bit 0 lenient          bit 1 build the prediction log's inputs     bit 2 pii key set
//   bit 3 reject "explain" (the explain route)                         bit 4 explain route
//   bits 5-6 model: 0 binary, 1 multiclass, 2 regression, 3 binary without a training schema
//   (an import without --schema: no schema check, no id or pii column)
// All four models are the hand-built ones of the serving tests (serve/test_model.h).
//
// Findings besides crashes and sanitizer reports (abort): an error that is not one of the
// documented codes or has no message; a decoded batch whose shapes do not match its count; a
// log input or answered instance that is not a JSON object; an answer that is not JSON.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "request_fuzz_support.h"
#include "serve/record_request.h"
#include "serve/record_response.h"
#include "serve/test_model.h"

namespace {

using namespace keel::serve;
using namespace keel::serve::fuzz;

struct Harness {
  TestModels models;
  simdjson::ondemand::parser parser{64 << 10};
  RecordBatch batch;
  std::string body;
  std::vector<double> values;
  std::vector<double> shap;
  std::vector<int> order;
  InstanceSpans spans;
  std::string out;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness h;
  if (size == 0 || size > (64 << 10)) return 0;
  const uint8_t flags = data[0];
  RecordOptions options;
  options.lenient = (flags & 1) != 0;
  options.log_inputs = (flags & 2) != 0;
  options.pii_key = (flags & 4) != 0 ? "fuzz-pii-key" : "";
  options.allow_explain_k = (flags & 8) == 0;
  options.max_instances = 64;
  const bool explain_route = (flags & 16) != 0;
  const ServedModel& model = *h.models.models[(flags >> 5) & 3];

  // The transport hands the body with simdjson's padding reserved behind it.
  h.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  h.body.reserve(h.body.size() + simdjson::SIMDJSON_PADDING);
  RecordBatch& b = h.batch;
  const keel::Status st = ParseRecordRequest(model, h.body, options, &h.parser, &b);
  if (!st.ok()) {
    RequireDocumentedRefusal(st);
    return 0;
  }

  const size_t n = b.n;
  const size_t nf = model.num_features();
  const size_t nv = model.num_values();
  Require(n <= options.max_instances, "no more instances than the limit");
  Require(b.x.size() >= n * nf, "one feature row per instance");
  Require(b.anomaly_begin.size() == n + 1, "anomaly offsets per instance");
  for (size_t i = 0; i < n; ++i) {
    Require(b.anomaly_begin[i] <= b.anomaly_begin[i + 1], "anomaly offsets ascend");
  }
  Require(b.anomaly_begin[n] == b.anomalies.size(), "anomaly offsets cover every anomaly");
  Require(b.explain_k >= 0, "explain is not negative");
  if (options.log_inputs) {
    Require(b.log_end.size() == n && b.subject_end.size() == n, "log inputs per instance");
    for (size_t i = 0; i < n; ++i) {
      Require(IsJsonObject(b.log_input(i)), "a log input is a JSON object", b.log_input(i));
      if (options.pii_key.empty()) {
        Require(b.subject(i).empty(), "no pseudonym without a key", b.subject(i));
      }
    }
  }

  // The response path, as Service::Predict runs it.
  h.values.resize(n * nv);
  for (size_t i = 0; i < n; ++i) model.Predict(b.x.data() + i * nf, h.values.data() + i * nv);
  if (explain_route || b.explain_k > 0) {
    const keel::Explainer* ex = model.explainer();
    Require(ex != nullptr, "the test models can be explained");
    keel::ExplainScratch scratch = ex->NewScratch();
    h.shap.resize(n * ex->row_width());
    ex->ExplainRows(b.x.data(), n, nf, h.shap.data(), &scratch);
  }
  h.out.clear();
  if (explain_route) {
    AppendExplainResponse(model, b, "fuzz-request", h.values.data(), h.shap.data(), &h.out,
                          &h.spans);
  } else {
    AppendPredictResponse(model, b, "fuzz-request", h.values.data(), h.shap.data(), &h.order,
                          &h.out, &h.spans);
  }
  Require(IsJsonObject(h.out), "the answer is a JSON object", h.out);
  Require(h.spans.begin.size() >= n && h.spans.end.size() >= n, "a span per instance");
  for (size_t i = 0; i < n; ++i) {
    Require(h.spans.begin[i] <= h.spans.end[i] && h.spans.end[i] <= h.out.size(),
            "an instance's span lies in the answer");
    const std::string_view one =
        std::string_view(h.out).substr(h.spans.begin[i], h.spans.end[i] - h.spans.begin[i]);
    Require(IsJsonObject(one), "an answered instance is a JSON object", one);
  }
  return 0;
}
