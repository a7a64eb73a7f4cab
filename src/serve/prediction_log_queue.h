// The bounded queue and writer thread behind the prediction log (database_prediction_log.h).
// The log supplies only a sink that commits one batch; the queue gives it the PredictionLog
// contract:
//   - Append copies the row into the pending batch (one arena string, so appending allocates
//     nothing once the arena has grown) under a short lock and returns a ticket;
//   - a writer thread, below the request threads' priority, hands each batch to the sink
//     after at most flush_interval (sooner when batch_rows are queued, at once in durable
//     mode);
//   - a full queue drops and counts the row (default) or blocks the caller (durable mode);
//   - WaitDurable(ticket) returns once the sink has settled that ticket, with the sink's error
//     when its batch failed (the batch's rows then count as dropped).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "keel/status.h"
#include "serve/prediction_log.h"

namespace keel::serve {

// Rows whose strings live in one arena.
class LogBatch {
 public:
  // The string fields of a PredictionRecord, in declaration order.
  enum Field {
    kRequestId,
    kModel,
    kModelVersion,
    kSubject,
    kInputs,
    kOutput,
    kVariant,
    kRecordId,
    kFields
  };
  struct Row {
    uint32_t off[kFields];
    uint32_t len[kFields];
    int32_t instance;
    int64_t time_micros;
  };

  void Add(const PredictionRecord& r, uint64_t ticket);
  void Clear();

  const std::vector<Row>& rows() const { return rows_; }
  std::string_view text(const Row& row, Field f) const {
    return {arena_.data() + row.off[f], row.len[f]};
  }
  size_t bytes() const { return arena_.size(); }
  uint64_t last_ticket() const { return last_ticket_; }

 private:
  std::string arena_;
  std::vector<Row> rows_;
  uint64_t last_ticket_ = 0;
};

struct LogQueueOptions {
  bool durable = false;
  size_t max_queued_rows = 200000;
  size_t max_queued_bytes = 128u << 20;
  std::chrono::milliseconds flush_interval{20};
  size_t batch_rows = 8192;
};

class PredictionLogQueue {
 public:
  // Commits one batch; called on the writer thread only, never concurrently.
  using Sink = std::function<Status(const LogBatch&)>;

  // Starts the writer thread.
  PredictionLogQueue(LogQueueOptions options, Sink sink);
  // Close()s: every queued row reaches the sink first.
  ~PredictionLogQueue();
  PredictionLogQueue(const PredictionLogQueue&) = delete;
  PredictionLogQueue& operator=(const PredictionLogQueue&) = delete;

  // The PredictionLog methods of the same names (prediction_log.h).
  uint64_t Append(const PredictionRecord& record);
  Status WaitDurable(uint64_t ticket);
  bool durable() const { return options_.durable; }
  PredictionLogStats stats() const;
  void Close();

 private:
  void Run();

  const LogQueueOptions options_;
  const Sink sink_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // the writer waits for rows
  std::condition_variable done_cv_;  // durable waiters and blocked appenders
  LogBatch pending_;                 // filled by Append
  LogBatch writing_;                 // owned by the writer while the sink commits it
  uint64_t next_ticket_ = 0;
  uint64_t committed_through_ = 0;                 // every ticket <= this is settled
  uint64_t failed_from_ = 1, failed_through_ = 0;  // the last failed range of tickets
  std::string last_error_;
  bool closed_ = false;
  PredictionLogStats stats_;
  std::mutex join_mu_;
  std::thread writer_;
};

}  // namespace keel::serve
