#include "serve/prediction_log_queue.h"

#include <utility>

#include "core/log.h"
#include "core/thread_priority.h"

namespace keel::serve {
namespace {

size_t RecordBytes(const PredictionRecord& r) {
  return r.request_id.size() + r.model.size() + r.model_version.size() + r.subject.size() +
         r.inputs_json.size() + r.output_json.size() + r.variant.size() + r.record_id.size();
}

}  // namespace

void LogBatch::Add(const PredictionRecord& r, uint64_t ticket) {
  Row row{};
  const std::string_view fields[kFields] = {r.request_id, r.model,       r.model_version,
                                            r.subject,    r.inputs_json, r.output_json,
                                            r.variant,    r.record_id};
  for (int i = 0; i < kFields; ++i) {
    row.off[i] = static_cast<uint32_t>(arena_.size());
    row.len[i] = static_cast<uint32_t>(fields[i].size());
    arena_.append(fields[i]);
  }
  row.instance = r.instance;
  row.time_micros = r.time_micros;
  rows_.push_back(row);
  last_ticket_ = ticket;
}

void LogBatch::Clear() {
  arena_.clear();
  rows_.clear();
}

PredictionLogQueue::PredictionLogQueue(LogQueueOptions options, Sink sink)
    : options_(options), sink_(std::move(sink)) {
  writer_ = std::thread([this] { Run(); });
}

PredictionLogQueue::~PredictionLogQueue() {
  Close();
}

void PredictionLogQueue::Run() {
  // Below the request threads: logging is background work and must not preempt answers.
  LowerCurrentThreadPriority();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return closed_ || !pending_.rows().empty(); });
    if (pending_.rows().empty() && closed_) return;
    // Let a batch accumulate unless it is full, durable callers wait, or we are closing.
    if (!options_.durable && !closed_ && pending_.rows().size() < options_.batch_rows) {
      work_cv_.wait_for(lock, options_.flush_interval,
                        [&] { return closed_ || pending_.rows().size() >= options_.batch_rows; });
    }
    std::swap(pending_, writing_);
    const uint64_t last = writing_.last_ticket();
    const uint64_t n = writing_.rows().size();
    stats_.rows_queued -= n;
    done_cv_.notify_all();  // room in the queue again
    lock.unlock();
    Status st = sink_(writing_);
    writing_.Clear();
    lock.lock();
    if (st.ok()) {
      stats_.rows_written += n;
    } else {
      stats_.write_errors += 1;
      stats_.rows_dropped += n;
      failed_from_ = last - n + 1;
      failed_through_ = last;
      if (st.message() != last_error_) log::Error("{}", st.message());
      last_error_ = st.message();
    }
    committed_through_ = last;
    done_cv_.notify_all();
  }
}

uint64_t PredictionLogQueue::Append(const PredictionRecord& record) {
  const size_t bytes = RecordBytes(record);
  std::unique_lock<std::mutex> lock(mu_);
  auto full = [&] {
    return stats_.rows_queued >= options_.max_queued_rows ||
           (pending_.bytes() + bytes > options_.max_queued_bytes && !pending_.rows().empty());
  };
  if (closed_) {
    ++stats_.rows_dropped;
    return 0;
  }
  if (full()) {
    if (!options_.durable) {
      ++stats_.rows_dropped;
      return 0;
    }
    work_cv_.notify_one();
    done_cv_.wait(lock, [&] { return closed_ || !full(); });
    if (closed_) {
      ++stats_.rows_dropped;
      return 0;
    }
  }
  const uint64_t ticket = ++next_ticket_;
  pending_.Add(record, ticket);
  ++stats_.rows_queued;
  // Wake the writer for the first row of a batch (it then lets the batch fill for at most
  // flush_interval), for a full batch, and for every durable row. Waking it only for full
  // batches left rows in memory for ever at low traffic.
  const size_t queued = pending_.rows().size();
  if (options_.durable || queued == 1 || queued >= options_.batch_rows) work_cv_.notify_one();
  return ticket;
}

Status PredictionLogQueue::WaitDurable(uint64_t ticket) {
  if (ticket == 0) return Status::IoError("the prediction log refused the row (closed or full)");
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [&] { return committed_through_ >= ticket; });
  if (ticket >= failed_from_ && ticket <= failed_through_) {
    return Status::IoError("{}", last_error_);
  }
  return Status::OK();
}

PredictionLogStats PredictionLogQueue::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void PredictionLogQueue::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  work_cv_.notify_all();
  done_cv_.notify_all();
  std::lock_guard<std::mutex> lock(join_mu_);  // two Close() calls never join at once
  if (writer_.joinable()) writer_.join();
}

}  // namespace keel::serve
