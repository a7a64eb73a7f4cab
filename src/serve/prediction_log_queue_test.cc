#include "serve/prediction_log_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace keel::serve {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

PredictionRecord Row(const std::string& id) {
  PredictionRecord r;
  r.request_id = id;
  r.model = "m";
  r.model_version = "1";
  r.inputs_json = "{}";
  r.output_json = "{}";
  return r;
}

// Waits up to `limit` for the sink to have seen `rows` rows.
bool WaitForRows(const std::atomic<size_t>& seen, size_t rows, milliseconds limit) {
  const auto deadline = steady_clock::now() + limit;
  while (seen.load() < rows) {
    if (steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

// Low traffic: one row and then silence. The row must reach the sink within about the flush
// interval, not wait for a full batch or for Close (the writer used to be woken only for full
// batches or durable rows, so a quiet server never committed).
TEST(PredictionLogQueue, SingleRowIsCommittedWithinTheFlushInterval) {
  std::atomic<size_t> seen{0};
  LogQueueOptions options;
  options.flush_interval = milliseconds(20);
  options.batch_rows = 8192;
  PredictionLogQueue queue(options, [&](const LogBatch& b) {
    seen += b.rows().size();
    return Status::OK();
  });
  // Let the writer reach its wait first, as in a server that has been idle.
  std::this_thread::sleep_for(milliseconds(50));
  queue.Append(Row("a"));
  EXPECT_TRUE(WaitForRows(seen, 1, milliseconds(1000)));
  EXPECT_EQ(queue.stats().rows_written, 1u);
  EXPECT_EQ(queue.stats().rows_queued, 0u);
}

// One row per tick, slower than the flush interval: each is committed before the next comes.
TEST(PredictionLogQueue, RowsTricklingInAreEachCommitted) {
  std::atomic<size_t> seen{0};
  LogQueueOptions options;
  options.flush_interval = milliseconds(10);
  PredictionLogQueue queue(options, [&](const LogBatch& b) {
    seen += b.rows().size();
    return Status::OK();
  });
  for (size_t i = 1; i <= 5; ++i) {
    queue.Append(Row(std::to_string(i)));
    EXPECT_TRUE(WaitForRows(seen, i, milliseconds(1000))) << "row " << i;
  }
}

// Rows arriving together inside one interval are committed as one batch, not one by one.
TEST(PredictionLogQueue, BurstWithinOneIntervalSharesOneBatch) {
  std::atomic<size_t> seen{0}, batches{0};
  LogQueueOptions options;
  options.flush_interval = milliseconds(200);
  PredictionLogQueue queue(options, [&](const LogBatch& b) {
    seen += b.rows().size();
    ++batches;
    return Status::OK();
  });
  for (int i = 0; i < 100; ++i) queue.Append(Row(std::to_string(i)));
  EXPECT_TRUE(WaitForRows(seen, 100, milliseconds(2000)));
  EXPECT_LE(batches.load(), 2u);
}

// A full batch is handed over without waiting for the interval.
TEST(PredictionLogQueue, FullBatchIsCommittedWithoutWaitingForTheInterval) {
  std::atomic<size_t> seen{0};
  LogQueueOptions options;
  options.flush_interval = milliseconds(60000);
  options.batch_rows = 4;
  PredictionLogQueue queue(options, [&](const LogBatch& b) {
    seen += b.rows().size();
    return Status::OK();
  });
  for (int i = 0; i < 4; ++i) queue.Append(Row(std::to_string(i)));
  EXPECT_TRUE(WaitForRows(seen, 4, milliseconds(2000)));
}

// A failing sink counts its rows as dropped and reports the error to durable waiters.
TEST(PredictionLogQueue, FailedBatchIsCountedAndReported) {
  LogQueueOptions options;
  options.durable = true;
  PredictionLogQueue queue(options, [&](const LogBatch&) { return Status::IoError("disk full"); });
  const uint64_t ticket = queue.Append(Row("x"));
  Status st = queue.WaitDurable(ticket);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("disk full"), std::string::npos);
  EXPECT_EQ(queue.stats().rows_dropped, 1u);
  EXPECT_EQ(queue.stats().write_errors, 1u);
}

}  // namespace
}  // namespace keel::serve
