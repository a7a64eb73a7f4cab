// DriftFeeder: the server's drift thread. Requests only queue their rows for the live drift
// windows (live_drift.h); this thread drains every served model's queue into its windows
// every `interval`, so evaluating a window never runs on the request path.
//
// Thread-safety: construct and destroy from one thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "serve/model_store.h"

namespace keel::serve {

class DriftFeeder {
 public:
  // Starts the thread. `store` is borrowed and must outlive the feeder.
  explicit DriftFeeder(const ModelStore* store,
                       std::chrono::milliseconds interval = std::chrono::milliseconds(200));
  ~DriftFeeder();  // stops and joins the thread
  DriftFeeder(const DriftFeeder&) = delete;
  DriftFeeder& operator=(const DriftFeeder&) = delete;

 private:
  void Run();

  const ModelStore* store_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace keel::serve
