// LogRetention: `keel serve --log-retention DURATION` deletes prediction-log rows older than
// the retention period on a schedule (at start, then every `interval`), on its own database
// connection so the request path and the log writer never wait for it.
//
// Thread-safety: construct and destroy from one thread; the pruning runs on its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace keel::serve {

struct LogRetentionOptions {
  std::string location;      // the prediction log: SQLite path or postgresql:// URL
  int64_t retention_us = 0;  // rows older than now - retention_us are deleted
  std::chrono::milliseconds interval{std::chrono::hours(1)};
};

class LogRetention {
 public:
  explicit LogRetention(LogRetentionOptions options);
  ~LogRetention();  // stops the thread
  LogRetention(const LogRetention&) = delete;
  LogRetention& operator=(const LogRetention&) = delete;

  uint64_t rows_pruned() const { return rows_pruned_.load(std::memory_order_relaxed); }

 private:
  void Run();
  LogRetentionOptions options_;
  std::atomic<uint64_t> rows_pruned_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace keel::serve
