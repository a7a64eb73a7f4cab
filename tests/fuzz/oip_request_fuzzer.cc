// libFuzzer target: the Open Inference Protocol decoder (ParseInferRequest,
// serve/oip_request.h) and the response path behind it (prediction, AppendInferResponse), as
// Service::Infer runs them; plus the model metadata answer once per model.
//
// Input: one option byte, then the request body.
//   bit 0 lenient
//   bits 1-2 model: 0 binary, 1 multiclass, 2 regression, 3 binary without a training schema
// The models are the hand-built ones of the serving tests (serve/test_model.h).
//
// Findings besides crashes and sanitizer reports (abort): an error that is not one of the
// documented codes or has no message; a batch whose rows do not match its count; an answer
// that is not JSON or has the wrong shape.
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
#include "serve/oip_request.h"
#include "serve/test_model.h"

namespace {

using namespace keel::serve;
using namespace keel::serve::fuzz;

struct Harness {
  // Each model's metadata answer is checked once, as it is built.
  TestModels models{[](const ServedModel& m) {
    std::string meta;
    AppendModelMetadata(m, &meta);
    Require(IsJsonObject(meta), "metadata is a JSON object", meta);
  }};
  simdjson::ondemand::parser parser{64 << 10};
  OipBatch batch;
  std::string body;
  std::vector<double> values;
  std::string out;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness h;
  if (size == 0 || size > (64 << 10)) return 0;
  const uint8_t flags = data[0];
  OipOptions options;
  options.lenient = (flags & 1) != 0;
  options.max_instances = 64;
  const ServedModel& model = *h.models.models[(flags >> 1) & 3];

  h.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  h.body.reserve(h.body.size() + simdjson::SIMDJSON_PADDING);
  OipBatch& b = h.batch;
  const keel::Status st = ParseInferRequest(model, h.body, options, &h.parser, &b);
  if (!st.ok()) {
    RequireDocumentedRefusal(st);
    return 0;
  }
  const size_t n = b.n;
  const size_t nf = model.num_features();
  const size_t nv = model.num_values();
  Require(n <= options.max_instances, "no more rows than the limit");
  Require(b.x.size() >= n * nf, "one feature row per instance");
  // A feature matrix carries encoded rows as sent (any float, including codes outside a
  // categorical feature's dictionary): the predictor must take them all.
  h.values.resize(n * nv);
  for (size_t i = 0; i < n; ++i) model.Predict(b.x.data() + i * nf, h.values.data() + i * nv);
  h.out.clear();
  AppendInferResponse(model, b, h.values.data(), &h.out);
  const auto j = nlohmann::json::parse(h.out, nullptr, false);
  Require(j.is_object() && j.contains("outputs") && j["outputs"].is_array(),
          "the answer is a JSON object with outputs", h.out);
  for (const auto& o : j["outputs"]) {
    Require(
        o.contains("shape") && o["shape"].is_array() && !o["shape"].empty() && o["shape"][0] == n,
        "every output has one row per instance", h.out);
  }
  return 0;
}
