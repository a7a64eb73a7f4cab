#include "serve/http_exchange.h"

#include <fmt/format.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <chrono>
#include <ctime>
#include <exception>
#include <iterator>
#include <memory>
#include <tuple>
#include <utility>

#include "core/log.h"
#include "serve/error_response.h"

namespace keel::serve {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kInternalError = R"({"error":"internal server error"})";

std::string_view ToView(boost::beast::string_view s) {
  return {s.data(), s.size()};
}

std::string_view ReasonPhrase(int status) {
  auto r = http::obsolete_reason(static_cast<http::status>(status));
  return {r.data(), r.size()};
}

// "Date: <IMF-fixdate>\r\n", formatted at most once per second per thread.
std::string_view DateHeader() {
  thread_local std::time_t cached_second = 0;
  thread_local char text[64];
  thread_local size_t len = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    len = std::strftime(text, sizeof(text), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    cached_second = now;
  }
  return {text, len};
}

}  // namespace

void ConfigureRequestParser(const HttpServerOptions& options, HttpRequestParser* parser) {
  parser->body_limit(options.max_body_bytes);
  parser->header_limit(options.max_header_bytes);
}

bool MakeHttpRequest(HttpRequestMessage& message, HttpRequest* request) {
  std::string& body = message.body();
  // simdjson reads up to kBodyPadding bytes past the end: make room (a no-op once the
  // connection's buffer has grown to its working size).
  body.reserve(body.size() + kBodyPadding);
  *request = HttpRequest{};
  switch (message.method()) {
    case http::verb::get:
      request->method = HttpMethod::kGet;
      break;
    case http::verb::head:
      request->method = HttpMethod::kHead;
      break;
    case http::verb::post:
      request->method = HttpMethod::kPost;
      break;
    case http::verb::put:
      request->method = HttpMethod::kPut;
      break;
    case http::verb::delete_:
      request->method = HttpMethod::kDelete;
      break;
    default:
      request->method = HttpMethod::kOther;
      break;
  }
  request->target = ToView(message.target());
  if (auto it = message.find(http::field::content_type); it != message.end()) {
    request->content_type = ToView(it->value());
  }
  if (auto it = message.find(http::field::authorization); it != message.end()) {
    request->authorization = ToView(it->value());
  }
  if (auto it = message.find("X-Request-Id"); it != message.end()) {
    request->request_id = ToView(it->value());
  }
  request->body = &body;
  return message.keep_alive();
}

std::optional<ReadErrorAnswer> AnswerReadError(boost::system::error_code ec,
                                               const HttpServerOptions& options) {
  if (ec == http::error::body_limit) {
    return ReadErrorAnswer{413, fmt::format("the request body exceeds the limit of {} bytes "
                                            "(--max-body-bytes)",
                                            options.max_body_bytes)};
  }
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    return ReadErrorAnswer{431, fmt::format("the request header exceeds the limit of {} bytes",
                                            options.max_header_bytes)};
  }
  if (ec.category() == http::make_error_code(http::error::bad_version).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return ReadErrorAnswer{400, fmt::format("malformed HTTP request: {}", ec.message())};
  }
  return std::nullopt;  // end of stream, reset, aborted: the client is gone
}

void MakeTransportError(int status, std::string_view message, HttpResponse* response) {
  response->Reset();
  AnswerError(response, status, message);
  response->close = true;
}

void HandleGuarded(HttpHandler* handler, const HttpRequest& request, ConnectionState* state,
                   HttpResponse* response) {
  try {
    handler->Handle(request, state, response);
  } catch (const std::exception& e) {
    // Handlers report errors as statuses; an exception here is a bug or out-of-memory.
    log::Error("internal error answering {}: {}", request.target, e.what());
    response->Reset();
    response->status = 500;
    response->body = kInternalError;
  }
}

void RunBlockingWorkGuarded(HttpResponse* response) {
  auto work = std::move(response->blocking_work);
  response->blocking_work = nullptr;
  if (!work) return;
  try {
    work(response);
  } catch (const std::exception& e) {
    response->Reset();
    response->status = 500;
    response->body = kInternalError;
    log::Error("internal error in blocking work: {}", e.what());
  }
}

void FormatResponseHead(const HttpResponse& response, bool close, std::string* head) {
  head->clear();
  fmt::format_to(std::back_inserter(*head), "HTTP/1.1 {} {}\r\n", response.status,
                 ReasonPhrase(response.status));
  *head += "Server: keel\r\n";
  *head += DateHeader();
  *head += "Content-Type: ";
  *head += response.content_type;
  fmt::format_to(std::back_inserter(*head), "\r\nContent-Length: {}\r\n", response.body.size());
  *head += response.extra_headers;
  if (close) *head += "Connection: close\r\n";
  *head += "\r\n";
}

size_t ServeConnectionBytes(std::string_view input, const HttpServerOptions& options,
                            HttpHandler* handler, HttpMetrics* metrics,
                            const std::function<void(const ExchangedResponse&)>& on_response) {
  const std::unique_ptr<ConnectionState> state = handler->NewConnection();
  HttpResponse response;
  std::string head;
  size_t pos = 0;
  size_t answered = 0;
  auto send = [&](bool close) {
    const bool closing = response.close || close;
    FormatResponseHead(response, closing, &head);
    metrics->RecordRequest(response.route, response.status, 0.0);
    on_response(ExchangedResponse{&response, head, closing});
    ++answered;
    return closing;
  };
  // Like the server, a connection with no bytes left closes without an answer.
  while (pos < input.size()) {
    HttpRequestParser parser;
    ConfigureRequestParser(options, &parser);
    boost::system::error_code ec;
    // The same sequence of put() calls Beast's read operations make. Where they would read
    // more, the input is over: the client closed its side (put_eof, as Beast does at EOF).
    while (!parser.is_done()) {
      if (pos < input.size()) {
        const size_t used =
            parser.put(boost::asio::buffer(input.data() + pos, input.size() - pos), ec);
        pos += used;
        if (ec != http::error::need_more) {
          if (ec) break;
          continue;
        }
        ec = {};
      }
      if (parser.got_some()) {
        parser.put_eof(ec);
      } else {
        ec = http::error::end_of_stream;
      }
      if (!ec && !parser.is_done()) ec = http::error::partial_message;
      break;
    }
    if (ec) {
      std::optional<ReadErrorAnswer> answer = AnswerReadError(ec, options);
      if (!answer) break;
      MakeTransportError(answer->status, answer->message, &response);
      send(true);
      break;
    }
    HttpRequest request;
    const bool keep_alive = MakeHttpRequest(parser.get(), &request);
    response.Reset();
    HandleGuarded(handler, request, state.get(), &response);
    RunBlockingWorkGuarded(&response);
    if (send(!keep_alive)) break;
  }
  return answered;
}

}  // namespace keel::serve
