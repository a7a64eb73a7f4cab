#include "http_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace keel::e2e {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

}  // namespace

HttpTestClient::HttpTestClient(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd_);
    fd_ = -1;
    return;
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

HttpTestClient::~HttpTestClient() {
  if (fd_ >= 0) close(fd_);
}

bool HttpTestClient::SendRaw(const std::string& bytes) {
  if (fd_ < 0) return false;
  size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t k = send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (k < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<size_t>(k);
  }
  return true;
}

HttpReply HttpTestClient::ReadReply(std::chrono::milliseconds timeout) {
  HttpReply reply;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t header_end = std::string::npos;
  size_t content_length = 0;
  bool have_length = false;
  for (;;) {
    if (header_end == std::string::npos) {
      header_end = buffered_.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        const std::string head = buffered_.substr(0, header_end);
        size_t line_end = head.find("\r\n");
        const std::string status_line = head.substr(0, line_end);
        if (status_line.size() >= 12) reply.status = std::atoi(status_line.c_str() + 9);
        size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
        while (pos < head.size()) {
          size_t e = head.find("\r\n", pos);
          if (e == std::string::npos) e = head.size();
          const std::string line = head.substr(pos, e - pos);
          const size_t colon = line.find(':');
          if (colon != std::string::npos) {
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(value.begin());
            reply.headers[Lower(line.substr(0, colon))] = value;
          }
          pos = e + 2;
        }
        if (reply.status >= 100 && reply.status < 200) {  // interim: no body
          buffered_.erase(0, header_end + 4);
          return reply;
        }
        if (auto it = reply.headers.find("content-length"); it != reply.headers.end()) {
          content_length = std::stoul(it->second);
          have_length = true;
        }
      }
    }
    if (header_end != std::string::npos && have_length &&
        buffered_.size() >= header_end + 4 + content_length) {
      reply.body = buffered_.substr(header_end + 4, content_length);
      buffered_.erase(0, header_end + 4 + content_length);
      if (auto it = reply.headers.find("connection"); it != reply.headers.end()) {
        reply.closed = Lower(it->second) == "close";
      }
      return reply;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || fd_ < 0) break;
    pollfd p{fd_, POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    char buf[65536];
    const ssize_t k = recv(fd_, buf, sizeof(buf), 0);
    if (k <= 0) {
      reply.closed = true;
      break;
    }
    buffered_.append(buf, static_cast<size_t>(k));
  }
  if (!have_length) reply.status = header_end == std::string::npos ? 0 : reply.status;
  reply.body = header_end == std::string::npos ? buffered_ : buffered_.substr(header_end + 4);
  return reply;
}

bool HttpTestClient::WaitClosed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (fd_ >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    char buf[4096];
    const ssize_t k = recv(fd_, buf, sizeof(buf), 0);
    if (k <= 0) return true;
  }
  return true;
}

HttpReply HttpTestClient::Request(const std::string& method, const std::string& target,
                                  const std::string& body,
                                  const std::map<std::string, std::string>& headers) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n";
  req += body;
  if (!SendRaw(req)) return {};
  return ReadReply();
}

}  // namespace keel::e2e
