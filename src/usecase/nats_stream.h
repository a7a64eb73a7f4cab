// `keel stream --from nats://...`: score events from a NATS JetStream stream with a durable
// pull consumer, so that several processes (on several hosts) with the same consumer name
// share the events and a process that dies loses none.
//
// Each message's data is one JSON object, decoded, validated, scored and windowed by the same
// code as the stdin stream (drift::BatchScorer, through PrepareStream in stream.h). Per batch
// of up to max_inflight messages:
//   1. the prediction object (as the stdin stream writes it) is published to `to`; a message
//      that is no JSON object (or is empty) goes, unchanged, to the dead-letter subject with
//      the reason in its Keel-Error header;
//   2. both carry headers Keel-Stream, Keel-Sequence (the source stream sequence),
//      Keel-Subject, Keel-Msg-Id (the source's Nats-Msg-Id, when it had one) and
//      Nats-Msg-Id = "<stream>:<sequence>", so JetStream drops a redelivered event's second
//      prediction within the output stream's duplicate window;
//   3. with a prediction log (log_db), each prediction's row is committed (stream_log.h: the
//      server's table and privacy rules, request_id "<stream>:<sequence>", a repeat skipped);
//   4. with drift windows on, the batch's rows per time pane are published as one pane
//      profile per pane (drift/pane_profiles.h) to the profiles subject;
//   5. the consumer waits for the output streams' acknowledgement of every publish, and only
//      then acknowledges the batch's messages. A process killed before that gets its
//      messages redelivered (to any process of the consumer) after ack_wait.
// Publishing needs `to` (and the dead-letter subject) to be stored by a JetStream stream: a
// refused publish stops the consumer with the error, its messages unacknowledged.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "core/context.h"
#include "drift/stream_scorer.h"
#include "keel/status.h"
#include "usecase/nats_client.h"
#include "usecase/stream.h"

namespace keel::usecase {

struct NatsStreamRequest {
  // The model, drift windows and events file, as for stdin (stream.options.batch_rows is
  // replaced by max_inflight).
  StreamRequest stream;
  NatsConsumerOptions source;
  std::string to;           // subject of the predictions
  std::string dead_letter;  // subject of the malformed events ("": "<to>.dead")
  // Drift windows (which must be by event time) are also published as pane profiles
  // (drift/pane_profiles.h) to this subject ("": "<to>.profiles") for `keel monitor --from
  // nats://`, as `instance` ("": "<consumer>-<host>-<pid>").
  std::string profiles_to;
  std::string instance;
  // Messages fetched at once and held unacknowledged while they are scored and published.
  size_t max_inflight = 1000;
  // Stop (successfully) after this long without a message; zero: run until cancelled.
  std::chrono::milliseconds max_idle{0};
  // Prediction log: a SQLite file or postgresql:// URL ("": none).
  std::string log_db;
  // Prometheus metrics on http://metrics_host:metrics_port/metrics (stream_metrics.h); -1:
  // none, 0: any free port (logged).
  int metrics_port = -1;
  std::string metrics_host = "127.0.0.1";
};

struct NatsStreamCounts {
  uint64_t consumed = 0;     // messages fetched (redeliveries included)
  uint64_t scored = 0;       // predictions published
  uint64_t published = 0;    // messages published (predictions and dead letters)
  uint64_t rejected = 0;     // dead-lettered
  uint64_t redelivered = 0;  // fetched messages delivered before
  uint64_t duplicates = 0;   // publishes the output stream dropped as repeats
  uint64_t lag = 0;          // messages left for the consumer at the last fetch
  uint64_t logged = 0;       // prediction log rows committed (repeats skipped included)
  uint64_t profiles = 0;     // pane profiles published
  uint64_t batches = 0;
};

struct NatsStreamResult {
  NatsStreamRequest request;
  drift::StreamSummary summary;
  NatsStreamCounts counts;

  nlohmann::json ToJson() const;  // the stdin stream's summary, the counts and "ok"
  std::string ToText() const;     // one line
};

// OK for windows by event time; InvalidArgument (saying so) for row-count windows, which the
// consumers cannot merge.
Status MergeableWindows(const drift::WindowOptions& window);

// Runs the consumer until ctx is cancelled (what SIGINT/SIGTERM do in the CLI) or max_idle
// passes without a message; window events go where PrepareStream sends them. Errors:
// InvalidArgument for drift windows by row count (they cannot merge), PrepareStream's,
// NatsConsumer::Open's (no server, no stream), Unavailable once the server is gone
// longer than source.server_timeout, IoError when a publish is refused.
Result<NatsStreamResult> StreamNats(const NatsStreamRequest& request, const Context& ctx,
                                    std::FILE* events);

}  // namespace keel::usecase
