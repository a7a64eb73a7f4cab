// The HTTP/1.1 transport of `keel serve`: Boost.Beast over Asio, keep-alive and pipelining,
// named limits, timeouts and graceful shutdown. It knows nothing about models: it parses
// requests, hands them to an HttpHandler and writes what the handler answers.
//
// Limits (each answered with a clear status, never a crash or a hang):
//   max_body_bytes       413 Payload Too Large (checked against Content-Length before reading)
//   max_header_bytes     431 Request Header Fields Too Large
//   read_timeout         the whole request (header and body) must arrive within it from its
//                        first byte: slow clients get 408 and are closed
//   idle_timeout         a kept-alive connection with no request for this long is closed
//   write_timeout        a client that does not read its response is closed
//   max_connections      connections beyond it are answered 503 and closed
// Malformed HTTP is answered 400 and the connection closed.
//
// Threading: `io_threads` threads run the I/O and the handler; one more thread runs blocking
// work (HttpResponse::blocking_work, SIGHUP). Per-connection state is touched by one thread
// at a time (a strand per connection).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "keel/status.h"
#include "serve/http_types.h"
#include "serve/metrics.h"

namespace keel::serve {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = any free port (see HttpServer::port)
  int io_threads = 1;
  int max_connections = 1024;
  uint64_t max_body_bytes = 1 << 20;
  uint32_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds write_timeout{10000};
  // How long a shutdown waits for in-flight requests before closing what is left.
  std::chrono::milliseconds shutdown_grace{10000};
  // Handle SIGTERM/SIGINT (graceful shutdown) and SIGHUP (HttpHandler::OnReloadSignal).
  bool handle_signals = true;
};

class HttpServer {
 public:
  // Binds and listens, so port() is known on return. `handler` and `metrics` must outlive
  // the server. Errors: InvalidArgument (bad host), IoError (address in use, permissions).
  static Result<std::unique_ptr<HttpServer>> Create(const HttpServerOptions& options,
                                                    HttpHandler* handler, HttpMetrics* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the chosen one when options.port was 0).
  uint16_t port() const;

  // Serves until a shutdown completes (SIGTERM/SIGINT or Shutdown()); blocks the caller.
  // A shutdown stops accepting, lets in-flight requests finish (answered with
  // "Connection: close"), closes idle connections, and returns once no connection is left or
  // shutdown_grace has passed.
  void Run();

  // Starts a graceful shutdown; thread-safe, returns at once.
  void Shutdown();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::serve
