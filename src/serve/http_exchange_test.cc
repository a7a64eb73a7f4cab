#include "serve/http_exchange.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace keel::serve {
namespace {

// Answers 200 with "<method> <target> <body>" as text, throws for /throw, and defers /slow to
// blocking work.
class EchoHandler final : public HttpHandler {
 public:
  std::unique_ptr<ConnectionState> NewConnection() override {
    return std::make_unique<ConnectionState>();
  }
  void Handle(const HttpRequest& request, ConnectionState*, HttpResponse* response) override {
    if (request.target == "/throw") throw std::runtime_error("boom");
    if (request.target == "/slow") {
      response->blocking_work = [](HttpResponse* r) { r->body = "{\"late\":true}"; };
      return;
    }
    seen_bodies.emplace_back(*request.body);
    EXPECT_GE(request.body->capacity(), request.body->size() + kBodyPadding);
    response->body = "{\"target\":\"" + std::string(request.target) + "\"}";
  }
  void OnReloadSignal() override {}

  std::vector<std::string> seen_bodies;
};

struct Reply {
  int status;
  std::string head;
  std::string body;
  bool close;
};

std::vector<Reply> Serve(std::string_view input, HttpServerOptions options = {}) {
  EchoHandler handler;
  HttpMetrics metrics;
  std::vector<Reply> replies;
  const size_t n =
      ServeConnectionBytes(input, options, &handler, &metrics, [&](const ExchangedResponse& e) {
        replies.push_back({e.response->status, std::string(e.head), e.response->body, e.close});
      });
  EXPECT_EQ(n, replies.size());
  return replies;
}

TEST(HttpExchange, PipelinedRequestsAreAnsweredInOrder) {
  const auto r = Serve(
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].body, "{\"target\":\"/a\"}");
  EXPECT_EQ(r[1].body, "{\"target\":\"/b\"}");
  EXPECT_EQ(r[2].body, "{\"target\":\"/c\"}");
  for (const Reply& x : r) {
    EXPECT_EQ(x.status, 200);
    EXPECT_FALSE(x.close);
    EXPECT_EQ(x.head.substr(0, 17), "HTTP/1.1 200 OK\r\n");
    EXPECT_NE(x.head.find("\r\nContent-Length: " + std::to_string(x.body.size()) + "\r\n"),
              std::string::npos);
    EXPECT_EQ(x.head.substr(x.head.size() - 4), "\r\n\r\n");
  }
}

TEST(HttpExchange, ConnectionCloseStopsAfterItsResponse) {
  const auto r = Serve(
      "GET /a HTTP/1.1\r\nConnection: close\r\n\r\n"
      "GET /b HTTP/1.1\r\n\r\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].close);
  EXPECT_NE(r[0].head.find("Connection: close\r\n"), std::string::npos);
}

TEST(HttpExchange, Http10WithoutKeepAliveCloses) {
  const auto r = Serve("GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].close);
}

TEST(HttpExchange, MalformedRequestIs400AndCloses) {
  const auto r = Serve("GET /a HTTP/1.1\r\n\r\nGET\x01/ HTTP/9\r\n\r\nGET /c HTTP/1.1\r\n\r\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, 200);
  EXPECT_EQ(r[1].status, 400);
  EXPECT_TRUE(r[1].close);
  EXPECT_NE(r[1].body.find("malformed HTTP request"), std::string::npos);
}

TEST(HttpExchange, DeclaredBodyOverTheLimitIs413WithoutReadingIt) {
  HttpServerOptions o;
  o.max_body_bytes = 10;
  const auto r = Serve("POST /a HTTP/1.1\r\nContent-Length: 11\r\n\r\n", o);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 413);
  EXPECT_NE(r[0].body.find("limit of 10 bytes"), std::string::npos);
}

TEST(HttpExchange, ChunkedBodyOverTheLimitIs413) {
  HttpServerOptions o;
  o.max_body_bytes = 4;
  const auto r = Serve(
      "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", o);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 413);
}

TEST(HttpExchange, HeaderOverTheLimitIs431) {
  HttpServerOptions o;
  o.max_header_bytes = 64;
  const auto r = Serve("GET /a HTTP/1.1\r\nX-Big: " + std::string(100, 'x') + "\r\n\r\n", o);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 431);
}

TEST(HttpExchange, ChunkedBodyReachesTheHandlerWhole) {
  EchoHandler handler;
  HttpMetrics metrics;
  size_t n = ServeConnectionBytes(
      "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", {},
      &handler, &metrics, [](const ExchangedResponse&) {});
  EXPECT_EQ(n, 1u);
  ASSERT_EQ(handler.seen_bodies.size(), 1u);
  EXPECT_EQ(handler.seen_bodies[0], "abcde");
}

TEST(HttpExchange, IncompleteRequestGetsNoAnswer) {
  EXPECT_TRUE(Serve("").empty());
  EXPECT_TRUE(Serve("GET /a HTT").empty());
  EXPECT_TRUE(Serve("POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nab").empty());
  EXPECT_EQ(Serve("GET /a HTTP/1.1\r\n\r\nGET /b").size(), 1u);
}

TEST(HttpExchange, HandlerExceptionIs500AndTheConnectionGoesOn) {
  const auto r = Serve("GET /throw HTTP/1.1\r\n\r\nGET /a HTTP/1.1\r\n\r\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, 500);
  EXPECT_EQ(r[0].body, R"({"error":"internal server error"})");
  EXPECT_EQ(r[1].status, 200);
}

TEST(HttpExchange, BlockingWorkCompletesTheResponse) {
  const auto r = Serve("GET /slow HTTP/1.1\r\n\r\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].body, "{\"late\":true}");
}

}  // namespace
}  // namespace keel::serve
