// The server's view of one HTTP exchange, independent of the transport (Boost.Beast): the
// transport fills an HttpRequest, a handler fills an HttpResponse, the transport sends it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "serve/metrics.h"

namespace keel::serve {

enum class HttpMethod : uint8_t { kGet, kHead, kPost, kPut, kDelete, kOther };

// Bytes of zero padding the transport guarantees after the body (simdjson reads past the end
// of its input by up to this much).
inline constexpr size_t kBodyPadding = 64;

// One complete request. Views borrow from the transport and live until the response is sent.
struct HttpRequest {
  HttpMethod method = HttpMethod::kOther;
  std::string_view target;        // path and query, as sent
  std::string_view content_type;  // empty when the header is absent
  std::string_view authorization;
  std::string_view request_id;  // the X-Request-Id header, empty when absent
  // The body; capacity() >= size() + kBodyPadding. Handlers may parse it in place.
  std::string* body = nullptr;
};

// One response. The transport owns one per connection and reuses it (and its buffers) for
// every request of that connection; Reset() clears it between requests.
struct HttpResponse {
  int status = 200;
  std::string body;
  std::string_view content_type = "application/json";
  // Extra header lines, each "Name: value\r\n".
  std::string extra_headers;
  // Close the connection after this response.
  bool close = false;
  // The route, for metrics (set by the handler).
  Route route = Route::kOther;
  // Work that may block (loading a model from disk): when set, the transport runs it on its
  // blocking-work thread, off the I/O threads, and sends the response it completes.
  std::function<void(HttpResponse*)> blocking_work;

  void Reset() {
    status = 200;
    body.clear();
    content_type = "application/json";
    extra_headers.clear();
    close = false;
    route = Route::kOther;
    blocking_work = nullptr;
  }
};

// State a handler keeps per connection (parsers, scratch buffers) so requests reuse memory.
class ConnectionState {
 public:
  virtual ~ConnectionState() = default;
};

// What the transport calls. Handle is called from I/O threads, concurrently for different
// connections and never concurrently for one connection; it must not block.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual std::unique_ptr<ConnectionState> NewConnection() = 0;
  virtual void Handle(const HttpRequest& request, ConnectionState* state,
                      HttpResponse* response) = 0;
  // SIGHUP: called on the blocking-work thread.
  virtual void OnReloadSignal() = 0;
  // The transport stopped accepting and is draining (called on an I/O thread).
  virtual void OnShutdownStarted() {}
};

}  // namespace keel::serve
