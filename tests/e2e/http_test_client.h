// A minimal blocking HTTP/1.1 client for the server's end-to-end tests: well-formed requests
// over a kept-alive connection, and raw bytes for the hostile-input tests.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace keel::e2e {

struct HttpReply {
  int status = 0;  // 0 when no complete response arrived
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  bool closed = false;  // the server closed the connection after this reply
};

class HttpTestClient {
 public:
  explicit HttpTestClient(int port);
  ~HttpTestClient();
  HttpTestClient(const HttpTestClient&) = delete;
  HttpTestClient& operator=(const HttpTestClient&) = delete;

  bool connected() const { return fd_ >= 0; }

  // Sends a request (Content-Length set from body) and reads the reply.
  HttpReply Request(const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {});
  HttpReply Get(const std::string& target) { return Request("GET", target); }
  HttpReply PostJson(const std::string& target, const std::string& body,
                     std::map<std::string, std::string> headers = {}) {
    headers.emplace("Content-Type", "application/json");
    return Request("POST", target, body, headers);
  }

  // Writes raw bytes; false when the connection is gone.
  bool SendRaw(const std::string& bytes);
  // Reads one reply (or whatever arrives before the server closes / the timeout passes).
  HttpReply ReadReply(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True when the server closed the connection (reads EOF) within `timeout`.
  bool WaitClosed(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string buffered_;
};

}  // namespace keel::e2e
