#include "usecase/stream_metrics.h"

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <thread>

#include "serve/http_server.h"
#include "serve/metrics.h"
#include "usecase/nats_stream.h"

namespace keel::usecase {
namespace {

struct Metric {
  const char* name;
  const char* type;
  const char* help;
};

constexpr std::array<Metric, 8> kMetrics = {{
    {"keel_stream_consumed_total", "counter", "Messages fetched (redeliveries included)."},
    {"keel_stream_scored_total", "counter", "Predictions published."},
    {"keel_stream_published_total", "counter",
     "Messages published (predictions and dead letters)."},
    {"keel_stream_rejected_total", "counter", "Events sent to the dead-letter subject."},
    {"keel_stream_redelivered_total", "counter", "Fetched messages that were delivered before."},
    {"keel_stream_duplicates_total", "counter",
     "Publishes the output stream dropped as repeats of an earlier one."},
    {"keel_stream_logged_total", "counter", "Prediction log rows committed."},
    {"keel_stream_lag", "gauge", "Messages left for the consumer at the last fetch."},
}};

}  // namespace

struct StreamMetricsServer::Impl : serve::HttpHandler {
  std::string labels;
  std::array<std::atomic<uint64_t>, kMetrics.size()> values{};
  serve::HttpMetrics http_metrics;
  std::unique_ptr<serve::HttpServer> server;
  std::thread runner;

  std::unique_ptr<serve::ConnectionState> NewConnection() override { return nullptr; }
  void OnReloadSignal() override {}
  void Handle(const serve::HttpRequest& request, serve::ConnectionState*,
              serve::HttpResponse* response) override {
    response->route = serve::Route::kMetrics;
    const std::string_view path = request.target.substr(0, request.target.find('?'));
    if (path != "/metrics") {
      response->status = 404;
      response->body = R"({"error":"not found: the metrics are at /metrics"})";
      return;
    }
    response->content_type = "text/plain; version=0.0.4";
    response->body.clear();
    for (size_t i = 0; i < kMetrics.size(); ++i) {
      const Metric& m = kMetrics[i];
      response->body +=
          fmt::format("# HELP {} {}\n# TYPE {} {}\n{}{{{}}} {}\n", m.name, m.help, m.name, m.type,
                      m.name, labels, values[i].load(std::memory_order_relaxed));
    }
  }
};

StreamMetricsServer::StreamMetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StreamMetricsServer::~StreamMetricsServer() {
  impl_->server->Shutdown();
  if (impl_->runner.joinable()) impl_->runner.join();
}

Result<std::unique_ptr<StreamMetricsServer>> StreamMetricsServer::Start(
    const std::string& host, uint16_t port, const std::string& stream,
    const std::string& consumer) {
  auto impl = std::make_unique<Impl>();
  // Label values: stream and consumer names hold no quotes or backslashes (NATS forbids them
  // in stream names and durable names).
  impl->labels = fmt::format("stream=\"{}\",consumer=\"{}\"", stream, consumer);
  serve::HttpServerOptions o;
  o.host = host;
  o.port = port;
  o.handle_signals = false;  // the consumer's SIGINT/SIGTERM handling stays in charge
  o.shutdown_grace = std::chrono::milliseconds(1000);
  KEEL_ASSIGN_OR_RETURN(impl->server,
                        serve::HttpServer::Create(o, impl.get(), &impl->http_metrics));
  Impl* raw = impl.get();
  impl->runner = std::thread([raw] { raw->server->Run(); });
  return std::unique_ptr<StreamMetricsServer>(new StreamMetricsServer(std::move(impl)));
}

uint16_t StreamMetricsServer::port() const {
  return impl_->server->port();
}

void StreamMetricsServer::Update(const NatsStreamCounts& c) {
  const std::array<uint64_t, kMetrics.size()> v = {
      c.consumed, c.scored, c.published, c.rejected, c.redelivered, c.duplicates, c.logged, c.lag};
  for (size_t i = 0; i < v.size(); ++i) impl_->values[i].store(v[i], std::memory_order_relaxed);
}

}  // namespace keel::usecase
