// A throwaway NATS server with JetStream for the `keel stream --from nats://` tests, and a
// small client (the official C client, libnats) to create streams, publish events and read
// back what a stream holds.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "keel_process.h"
#include "serve_process.h"

typedef struct __natsConnection natsConnection;
typedef struct __jsCtx jsCtx;

namespace keel::e2e {

// A free loopback TCP port (bound once and released, so it may race; good enough for tests).
int FreePort();

class NatsTestServer {
 public:
  // Starts `nats-server -js -a 127.0.0.1 -p PORT -sd DIR` on a free port with its store in a
  // fresh directory and waits until it accepts connections (error() says why not).
  NatsTestServer();
  ~NatsTestServer();

  bool ok() const { return up_; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

  // Stops the server (SIGTERM, then waits).
  void Stop();

 private:
  TempDir store_;
  int port_ = 0;
  bool up_ = false;
  std::string error_;
  std::unique_ptr<ServeProcess> process_;
};

// A message read back from a stream.
struct StoredMessage {
  uint64_t sequence = 0;
  std::string subject;
  std::string data;
  std::map<std::string, std::string> headers;
};

class NatsTestClient {
 public:
  // Connects (error() says why not).
  explicit NatsTestClient(const std::string& url);
  ~NatsTestClient();
  const std::string& error() const { return error_; }

  // Creates a file-backed stream over `subjects`. False (error()) on failure.
  bool AddStream(const std::string& name, const std::vector<std::string>& subjects);
  // Publishes each item of `data` to `subject`, waiting for the stream's acknowledgements.
  bool Publish(const std::string& subject, const std::vector<std::string>& data);
  // Messages in `stream` (0 when it cannot be read).
  uint64_t Count(const std::string& stream);
  // Every message of `stream`, in order.
  std::vector<StoredMessage> ReadAll(const std::string& stream);

 private:
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  std::string error_;
};

}  // namespace keel::e2e
