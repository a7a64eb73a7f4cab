#include "serve/sqlite_prediction_log.h"

#include <sqlite3.h>

#include <memory>
#include <string>

#include "serve/prediction_log_queue.h"

namespace keel::serve {
namespace {

constexpr int kLogSchemaVersion = 1;

}  // namespace

struct SqlitePredictionLog::Impl {
  SqliteLogOptions options;
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  std::unique_ptr<PredictionLogQueue> queue;  // started last, stopped first

  ~Impl() {
    queue.reset();  // the writer commits what is queued while the statement still exists
    if (insert != nullptr) sqlite3_finalize(insert);
    if (db != nullptr) sqlite3_close(db);
  }

  Status Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err != nullptr ? err : sqlite3_errmsg(db);
      sqlite3_free(err);
      return Status::IoError("prediction log {}: {} (while running: {})", options.path, msg, sql);
    }
    return Status::OK();
  }

  // Commits one batch in one transaction (the queue's sink).
  Status WriteBatch(const LogBatch& batch) {
    KEEL_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    for (const LogBatch::Row& row : batch.rows()) {
      auto text = [&](LogBatch::Field field, int col) {
        const std::string_view v = batch.text(row, field);
        if (v.empty() && field == LogBatch::kSubject) return sqlite3_bind_null(insert, col);
        return sqlite3_bind_text(insert, col, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
      };
      int rc = text(LogBatch::kRequestId, 1);
      if (rc == SQLITE_OK) rc = sqlite3_bind_int(insert, 2, row.instance);
      if (rc == SQLITE_OK) rc = sqlite3_bind_int64(insert, 3, row.time_micros);
      if (rc == SQLITE_OK) rc = text(LogBatch::kModel, 4);
      if (rc == SQLITE_OK) rc = text(LogBatch::kModelVersion, 5);
      if (rc == SQLITE_OK) rc = text(LogBatch::kSubject, 6);
      if (rc == SQLITE_OK) rc = text(LogBatch::kInputs, 7);
      if (rc == SQLITE_OK) rc = text(LogBatch::kOutput, 8);
      if (rc == SQLITE_OK) rc = sqlite3_step(insert);
      sqlite3_reset(insert);
      if (rc != SQLITE_DONE) {
        Status st = Status::IoError("prediction log {}: insert failed: {}", options.path,
                                    sqlite3_errmsg(db));
        Exec("ROLLBACK").IgnoreError();
        return st;
      }
    }
    return Exec("COMMIT");
  }
};

Result<std::unique_ptr<SqlitePredictionLog>> SqlitePredictionLog::Open(
    const SqliteLogOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(options.path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK) {
    return Status::IoError("cannot open the prediction log {}: {}", options.path,
                           impl->db != nullptr ? sqlite3_errmsg(impl->db) : "out of memory");
  }
  sqlite3_busy_timeout(impl->db, 5000);
  KEEL_RETURN_IF_ERROR(impl->Exec("PRAGMA journal_mode=WAL"));
  KEEL_RETURN_IF_ERROR(
      impl->Exec(options.durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  {
    sqlite3_stmt* st = nullptr;
    int version = 0;
    if (sqlite3_prepare_v2(impl->db, "PRAGMA user_version", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      version = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    if (version > kLogSchemaVersion) {
      return Status::Unsupported(
          "the prediction log {} has schema version {}; this keel writes version {}", options.path,
          version, kLogSchemaVersion);
    }
  }
  KEEL_RETURN_IF_ERROR(
      impl->Exec("CREATE TABLE IF NOT EXISTS predictions ("
                 " id INTEGER PRIMARY KEY,"
                 " request_id TEXT NOT NULL,"
                 " instance INTEGER NOT NULL,"
                 " time_us INTEGER NOT NULL,"
                 " model TEXT NOT NULL,"
                 " model_version TEXT NOT NULL,"
                 " subject TEXT,"
                 " inputs TEXT NOT NULL,"
                 " output TEXT NOT NULL);"
                 "CREATE INDEX IF NOT EXISTS predictions_time ON predictions(time_us);"
                 "CREATE INDEX IF NOT EXISTS predictions_subject ON predictions(subject);"
                 "PRAGMA user_version = 1;"));
  if (sqlite3_prepare_v2(impl->db,
                         "INSERT INTO predictions (request_id, instance, time_us, model, "
                         "model_version, subject, inputs, output) VALUES (?,?,?,?,?,?,?,?)",
                         -1, &impl->insert, nullptr) != SQLITE_OK) {
    return Status::IoError("prediction log {}: {}", options.path, sqlite3_errmsg(impl->db));
  }
  Impl* raw = impl.get();
  impl->queue = std::make_unique<PredictionLogQueue>(
      LogQueueOptions{options.durable, options.max_queued_rows, options.max_queued_bytes,
                      options.flush_interval, options.batch_rows},
      [raw](const LogBatch& batch) { return raw->WriteBatch(batch); });
  return std::unique_ptr<SqlitePredictionLog>(new SqlitePredictionLog(std::move(impl)));
}

SqlitePredictionLog::SqlitePredictionLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqlitePredictionLog::~SqlitePredictionLog() {
  Close();
}

uint64_t SqlitePredictionLog::Append(const PredictionRecord& record) {
  return impl_->queue->Append(record);
}

Status SqlitePredictionLog::WaitDurable(uint64_t ticket) {
  return impl_->queue->WaitDurable(ticket);
}

bool SqlitePredictionLog::durable() const {
  return impl_->queue->durable();
}

PredictionLogStats SqlitePredictionLog::stats() const {
  return impl_->queue->stats();
}

void SqlitePredictionLog::Close() {
  impl_->queue->Close();
}

}  // namespace keel::serve
