#include "serve/database_prediction_log.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "core/log.h"
#include "core/thread_priority.h"
#include "registry/prediction_log_store.h"

namespace keel::serve {
namespace {

struct OwnedRow {
  std::string request_id, model, model_version, subject, inputs, output;
  int32_t instance = 0;
  int64_t time_micros = 0;
};

}  // namespace

struct DatabasePredictionLog::Impl {
  DatabaseLogOptions options;
  std::unique_ptr<registry::SqlDatabase> db;

  mutable std::mutex mu;
  std::condition_variable work_cv, done_cv;
  std::vector<OwnedRow> pending, writing;
  uint64_t next_ticket = 0, pending_last = 0;
  uint64_t committed_through = 0;
  uint64_t failed_from = 1, failed_through = 0;
  std::string last_error;
  bool closed = false;
  PredictionLogStats stats;
  std::thread writer;

  Status WriteBatch() {
    std::vector<registry::LoggedPrediction> rows;
    rows.reserve(writing.size());
    for (const OwnedRow& r : writing) {
      rows.push_back({r.request_id, r.instance, r.time_micros, r.model, r.model_version, r.subject,
                      r.inputs, r.output});
    }
    return registry::InsertPredictions(*db, rows);
  }

  void Run() {
    // Below the request threads, as the SQLite writer: logging must not preempt answers.
    LowerCurrentThreadPriority();
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      work_cv.wait(lock, [&] { return closed || !pending.empty(); });
      if (pending.empty() && closed) return;
      if (!options.durable && !closed && pending.size() < options.batch_rows) {
        work_cv.wait_for(lock, options.flush_interval,
                         [&] { return closed || pending.size() >= options.batch_rows; });
      }
      std::swap(pending, writing);
      const uint64_t last = pending_last;
      const uint64_t n = writing.size();
      stats.rows_queued -= n;
      done_cv.notify_all();
      lock.unlock();
      Status st = WriteBatch();
      writing.clear();
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

Result<std::unique_ptr<DatabasePredictionLog>> DatabasePredictionLog::Open(
    const DatabaseLogOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  registry::DatabaseOptions dbo;
  dbo.durable = options.durable;
  KEEL_ASSIGN_OR_RETURN(impl->db, registry::OpenDatabase(options.location, dbo));
  KEEL_RETURN_IF_ERROR(registry::EnsurePredictionLogSchema(*impl->db));
  Impl* raw = impl.get();
  impl->writer = std::thread([raw] { raw->Run(); });
  return std::unique_ptr<DatabasePredictionLog>(new DatabasePredictionLog(std::move(impl)));
}

DatabasePredictionLog::DatabasePredictionLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DatabasePredictionLog::~DatabasePredictionLog() {
  Close();
}

uint64_t DatabasePredictionLog::Append(const PredictionRecord& r) {
  Impl& s = *impl_;
  std::unique_lock<std::mutex> lock(s.mu);
  auto full = [&] { return s.stats.rows_queued >= s.options.max_queued_rows; };
  if (!s.closed && full()) {
    if (!s.options.durable) {
      ++s.stats.rows_dropped;
      return 0;
    }
    s.work_cv.notify_one();
    s.done_cv.wait(lock, [&] { return s.closed || !full(); });
  }
  if (s.closed) {
    ++s.stats.rows_dropped;
    return 0;
  }
  const uint64_t ticket = ++s.next_ticket;
  s.pending.push_back({std::string(r.request_id), std::string(r.model),
                       std::string(r.model_version), std::string(r.subject),
                       std::string(r.inputs_json), std::string(r.output_json), r.instance,
                       r.time_micros});
  s.pending_last = ticket;
  ++s.stats.rows_queued;
  if (s.options.durable || s.pending.size() >= s.options.batch_rows) s.work_cv.notify_one();
  return ticket;
}

Status DatabasePredictionLog::WaitDurable(uint64_t ticket) {
  Impl& s = *impl_;
  if (ticket == 0) return Status::IoError("the prediction log refused the row (closed or full)");
  std::unique_lock<std::mutex> lock(s.mu);
  s.done_cv.wait(lock, [&] { return s.committed_through >= ticket; });
  if (ticket >= s.failed_from && ticket <= s.failed_through) {
    return Status::IoError("{}", s.last_error);
  }
  return Status::OK();
}

bool DatabasePredictionLog::durable() const {
  return impl_->options.durable;
}

PredictionLogStats DatabasePredictionLog::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->stats;
}

void DatabasePredictionLog::Close() {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.closed = true;
  }
  s.work_cv.notify_all();
  s.done_cv.notify_all();
  if (s.writer.joinable()) s.writer.join();
}

}  // namespace keel::serve
