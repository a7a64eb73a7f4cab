// libFuzzer target: the server's whole request path, without sockets. The input is what one
// client sends on one connection; ServeConnectionBytes (serve/http_exchange.h) parses it with
// the server's Boost.Beast parser and limits, answers read errors as the server does, and
// hands every request that parses to Service::Handle, which serves three tiny in-memory models
// (binary "tiny", multiclass "multi", regression "reg"; serve/test_model.h) with a prediction
// log, an admin token, and hot reload from artifacts written at start-up. An input starting
// with byte 0x01 (which no HTTP request starts with) is served in --lenient mode.
//
// Limits are smaller than the server's defaults so the fuzzer's inputs reach them: body 8 KiB,
// header 4 KiB, 32 instances per request.
//
// Findings besides crashes and sanitizer reports (abort): a 500 (an exception escaped a
// handler), a response head that is not well-formed HTTP (bad line, a header value carrying
// CR/LF, a Content-Length that is not the body's size), a JSON answer that is not valid JSON,
// or a prediction log row whose inputs or output are not JSON objects.
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "model/model_io.h"
#include "request_fuzz_support.h"
#include "serve/http_exchange.h"
#include "serve/model_store.h"
#include "serve/prediction_log.h"
#include "serve/service.h"
#include "serve/test_model.h"

namespace {

using namespace keel::serve;
using namespace keel::serve::fuzz;

// A prediction log that keeps nothing but reads every row it is handed, so a view that
// outlives its bytes is an ASan report and a malformed row a finding.
class CheckingLog final : public PredictionLog {
 public:
  uint64_t Append(const PredictionRecord& r) override {
    Require(IsJsonObject(r.inputs_json), "logged inputs are a JSON object", r.inputs_json);
    Require(IsJsonObject(r.output_json), "logged output is a JSON object", r.output_json);
    Require(!r.request_id.empty() && !r.model.empty() && !r.model_version.empty(),
            "a logged row names its request, model and version");
    for (char c : r.subject)
      Require(std::isxdigit(static_cast<unsigned char>(c)) != 0,
              "a logged subject is a hex pseudonym", r.subject);
    return ++rows_;
  }
  keel::Status WaitDurable(uint64_t) override { return keel::Status::OK(); }
  bool durable() const override { return false; }
  PredictionLogStats stats() const override {
    PredictionLogStats s;
    s.rows_written = rows_.load();
    return s;
  }
  void Close() override {}

 private:
  std::atomic<uint64_t> rows_{0};
};

struct Harness {
  Harness() {
    dir = std::filesystem::temp_directory_path() / ("keel_http_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    AddModel("tiny", testing::TinyBinaryModel());
    AddModel("multi", testing::TinyMulticlassModel());
    AddModel("reg", testing::TinyRegressionModel());
    http.max_body_bytes = 8 << 10;
    http.max_header_bytes = 4 << 10;
    for (bool lenient : {false, true}) {
      ServiceOptions o;
      o.lenient = lenient;
      o.max_instances = 32;
      o.max_body_bytes = http.max_body_bytes;
      o.admin_token = "fuzz-token";
      o.pii_key = "fuzz-pii-key";
      o.server_version = "fuzz";
      auto& s = lenient ? lenient_service : strict_service;
      s = std::make_unique<Service>(o, &store, &log, &metrics);
      s->SetReady(true);
    }
  }
  ~Harness() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  void AddModel(const std::string& name, keel::Model model) {
    const std::string path = (dir / (name + ".keel")).string();
    Require(keel::SaveModel(model, path).ok(), "saving a test model");
    auto served = ServedModel::FromModel(name, std::move(model), "v1", path);
    Require(served.ok(), "building a test model");
    Require(store.Add(name, path, *served).ok(), "adding a test model");
  }

  std::filesystem::path dir;
  HttpServerOptions http;
  HttpMetrics metrics;
  ModelStore store;
  CheckingLog log;
  std::unique_ptr<Service> strict_service;
  std::unique_ptr<Service> lenient_service;
};

void CheckHead(std::string_view head, const HttpResponse& r) {
  Require(head.substr(0, 9) == "HTTP/1.1 ", "the status line starts with HTTP/1.1", head);
  Require(head.size() >= 4 && head.substr(head.size() - 4) == "\r\n\r\n",
          "the head ends with a blank line", head);
  // Every line ends with CRLF and carries no other CR or LF (no response splitting), and every
  // header line is "Name: value".
  std::string_view rest = head.substr(0, head.size() - 2);
  bool status_line = true;
  bool saw_length = false;
  while (!rest.empty()) {
    const size_t eol = rest.find("\r\n");
    Require(eol != std::string_view::npos, "every head line ends with CRLF", head);
    const std::string_view line = rest.substr(0, eol);
    Require(line.find_first_of("\r\n") == std::string_view::npos, "no bare CR or LF in a head line",
            head);
    if (!status_line) {
      const size_t colon = line.find(": ");
      Require(colon != std::string_view::npos && colon > 0, "a header line is 'Name: value'", head);
      if (line.substr(0, colon) == "Content-Length") {
        saw_length = true;
        Require(line.substr(colon + 2) == std::to_string(r.body.size()),
                "Content-Length is the body's size", head);
      }
    }
    status_line = false;
    rest.remove_prefix(eol + 2);
  }
  Require(saw_length, "the head has a Content-Length", head);
}

void CheckResponse(const ExchangedResponse& e) {
  const HttpResponse& r = *e.response;
  Require(r.status >= 200 && r.status < 600, "the status is a final HTTP status", r.body);
  Require(r.status != 500, "no request is answered 500 (an escaped exception)", r.body);
  CheckHead(e.head, r);
  if (r.content_type == "application/json") {
    Require(IsJsonObject(r.body), "a JSON answer is a JSON object", r.body);
    if (r.status >= 400) {
      const auto j = nlohmann::json::parse(r.body, nullptr, false);
      Require(
          j.contains("error") && j["error"].is_string() && !j["error"].get<std::string>().empty(),
          "an error answer says what went wrong", r.body);
    }
  } else {
    Require(r.route == Route::kMetrics && r.status == 200, "only /metrics answers non-JSON",
            r.body);
    Require(!r.body.empty() && r.body.back() == '\n', "Prometheus text ends with a newline");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness harness;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Service* service = harness.strict_service.get();
  if (!input.empty() && input[0] == '\x01') {
    service = harness.lenient_service.get();
    input.remove_prefix(1);
  }
  ServeConnectionBytes(input, harness.http, service, &harness.metrics, CheckResponse);
  return 0;
}
