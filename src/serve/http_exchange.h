// The transport's request path without a socket: the steps HttpServer takes between the bytes
// a client sent and the bytes it writes back (parser limits, request view, the answer to a
// read error, the handler call guarded against exceptions, the response head), shared by
// HttpServer and by ServeConnectionBytes, which drives them over an in-memory byte string so
// the whole path can be fuzzed and tested without sockets, threads or timers.
//
// What ServeConnectionBytes does not model: timeouts (408), the connection limit (503), the
// interim "100 Continue" answer, the draining of a shutdown, and the timing of reads (the
// server may see the same bytes split over several reads; Beast's parser gives the same
// result for any split).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "serve/http_server.h"
#include "serve/http_types.h"
#include "serve/metrics.h"

namespace keel::serve {

using HttpRequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
using HttpRequestMessage = boost::beast::http::request<boost::beast::http::string_body>;

// Applies the server's body and header limits to a fresh parser.
void ConfigureRequestParser(const HttpServerOptions& options, HttpRequestParser* parser);

// Fills `request` with views of `message` (which must outlive it) and pads the body for
// simdjson (kBodyPadding). Returns whether the client asked to keep the connection alive.
bool MakeHttpRequest(HttpRequestMessage& message, HttpRequest* request);

// The answer to a failed read: the status and message the server sends before closing, or
// nullopt when the client is gone (end of stream, partial message, reset) and nothing is sent.
// Timeouts are the transport's own (408) and not covered here.
struct ReadErrorAnswer {
  int status = 400;
  std::string message;
};
std::optional<ReadErrorAnswer> AnswerReadError(boost::system::error_code ec,
                                               const HttpServerOptions& options);

// Sets `response` to the error the transport answers itself: {"error": message}, closing.
void MakeTransportError(int status, std::string_view message, HttpResponse* response);

// Calls handler->Handle; an exception escaping it (a bug or out-of-memory) becomes a 500.
void HandleGuarded(HttpHandler* handler, const HttpRequest& request, ConnectionState* state,
                   HttpResponse* response);

// Runs response->blocking_work (moved out of the response first); an exception becomes a 500.
void RunBlockingWorkGuarded(HttpResponse* response);

// Replaces `head` with the status line and headers of `response` (with "Connection: close"
// when `close`), ending with the blank line.
void FormatResponseHead(const HttpResponse& response, bool close, std::string* head);

// What one response looked like on the wire.
struct ExchangedResponse {
  const HttpResponse* response;  // status, body, route
  std::string_view head;         // status line and headers, as FormatResponseHead wrote them
  bool close;                    // the connection closes after it
};

// Serves `input` as everything one client sent on one connection: parses requests one after
// the other with the server's parser and limits, answers read errors as the server does,
// hands each complete request to `handler` (running its blocking work inline), counts it in
// `metrics`, and calls `on_response` with each response in order. Stops after a response
// that closes the connection or when the input ends (an incomplete request gets no answer).
// Returns the number of responses. `handler` and `metrics` are borrowed.
size_t ServeConnectionBytes(std::string_view input, const HttpServerOptions& options,
                            HttpHandler* handler, HttpMetrics* metrics,
                            const std::function<void(const ExchangedResponse&)>& on_response);

}  // namespace keel::serve
