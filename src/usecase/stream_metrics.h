// Prometheus metrics of a `keel stream --from nats://` consumer on an HTTP port
// (--metrics-port): GET /metrics answers the counters in the text exposition format (0.0.4),
// labelled with the stream and the consumer:
//   keel_stream_consumed_total      messages fetched (redeliveries included)
//   keel_stream_scored_total        predictions published
//   keel_stream_published_total     messages published (predictions and dead letters)
//   keel_stream_rejected_total      events dead-lettered
//   keel_stream_redelivered_total   fetched messages delivered before
//   keel_stream_duplicates_total    publishes the output stream dropped as repeats
//   keel_stream_logged_total        prediction log rows committed
//   keel_stream_lag                 messages left for the consumer at the last fetch (gauge)
// Served by the server's HTTP transport (serve/http_server.h) on a thread of its own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "keel/status.h"

namespace keel::usecase {

struct NatsStreamCounts;

class StreamMetricsServer {
 public:
  // Listens on host:port (port 0: any free port, see port()) and serves until destroyed.
  // Errors: IoError (address in use), InvalidArgument (bad host).
  static Result<std::unique_ptr<StreamMetricsServer>> Start(const std::string& host, uint16_t port,
                                                            const std::string& stream,
                                                            const std::string& consumer);
  ~StreamMetricsServer();

  uint16_t port() const;
  // Publishes the counts a later scrape answers (thread-safe).
  void Update(const NatsStreamCounts& counts);

  struct Impl;

 private:
  explicit StreamMetricsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::usecase
