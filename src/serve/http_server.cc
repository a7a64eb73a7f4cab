#include "serve/http_server.h"

#include <fmt/format.h>

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <csignal>
#include <ctime>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/log.h"
#include "serve/http_exchange.h"

namespace keel::serve {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Bytes asked of the socket per read while waiting for a request.
constexpr size_t kReadChunk = 16 << 10;

}  // namespace

class Session;

struct HttpServer::Impl {
  // Declared first so they outlive the io_context: destroying it destroys pending handlers,
  // and with them sessions, which unregister themselves here.
  std::mutex sessions_mu;
  std::list<std::weak_ptr<Session>> sessions;

  HttpServerOptions options;
  HttpHandler* handler = nullptr;
  HttpMetrics* metrics = nullptr;

  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::optional<net::signal_set> signals;
  // Checks every connection's deadline a few times a second (timeouts cost the request path
  // one clock read instead of a timer operation per read and write).
  net::steady_timer sweep_timer{ioc};
  net::steady_timer drain_timer{ioc};
  Clock::time_point drain_deadline;
  std::atomic<bool> draining{false};

  // Blocking work (reloads) runs on its own thread so the I/O threads never wait on disk.
  net::io_context blocking_ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> blocking_guard;

  explicit Impl(const HttpServerOptions& o, HttpHandler* h, HttpMetrics* m)
      : options(o), handler(h), metrics(m), ioc(std::max(1, o.io_threads)) {}

  net::any_io_executor NewConnectionExecutor() {
    if (options.io_threads > 1) return net::make_strand(ioc);
    return ioc.get_executor();
  }

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Reject(tcp::socket socket);
  void WaitSignal();
  void Sweep();
  void BeginShutdown();
  void WatchDrain();
};

static int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// One client connection: reads requests one after the other, answers each, keeps the
// connection open while the client asks for keep-alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer::Impl* server, tcp::socket socket)
      : server_(server), socket_(std::move(socket)), state_(server->handler->NewConnection()) {}

  ~Session() {
    server_->metrics->connections_active.fetch_sub(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(server_->sessions_mu);
    server_->sessions.erase(self_entry_);
  }

  void Start(std::list<std::weak_ptr<Session>>::iterator self_entry) {
    self_entry_ = self_entry;
    boost::system::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    net::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->ReadRequest(); });
  }

  net::any_io_executor executor() { return socket_.get_executor(); }

  // The sweeper's check, racing with this session's own thread (hence the atomic).
  bool Expired(int64_t now_ns) const {
    return deadline_ns_.load(std::memory_order_relaxed) < now_ns;
  }

  // Called on this session's executor once its deadline has passed.
  void OnTimeout() {
    if (deadline_ns_.load(std::memory_order_relaxed) >= NowNanos()) return;  // re-armed since
    switch (phase_) {
      case Phase::kIdle:  // a kept-alive connection nobody uses: close quietly
        return Close();
      case Phase::kReading:  // slow or stalled client: cancel the read, answer 408
        timed_out_ = true;
        Disarm();
        socket_.cancel();
        return;
      case Phase::kWriting:  // a client that does not read its answer
        server_->metrics->timeouts.fetch_add(1, std::memory_order_relaxed);
        return Close();
      case Phase::kHandling:
      case Phase::kClosed:
        return;
    }
  }

  // Called (on this session's executor) when the server starts draining: an idle connection
  // closes now; one inside a request finishes it and closes after its response.
  void OnDrain() {
    if (phase_ == Phase::kIdle) Close();
  }

 private:
  enum class Phase : uint8_t { kIdle, kReading, kHandling, kWriting, kClosed };

  void Arm(std::chrono::milliseconds timeout) {
    deadline_ns_.store(
        NowNanos() + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count(),
        std::memory_order_relaxed);
  }
  void Disarm() { deadline_ns_.store(INT64_MAX, std::memory_order_relaxed); }

  void ReadRequest() {
    if (server_->draining.load(std::memory_order_relaxed) && buffer_.size() == 0) {
      return Close();
    }
    body_keep_.clear();
    parser_.emplace(std::piecewise_construct, std::make_tuple(std::move(body_keep_)));
    ConfigureRequestParser(server_->options, &*parser_);
    if (buffer_.size() > 0) return ReadHeader();
    // Wait for the first bytes of the next request under the idle timeout; the read timeout
    // starts once they arrive.
    phase_ = Phase::kIdle;
    Arm(server_->options.idle_timeout);
    socket_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnFirstBytes(ec, n); });
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (ec) return Close();  // idle timeout, client gone, or drained: nothing to answer
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    phase_ = Phase::kReading;
    Arm(server_->options.read_timeout);
    http::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    const auto& req = parser_->get();
    if (!parser_->is_done()) {
      auto expect = req.find(http::field::expect);
      if (expect != req.end() && beast::iequals(expect->value(), "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                         [self = shared_from_this()](beast::error_code wec, size_t) {
                           if (wec) return self->Close();
                           self->ReadBody();
                         });
        return;
      }
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRequest(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (timed_out_) {
      server_->metrics->timeouts.fetch_add(1, std::memory_order_relaxed);
      return SendError(408, fmt::format("the request did not arrive within {} ms "
                                        "(--read-timeout)",
                                        server_->options.read_timeout.count()));
    }
    if (auto answer = AnswerReadError(ec, server_->options)) {
      return SendError(answer->status, answer->message);
    }
    Close();  // end of stream, reset, aborted: the client is gone
  }

  void OnRequest(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    phase_ = Phase::kHandling;
    Disarm();
    start_ = Clock::now();
    HttpRequest request;
    keep_alive_ = MakeHttpRequest(parser_->get(), &request);

    resp_.Reset();
    HandleGuarded(server_->handler, request, state_.get(), &resp_);
    if (resp_.blocking_work) {
      net::post(server_->blocking_ioc, [self = shared_from_this()] {
        RunBlockingWorkGuarded(&self->resp_);
        net::dispatch(self->executor(), [self] { self->Write(); });
      });
      return;
    }
    Write();
  }

  // An error the transport answers itself; the connection closes after it.
  void SendError(int status, std::string_view message) {
    phase_ = Phase::kHandling;
    start_ = Clock::now();
    keep_alive_ = false;
    MakeTransportError(status, message, &resp_);
    Write();
  }

  void Write() {
    phase_ = Phase::kWriting;
    const bool close =
        resp_.close || !keep_alive_ || server_->draining.load(std::memory_order_relaxed);
    close_after_write_ = close;
    FormatResponseHead(resp_, close, &head_);
    const std::array<net::const_buffer, 2> buffers = {net::buffer(head_), net::buffer(resp_.body)};
    Arm(server_->options.write_timeout);
    net::async_write(socket_, buffers, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->OnWrite(ec);
    });
  }

  void OnWrite(beast::error_code ec) {
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    server_->metrics->RecordRequest(resp_.route, resp_.status, seconds);
    // Keep the body's storage for the next request of this connection.
    if (parser_) body_keep_ = std::move(parser_->get().body());
    if (ec) return Close();
    if (close_after_write_) {
      beast::error_code sec;
      socket_.shutdown(tcp::socket::shutdown_send, sec);
      return Close();
    }
    ReadRequest();
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    Disarm();
    beast::error_code ec;
    socket_.close(ec);
  }

  HttpServer::Impl* server_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string body_keep_;
  HttpResponse resp_;
  std::string head_;
  std::unique_ptr<ConnectionState> state_;
  std::list<std::weak_ptr<Session>>::iterator self_entry_;
  std::atomic<int64_t> deadline_ns_{INT64_MAX};
  Clock::time_point start_;
  Phase phase_ = Phase::kIdle;
  bool keep_alive_ = true;
  bool close_after_write_ = false;
  bool timed_out_ = false;
};

void HttpServer::Impl::Accept() {
  acceptor.async_accept(NewConnectionExecutor(), [this](beast::error_code ec, tcp::socket s) {
    OnAccept(ec, std::move(s));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (draining.load(std::memory_order_relaxed) || !acceptor.is_open()) return;
  if (ec) {
    // Out of file descriptors and the like: keep accepting, the condition may pass.
    log::Warn("accept failed: {}", ec.message());
    auto timer = std::make_shared<net::steady_timer>(ioc, std::chrono::milliseconds(50));
    timer->async_wait([this, timer](beast::error_code) { Accept(); });
    return;
  }
  metrics->connections_accepted.fetch_add(1, std::memory_order_relaxed);
  if (metrics->connections_active.load(std::memory_order_relaxed) >= options.max_connections) {
    metrics->connections_rejected.fetch_add(1, std::memory_order_relaxed);
    Reject(std::move(socket));
    return Accept();
  }
  metrics->connections_active.fetch_add(1, std::memory_order_relaxed);
  auto session = std::make_shared<Session>(this, std::move(socket));
  std::list<std::weak_ptr<Session>>::iterator entry;
  {
    std::lock_guard<std::mutex> lock(sessions_mu);
    entry = sessions.insert(sessions.end(), session);
  }
  session->Start(entry);
  Accept();
}

namespace {

// A connection over the limit: answered 503 without reading its request, then given a second
// to read the answer before it is closed (closing with unread input would reset the
// connection and lose the answer).
class RejectedConnection : public std::enable_shared_from_this<RejectedConnection> {
 public:
  explicit RejectedConnection(tcp::socket socket)
      : socket_(std::move(socket)), timer_(socket_.get_executor()) {}

  void Start() {
    static constexpr std::string_view kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nServer: keel\r\nContent-Type: application/json\r\n"
        "Content-Length: 76\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"
        "{\"error\":\"the server is at its connection limit (--max-connections); retry\"}";
    static_assert(kBusy.size() - kBusy.find("\r\n\r\n") - 4 == 76);
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) {
        beast::error_code cec;
        self->socket_.close(cec);
      }
    });
    net::async_write(socket_, net::buffer(kBusy.data(), kBusy.size()),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Finish();
                       beast::error_code sec;
                       self->socket_.shutdown(tcp::socket::shutdown_send, sec);
                       self->Drain();
                     });
  }

 private:
  void Drain() {
    socket_.async_read_some(net::buffer(sink_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Finish();
                              self->Drain();
                            });
  }
  void Finish() {
    timer_.cancel();
    beast::error_code ec;
    socket_.close(ec);
  }

  tcp::socket socket_;
  net::steady_timer timer_;
  std::array<char, 4096> sink_{};
};

}  // namespace

void HttpServer::Impl::Reject(tcp::socket socket) {
  metrics->RecordRequest(Route::kOther, 503, 0.0);
  std::make_shared<RejectedConnection>(std::move(socket))->Start();
}

void HttpServer::Impl::WaitSignal() {
  signals->async_wait([this](beast::error_code ec, int sig) {
    if (ec) return;  // cancelled at shutdown
    if (sig == SIGHUP) {
      log::Info("SIGHUP: reloading every model");
      net::post(blocking_ioc, [this] { handler->OnReloadSignal(); });
      return WaitSignal();
    }
    BeginShutdown();
  });
}

void HttpServer::Impl::Sweep() {
  sweep_timer.expires_after(std::chrono::milliseconds(100));
  sweep_timer.async_wait([this](beast::error_code ec) {
    if (ec) return;
    const int64_t now = NowNanos();
    std::vector<std::shared_ptr<Session>> expired;
    {
      std::lock_guard<std::mutex> lock(sessions_mu);
      for (auto& w : sessions) {
        auto s = w.lock();
        if (s && s->Expired(now)) expired.push_back(std::move(s));
      }
    }
    for (auto& s : expired) net::post(s->executor(), [s] { s->OnTimeout(); });
    Sweep();
  });
}

void HttpServer::Impl::BeginShutdown() {
  if (draining.exchange(true)) return;
  log::Info("shutting down: draining in-flight requests");
  handler->OnShutdownStarted();
  beast::error_code ec;
  acceptor.close(ec);
  if (signals) signals->cancel(ec);
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(sessions_mu);
    for (auto& w : sessions) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) net::post(s->executor(), [s] { s->OnDrain(); });
  drain_deadline = Clock::now() + options.shutdown_grace;
  WatchDrain();
}

void HttpServer::Impl::WatchDrain() {
  bool empty;
  {
    std::lock_guard<std::mutex> lock(sessions_mu);
    empty = sessions.empty();
  }
  if (empty || Clock::now() >= drain_deadline) {
    if (!empty) log::Warn("shutdown grace period over: closing the remaining connections");
    ioc.stop();
    return;
  }
  drain_timer.expires_after(std::chrono::milliseconds(20));
  drain_timer.async_wait([this](beast::error_code wec) {
    if (!wec) WatchDrain();
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  if (impl_->blocking_guard) impl_->blocking_guard.reset();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Create(const HttpServerOptions& options,
                                                       HttpHandler* handler, HttpMetrics* metrics) {
  auto impl = std::make_unique<Impl>(options, handler, metrics);
  beast::error_code ec;
  const auto address = net::ip::make_address(options.host, ec);
  if (ec) {
    return Status::InvalidArgument("--host '{}' is not an IP address: {}", options.host,
                                   ec.message());
  }
  const tcp::endpoint endpoint(address, options.port);
  auto& acc = impl->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("cannot listen on {}:{}: {}", options.host, options.port, ec.message());
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void HttpServer::Shutdown() {
  net::post(impl_->ioc, [impl = impl_.get()] { impl->BeginShutdown(); });
}

void HttpServer::Run() {
  Impl& s = *impl_;
  s.blocking_guard.emplace(s.blocking_ioc.get_executor());
  std::thread blocking([&s] { s.blocking_ioc.run(); });

  if (s.options.handle_signals) {
    s.signals.emplace(s.ioc, SIGTERM, SIGINT, SIGHUP);
    s.WaitSignal();
  }
  s.Sweep();
  s.Accept();

  const int n = std::max(1, s.options.io_threads);
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(n - 1));
  for (int i = 1; i < n; ++i) threads.emplace_back([&s] { s.ioc.run(); });
  s.ioc.run();
  for (auto& t : threads) t.join();

  s.blocking_guard.reset();
  blocking.join();
}

}  // namespace keel::serve
