#include "serve/sqlite_prediction_log.h"

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "core/log.h"
#include "core/thread_priority.h"

namespace keel::serve {
namespace {

constexpr int kLogSchemaVersion = 1;

// A batch of rows whose strings live in one arena.
struct Batch {
  struct Row {
    // Offsets and lengths into `arena`, in PredictionRecord field order.
    uint32_t off[6];
    uint32_t len[6];
    int32_t instance;
    int64_t time_micros;
  };
  std::string arena;
  std::vector<Row> rows;
  uint64_t last_ticket = 0;

  void Add(const PredictionRecord& r, uint64_t ticket) {
    Row row{};
    const std::string_view fields[6] = {r.request_id, r.model,       r.model_version,
                                        r.subject,    r.inputs_json, r.output_json};
    for (int i = 0; i < 6; ++i) {
      row.off[i] = static_cast<uint32_t>(arena.size());
      row.len[i] = static_cast<uint32_t>(fields[i].size());
      arena.append(fields[i]);
    }
    row.instance = r.instance;
    row.time_micros = r.time_micros;
    rows.push_back(row);
    last_ticket = ticket;
  }
  void Clear() {
    arena.clear();
    rows.clear();
  }
};

size_t RecordBytes(const PredictionRecord& r) {
  return r.request_id.size() + r.model.size() + r.model_version.size() + r.subject.size() +
         r.inputs_json.size() + r.output_json.size();
}

}  // namespace

struct SqlitePredictionLog::Impl {
  SqliteLogOptions options;
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;

  mutable std::mutex mu;
  std::condition_variable work_cv;  // writer waits for rows
  std::condition_variable done_cv;  // durable waiters and blocked appenders
  Batch pending;                    // filled by Append
  Batch writing;                    // owned by the writer while it commits
  uint64_t next_ticket = 0;
  uint64_t committed_through = 0;  // every ticket <= this is settled (written or failed)
  uint64_t failed_from = 1, failed_through = 0;  // the last failed range of tickets
  std::string last_error;
  bool closed = false;
  PredictionLogStats stats;
  std::thread writer;

  ~Impl() {
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

  // Commits `writing` in one transaction.
  Status WriteBatch() {
    KEEL_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    for (const auto& row : writing.rows) {
      auto text = [&](int field, int col) {
        if (row.len[field] == 0 && field == 3) return sqlite3_bind_null(insert, col);
        return sqlite3_bind_text(insert, col, writing.arena.data() + row.off[field],
                                 static_cast<int>(row.len[field]), SQLITE_STATIC);
      };
      int rc = text(0, 1);
      if (rc == SQLITE_OK) rc = sqlite3_bind_int(insert, 2, row.instance);
      if (rc == SQLITE_OK) rc = sqlite3_bind_int64(insert, 3, row.time_micros);
      if (rc == SQLITE_OK) rc = text(1, 4);
      if (rc == SQLITE_OK) rc = text(2, 5);
      if (rc == SQLITE_OK) rc = text(3, 6);
      if (rc == SQLITE_OK) rc = text(4, 7);
      if (rc == SQLITE_OK) rc = text(5, 8);
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

  void Run() {
    // Below the request threads: logging is background work and must not preempt answers.
    LowerCurrentThreadPriority();
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      work_cv.wait(lock, [&] { return closed || !pending.rows.empty(); });
      if (pending.rows.empty() && closed) return;
      // Let a batch accumulate unless it is full, durable callers wait, or we are closing.
      if (!options.durable && !closed && pending.rows.size() < options.batch_rows) {
        work_cv.wait_for(lock, options.flush_interval,
                         [&] { return closed || pending.rows.size() >= options.batch_rows; });
      }
      std::swap(pending, writing);
      const uint64_t last = writing.last_ticket;
      const uint64_t n = writing.rows.size();
      stats.rows_queued -= n;
      done_cv.notify_all();  // room in the queue again
      lock.unlock();
      Status st = WriteBatch();
      writing.Clear();
      lock.lock();
      if (st.ok()) {
        stats.rows_written += n;
      } else {
        stats.write_errors += 1;
        stats.rows_dropped += n;
        failed_from = last - n + 1;
        failed_through = last;
        if (st.message() != last_error) log::Error("{}", st.message());
        last_error = st.message();
      }
      committed_through = last;
      done_cv.notify_all();
    }
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
  impl->writer = std::thread([raw] { raw->Run(); });
  return std::unique_ptr<SqlitePredictionLog>(new SqlitePredictionLog(std::move(impl)));
}

SqlitePredictionLog::SqlitePredictionLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqlitePredictionLog::~SqlitePredictionLog() {
  Close();
}

uint64_t SqlitePredictionLog::Append(const PredictionRecord& record) {
  Impl& s = *impl_;
  const size_t bytes = RecordBytes(record);
  std::unique_lock<std::mutex> lock(s.mu);
  auto full = [&] {
    return s.stats.rows_queued >= s.options.max_queued_rows ||
           (s.pending.arena.size() + bytes > s.options.max_queued_bytes && !s.pending.rows.empty());
  };
  if (s.closed) {
    ++s.stats.rows_dropped;
    return 0;
  }
  if (full()) {
    if (!s.options.durable) {
      ++s.stats.rows_dropped;
      return 0;
    }
    s.work_cv.notify_one();
    s.done_cv.wait(lock, [&] { return s.closed || !full(); });
    if (s.closed) {
      ++s.stats.rows_dropped;
      return 0;
    }
  }
  const uint64_t ticket = ++s.next_ticket;
  s.pending.Add(record, ticket);
  ++s.stats.rows_queued;
  if (s.options.durable || s.pending.rows.size() >= s.options.batch_rows) s.work_cv.notify_one();
  return ticket;
}

Status SqlitePredictionLog::WaitDurable(uint64_t ticket) {
  Impl& s = *impl_;
  if (ticket == 0) return Status::IoError("the prediction log refused the row (closed)");
  std::unique_lock<std::mutex> lock(s.mu);
  s.done_cv.wait(lock, [&] { return s.committed_through >= ticket; });
  if (ticket >= s.failed_from && ticket <= s.failed_through) {
    return Status::IoError("{}", s.last_error);
  }
  return Status::OK();
}

bool SqlitePredictionLog::durable() const {
  return impl_->options.durable;
}

PredictionLogStats SqlitePredictionLog::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->stats;
}

void SqlitePredictionLog::Close() {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.closed && !s.writer.joinable()) return;
    s.closed = true;
  }
  s.work_cv.notify_all();
  s.done_cv.notify_all();
  if (s.writer.joinable()) s.writer.join();
}

}  // namespace keel::serve
