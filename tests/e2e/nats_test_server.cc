#include "nats_test_server.h"

#include <arpa/inet.h>
#include <nats/nats.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace keel::e2e {
namespace {

std::string NatsServerBinary() {
  for (const char* p :
       {"/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

bool Accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

std::string Text(natsStatus s) {
  return natsStatus_GetText(s);
}

}  // namespace

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

NatsTestServer::NatsTestServer() {
  const std::string bin = NatsServerBinary();
  if (bin.empty()) {
    error_ = "nats-server is not installed (scripts/install-deps.sh installs it)";
    return;
  }
  port_ = FreePort();
  process_ = std::make_unique<ServeProcess>(
      ServeProcess::Program{},
      std::vector<std::string>{bin, "-js", "-a", "127.0.0.1", "-p", std::to_string(port_), "-sd",
                               store_.path()});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Accepts(port_)) {
      up_ = true;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "nats-server did not start: " + process_->err();
}

NatsTestServer::~NatsTestServer() {
  Stop();
}

void NatsTestServer::Stop() {
  if (process_ == nullptr) return;
  process_->Signal(SIGTERM);
  if (process_->Wait(std::chrono::seconds(10)) < 0) process_->Signal(SIGKILL);
  process_.reset();
  up_ = false;
}

NatsTestClient::NatsTestClient(const std::string& url) {
  natsStatus s = natsConnection_ConnectTo(&nc_, url.c_str());
  if (s == NATS_OK) s = natsConnection_JetStream(&js_, nc_, nullptr);
  if (s != NATS_OK) error_ = "cannot connect to " + url + ": " + Text(s);
}

NatsTestClient::~NatsTestClient() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (nc_ != nullptr) natsConnection_Destroy(nc_);
}

bool NatsTestClient::AddStream(const std::string& name, const std::vector<std::string>& subjects) {
  if (js_ == nullptr) return false;
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = name.c_str();
  std::vector<const char*> subs;
  for (const std::string& s : subjects) subs.push_back(s.c_str());
  cfg.Subjects = subs.data();
  cfg.SubjectsLen = static_cast<int>(subs.size());
  cfg.Storage = js_FileStorage;
  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_AddStream(&info, js_, &cfg, nullptr, &jerr);
  if (info != nullptr) jsStreamInfo_Destroy(info);
  if (s != NATS_OK) error_ = "cannot add stream " + name + ": " + Text(s);
  return s == NATS_OK;
}

bool NatsTestClient::Publish(const std::string& subject, const std::vector<std::string>& data) {
  if (js_ == nullptr) return false;
  for (const std::string& d : data) {
    const natsStatus s =
        js_PublishAsync(js_, subject.c_str(), d.data(), static_cast<int>(d.size()), nullptr);
    if (s != NATS_OK) {
      error_ = "publish failed: " + Text(s);
      return false;
    }
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = 30000;
  const natsStatus s = js_PublishAsyncComplete(js_, &po);
  if (s != NATS_OK) error_ = "publish not acknowledged: " + Text(s);
  return s == NATS_OK;
}

uint64_t NatsTestClient::Count(const std::string& stream) {
  if (js_ == nullptr) return 0;
  jsStreamInfo* info = nullptr;
  if (js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, nullptr) != NATS_OK) return 0;
  const uint64_t n = info->State.Msgs;
  jsStreamInfo_Destroy(info);
  return n;
}

std::vector<StoredMessage> NatsTestClient::ReadAll(const std::string& stream) {
  std::vector<StoredMessage> out;
  if (js_ == nullptr) return out;
  jsStreamInfo* info = nullptr;
  if (js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, nullptr) != NATS_OK) return out;
  const uint64_t first = info->State.FirstSeq, last = info->State.LastSeq;
  jsStreamInfo_Destroy(info);
  for (uint64_t seq = first; seq <= last && seq > 0; ++seq) {
    natsMsg* m = nullptr;
    if (js_GetMsg(&m, js_, stream.c_str(), seq, nullptr, nullptr) != NATS_OK) continue;
    StoredMessage sm;
    sm.sequence = seq;
    sm.subject = natsMsg_GetSubject(m);
    sm.data.assign(natsMsg_GetData(m), static_cast<size_t>(natsMsg_GetDataLength(m)));
    const char** keys = nullptr;
    int count = 0;
    if (natsMsgHeader_Keys(m, &keys, &count) == NATS_OK) {
      for (int i = 0; i < count; ++i) {
        const char* v = nullptr;
        if (natsMsgHeader_Get(m, keys[i], &v) == NATS_OK && v != nullptr) sm.headers[keys[i]] = v;
      }
      free(keys);
    }
    out.push_back(std::move(sm));
    natsMsg_Destroy(m);
  }
  return out;
}

}  // namespace keel::e2e
