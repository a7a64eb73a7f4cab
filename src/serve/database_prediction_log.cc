#include "serve/database_prediction_log.h"

#include <memory>
#include <vector>

#include "registry/prediction_log_store.h"
#include "serve/prediction_log_queue.h"

namespace keel::serve {

struct DatabasePredictionLog::Impl {
  std::unique_ptr<registry::SqlDatabase> db;
  std::unique_ptr<PredictionLogQueue> queue;  // started last, stopped first

  ~Impl() { queue.reset(); }

  // The queue's sink: one batch, one transaction.
  Status WriteBatch(const LogBatch& batch) {
    std::vector<registry::LoggedPrediction> rows;
    rows.reserve(batch.rows().size());
    for (const LogBatch::Row& r : batch.rows()) {
      rows.push_back({batch.text(r, LogBatch::kRequestId), r.instance, r.time_micros,
                      batch.text(r, LogBatch::kModel), batch.text(r, LogBatch::kModelVersion),
                      batch.text(r, LogBatch::kSubject), batch.text(r, LogBatch::kInputs),
                      batch.text(r, LogBatch::kOutput)});
    }
    return registry::InsertPredictions(*db, rows);
  }
};

Result<std::unique_ptr<DatabasePredictionLog>> DatabasePredictionLog::Open(
    const DatabaseLogOptions& options) {
  auto impl = std::make_unique<Impl>();
  registry::DatabaseOptions dbo;
  dbo.durable = options.durable;
  KEEL_ASSIGN_OR_RETURN(impl->db, registry::OpenDatabase(options.location, dbo));
  KEEL_RETURN_IF_ERROR(registry::EnsurePredictionLogSchema(*impl->db));
  Impl* raw = impl.get();
  LogQueueOptions q;
  q.durable = options.durable;
  q.max_queued_rows = options.max_queued_rows;
  q.max_queued_bytes = options.max_queued_bytes;
  q.flush_interval = options.flush_interval;
  q.batch_rows = options.batch_rows;
  impl->queue = std::make_unique<PredictionLogQueue>(
      q, [raw](const LogBatch& batch) { return raw->WriteBatch(batch); });
  return std::unique_ptr<DatabasePredictionLog>(new DatabasePredictionLog(std::move(impl)));
}

DatabasePredictionLog::DatabasePredictionLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DatabasePredictionLog::~DatabasePredictionLog() {
  Close();
}

uint64_t DatabasePredictionLog::Append(const PredictionRecord& record) {
  return impl_->queue->Append(record);
}

Status DatabasePredictionLog::WaitDurable(uint64_t ticket) {
  return impl_->queue->WaitDurable(ticket);
}

bool DatabasePredictionLog::durable() const {
  return impl_->queue->durable();
}

PredictionLogStats DatabasePredictionLog::stats() const {
  return impl_->queue->stats();
}

void DatabasePredictionLog::Close() {
  impl_->queue->Close();
}

}  // namespace keel::serve
