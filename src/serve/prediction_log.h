// The prediction log: one row per answered instance (request id, time, model name and
// version, inputs, output), written off the request path.
//
// PredictionLog is the interface the server writes to; database_prediction_log.h stores it in
// a SQLite file or PostgreSQL, in the table the registry layer defines, prunes and erases
// (registry/prediction_log_store.h).
//
// Privacy: the server never hands a `pii` column's value to the log in clear. Inputs arrive
// already pseudonymized (HMAC-SHA256 under a key from the environment) or with PII dropped;
// `subject` is the pseudonym of the row's data subject, for erasure requests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "keel/status.h"

namespace keel::serve {

// One row. Views are borrowed for the duration of Append only.
struct PredictionRecord {
  std::string_view request_id;
  int32_t instance = 0;     // index of the instance within its request
  int64_t time_micros = 0;  // Unix time in microseconds
  std::string_view model;
  std::string_view model_version;
  std::string_view subject;      // pseudonymized subject id; empty when none
  std::string_view inputs_json;  // a JSON object, PII pseudonymized or dropped
  std::string_view output_json;  // a JSON object, as answered
  std::string_view variant;      // "champion" ("" too) or "challenger" (challenger.h)
  std::string_view record_id;    // the instance's id, the join key of fed-back labels; "" = none
};

struct PredictionLogStats {
  uint64_t rows_written = 0;  // committed to the store
  uint64_t rows_dropped = 0;  // refused because the queue was full (never in durable mode)
  uint64_t rows_queued = 0;   // accepted, not yet committed
  uint64_t write_errors = 0;  // batches the store refused (their rows count as dropped)
};

class PredictionLog {
 public:
  virtual ~PredictionLog() = default;

  // Queues one row. Never blocks in the default mode: when the queue is full the row is
  // dropped and counted. In durable mode it blocks while the queue is full (backpressure
  // instead of loss). Returns a ticket for WaitDurable, or 0 when the row was dropped.
  // Thread-safe.
  virtual uint64_t Append(const PredictionRecord& record) = 0;

  // Blocks until the row of `ticket` (and every row before it) is committed. Errors:
  // IoError when the store failed to commit it. Thread-safe.
  virtual Status WaitDurable(uint64_t ticket) = 0;

  // Whether Append's callers should WaitDurable before answering (--log-durable).
  virtual bool durable() const = 0;

  virtual PredictionLogStats stats() const = 0;

  // Writes every queued row and stops the writer; later Appends are dropped. Idempotent.
  virtual void Close() = 0;
};

}  // namespace keel::serve
