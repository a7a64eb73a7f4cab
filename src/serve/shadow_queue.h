// The shadow challenger's queue: copies of answered requests wait here for a worker thread
// that scores them with the challenger, off the request path.
//
// The champion never waits for the challenger: TrySubmit copies the body into a slot of a
// fixed ring (slots keep their capacity, so a warm queue allocates nothing) under a short lock
// and returns; when every slot is taken (the challenger is slow, hangs or fails to keep up) the
// copy is dropped and counted instead. The worker runs below the request threads' priority.
// A scorer that returns an error is counted as failed; one that throws is caught and counted
// the same way.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "keel/status.h"

namespace keel::serve {

struct ShadowJob {
  std::string body;  // the request body, with simdjson's padding reserved after it
  std::string request_id;
  int64_t time_micros = 0;  // when the champion answered
};

struct ShadowQueueStats {
  uint64_t submitted = 0;  // copies queued
  uint64_t dropped = 0;    // copies refused: the queue was full
  uint64_t scored = 0;     // copies the scorer handled
  uint64_t failed = 0;     // copies the scorer failed on (error or exception)
};

class ShadowQueue {
 public:
  using Scorer = std::function<Status(const ShadowJob&)>;

  // Starts the worker. `capacity` >= 1 slots.
  ShadowQueue(size_t capacity, Scorer scorer);
  // Stop()s.
  ~ShadowQueue();
  ShadowQueue(const ShadowQueue&) = delete;
  ShadowQueue& operator=(const ShadowQueue&) = delete;

  // Queues a copy; never blocks on the scorer. False (and counted) when full or stopped.
  bool TrySubmit(std::string_view body, std::string_view request_id, int64_t time_micros);
  // Scores what is queued, then stops the worker (waits for the job in progress). Idempotent.
  void Stop();

  ShadowQueueStats stats() const;
  size_t queued() const;

 private:
  void Run();

  const Scorer scorer_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ShadowJob> ring_;
  size_t head_ = 0, count_ = 0;
  bool stopping_ = false;
  ShadowQueueStats stats_;
  std::mutex join_mu_;
  std::thread worker_;
};

}  // namespace keel::serve
