// The prediction log on any SqlDatabase backend (registry/sql_database.h): `keel serve
// --log-db postgresql://...` so several servers log into one PostgreSQL table. (A plain file
// path keeps using the tuned embedded SqlitePredictionLog.)
//
// Same contract and the same queue as the SQLite log (serve/prediction_log_queue.h); each
// batch is committed in one transaction (registry/prediction_log_store.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "keel/status.h"
#include "serve/prediction_log.h"

namespace keel::serve {

struct DatabaseLogOptions {
  std::string location;  // postgresql:// URL or SQLite path
  bool durable = false;
  size_t max_queued_rows = 200000;
  size_t max_queued_bytes = 128u << 20;
  std::chrono::milliseconds flush_interval{200};
  size_t batch_rows = 4096;
};

class DatabasePredictionLog final : public PredictionLog {
 public:
  // Connects, creates the table if absent, starts the writer. Errors: IoError.
  static Result<std::unique_ptr<DatabasePredictionLog>> Open(const DatabaseLogOptions& options);
  ~DatabasePredictionLog() override;

  uint64_t Append(const PredictionRecord& record) override;
  Status WaitDurable(uint64_t ticket) override;
  bool durable() const override;
  PredictionLogStats stats() const override;
  void Close() override;

  struct Impl;

 private:
  explicit DatabasePredictionLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::serve
