#include "serve/database_prediction_log.h"

#include <memory>
#include <vector>

#include "registry/prediction_log_store.h"
#include "registry/sql_database.h"
#include "serve/prediction_log_queue.h"

namespace keel::serve {

struct DatabasePredictionLog::Impl {
  std::unique_ptr<registry::SqlDatabase> db;
  std::unique_ptr<registry::PredictionLogWriter> writer;
  std::vector<registry::LoggedPrediction> rows;  // reused by every batch
  std::unique_ptr<PredictionLogQueue> queue;     // started last, stopped first

  ~Impl() { queue.reset(); }  // the writer commits what is queued while `writer` exists

  // The queue's sink (its writer thread only): one batch, one transaction.
  Status WriteBatch(const LogBatch& batch) {
    rows.clear();
    for (const LogBatch::Row& r : batch.rows()) {
      rows.push_back({batch.text(r, LogBatch::kRequestId), r.instance, r.time_micros,
                      batch.text(r, LogBatch::kModel), batch.text(r, LogBatch::kModelVersion),
                      batch.text(r, LogBatch::kSubject), batch.text(r, LogBatch::kInputs),
                      batch.text(r, LogBatch::kOutput), batch.text(r, LogBatch::kVariant),
                      batch.text(r, LogBatch::kRecordId)});
    }
    return writer->Insert(rows);
  }
};

Result<std::unique_ptr<DatabasePredictionLog>> DatabasePredictionLog::Open(
    const DatabaseLogOptions& options) {
  auto impl = std::make_unique<Impl>();
  registry::DatabaseOptions dbo;
  dbo.durable = options.durable;
  KEEL_ASSIGN_OR_RETURN(impl->db, registry::OpenDatabase(options.location, dbo));
  KEEL_ASSIGN_OR_RETURN(impl->writer, registry::PredictionLogWriter::Open(impl->db.get()));
  const bool local = impl->db->dialect() == registry::SqlDialect::kSqlite;
  LogQueueOptions q;
  q.durable = options.durable;
  q.max_queued_rows = options.max_queued_rows;
  q.max_queued_bytes = options.max_queued_bytes;
  q.flush_interval = options.flush_interval.value_or(std::chrono::milliseconds(local ? 20 : 200));
  q.batch_rows = options.batch_rows.value_or(local ? 8192 : 4096);
  Impl* raw = impl.get();
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
