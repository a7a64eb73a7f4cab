// The little of the NATS C client (libnats, <nats/nats.h>) that `keel stream --from nats://`
// needs, behind Status-returning calls: a connection that reconnects on its own, a JetStream
// durable pull consumer, publishing with JetStream acknowledgements, and acks.
//
// Server loss: the connection reconnects forever in the background; a call that finds it
// down waits for it, and fails with Unavailable once it has been down longer than
// `server_timeout` (the caller exits instead of hanging on a dead broker).
//
// Thread-safety: one thread at a time (the consumer loop), except the publish acknowledgement
// callback, which runs on the client's thread and only touches atomics.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/context.h"
#include "keel/status.h"

// The client's opaque types, so this header does not include <nats/nats.h>.
typedef struct __natsConnection natsConnection;
typedef struct __natsSubscription natsSubscription;
typedef struct __natsMsg natsMsg;
typedef struct __jsCtx jsCtx;

namespace keel::usecase {

struct NatsConsumerOptions {
  std::string url;       // nats://host:port (several, comma-separated, for a cluster)
  std::string stream;    // JetStream stream holding the events
  std::string subject;   // filter within the stream ("events.>")
  std::string consumer;  // durable name: every process with it shares the messages
  std::chrono::milliseconds ack_wait{30000};  // a message unacked this long is redelivered
  std::chrono::milliseconds server_timeout{30000};
};

// One fetched message: its data and where it sits in the source stream. Owns the natsMsg.
struct NatsMessage {
  natsMsg* msg = nullptr;
  std::string_view data;
  std::string_view subject;
  std::string_view msg_id;  // the publisher's Nats-Msg-Id header, if any
  uint64_t stream_sequence = 0;
  uint64_t delivered = 1;  // > 1: a redelivery
  uint64_t pending = 0;    // messages left for the consumer after this one (its lag)
};

class NatsMessages {
 public:
  NatsMessages() = default;
  NatsMessages(NatsMessages&&) noexcept;
  NatsMessages& operator=(NatsMessages&&) noexcept;
  ~NatsMessages();
  std::vector<NatsMessage> items;
};

// A header of a published message.
using NatsHeader = std::pair<const char*, std::string>;

class NatsConsumer {
 public:
  // Connects (retrying until server_timeout), checks that the stream exists and binds the
  // durable pull consumer (created with explicit acks, `ack_wait` and the subject filter when
  // absent). Errors: Unavailable (no server within server_timeout), NotFound (no such
  // stream), InvalidArgument (a bad URL, a subject outside the stream), Cancelled.
  static Result<std::unique_ptr<NatsConsumer>> Open(const NatsConsumerOptions& options,
                                                    const Context& ctx);
  ~NatsConsumer();

  // Up to `batch` messages, waiting at most `wait` for the first; none when the wait ends
  // first. Errors: Unavailable once the server is gone longer than server_timeout, IoError.
  Result<NatsMessages> Fetch(int batch, std::chrono::milliseconds wait);

  // Publishes `data` to `subject` with `headers` and Nats-Msg-Id `msg_id` (JetStream drops a
  // repeat of an id within the stream's duplicate window) without waiting for the store's
  // acknowledgement; WaitPublished waits for all of them. Errors: IoError.
  Status Publish(const std::string& subject, std::string_view data,
                 const std::vector<NatsHeader>& headers, const std::string& msg_id);

  // Waits until every message published so far is acknowledged by its stream. Errors:
  // Unavailable (no acknowledgement within server_timeout, server gone), IoError naming the
  // first failure (e.g. a subject no stream stores). `duplicates` counts acknowledgements
  // that JetStream flagged as repeats.
  Status WaitPublished(uint64_t* duplicates);

  // Acknowledges (done) or negatively acknowledges (redeliver now) a message.
  Status Ack(const NatsMessage& m);
  void Nak(const NatsMessage& m);

  const NatsConsumerOptions& options() const { return options_; }

  struct Impl;

 private:
  NatsConsumer(NatsConsumerOptions options, std::unique_ptr<Impl> impl);
  NatsConsumerOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::usecase
