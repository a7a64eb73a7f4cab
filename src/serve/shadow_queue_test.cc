#include "serve/shadow_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace keel::serve {
namespace {

// A scorer that hangs until released: submitting never waits for it; what does not fit is
// dropped and counted.
TEST(ShadowQueueTest, AHangingScorerNeverBlocksSubmit) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  int seen = 0;
  ShadowQueue q(4, [&](const ShadowJob&) {
    std::unique_lock<std::mutex> lock(mu);
    ++seen;
    cv.wait(lock, [&] { return release; });
    return Status::OK();
  });
  const auto start = std::chrono::steady_clock::now();
  int accepted = 0;
  for (int i = 0; i < 100; ++i) accepted += q.TrySubmit("{}", std::to_string(i), 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 0.5);
  // The worker may have taken one job before the ring filled: 4 or 5 accepted.
  EXPECT_GE(accepted, 4);
  EXPECT_LE(accepted, 5);
  ShadowQueueStats s = q.stats();
  EXPECT_EQ(s.submitted, static_cast<uint64_t>(accepted));
  EXPECT_EQ(s.dropped, static_cast<uint64_t>(100 - accepted));
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  q.Stop();  // scores what was queued
  s = q.stats();
  EXPECT_EQ(s.scored, static_cast<uint64_t>(accepted));
  EXPECT_EQ(s.failed, 0u);
  EXPECT_FALSE(q.TrySubmit("{}", "late", 0));  // stopped: refused and counted
  EXPECT_EQ(q.stats().dropped, static_cast<uint64_t>(101 - accepted));
}

TEST(ShadowQueueTest, ErrorsAndExceptionsAreCountedAsFailed) {
  ShadowQueue q(16, [](const ShadowJob& job) -> Status {
    if (job.request_id == "throw") throw std::runtime_error("boom");
    if (job.request_id == "error") return Status::Internal("bad");
    EXPECT_EQ(job.body, "{\"x\":1}");
    EXPECT_GE(job.body.capacity(), job.body.size() + 64);  // simdjson's padding
    return Status::OK();
  });
  EXPECT_TRUE(q.TrySubmit("{\"x\":1}", "ok", 0));
  EXPECT_TRUE(q.TrySubmit("{}", "throw", 0));
  EXPECT_TRUE(q.TrySubmit("{}", "error", 0));
  q.Stop();
  const ShadowQueueStats s = q.stats();
  EXPECT_EQ(s.scored, 3u);
  EXPECT_EQ(s.failed, 2u);
}

}  // namespace
}  // namespace keel::serve
