#include "serve/shadow_queue.h"

#include <simdjson.h>

#include <exception>
#include <utility>

#include "core/log.h"
#include "core/thread_priority.h"

namespace keel::serve {

ShadowQueue::ShadowQueue(size_t capacity, Scorer scorer)
    : scorer_(std::move(scorer)), ring_(capacity == 0 ? 1 : capacity) {
  worker_ = std::thread([this] { Run(); });
}

ShadowQueue::~ShadowQueue() {
  Stop();
}

bool ShadowQueue::TrySubmit(std::string_view body, std::string_view request_id,
                            int64_t time_micros) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_ || count_ == ring_.size()) {
    ++stats_.dropped;
    return false;
  }
  ShadowJob& job = ring_[(head_ + count_) % ring_.size()];
  job.body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  job.body.assign(body);
  job.request_id.assign(request_id);
  job.time_micros = time_micros;
  ++count_;
  ++stats_.submitted;
  lock.unlock();
  cv_.notify_one();
  return true;
}

void ShadowQueue::Run() {
  // Below the request threads: the champion's answers come first.
  LowerCurrentThreadPriority();
  ShadowJob job;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || count_ > 0; });
    if (count_ == 0) return;       // stopping, and everything queued was scored
    std::swap(job, ring_[head_]);  // the slot keeps the worker's old buffers: no allocation
    head_ = (head_ + 1) % ring_.size();
    --count_;
    lock.unlock();
    bool ok = false;
    try {
      Status st = scorer_(job);
      ok = st.ok();
      if (!ok) log::Debug("shadow challenger: request {}: {}", job.request_id, st.message());
    } catch (const std::exception& e) {
      log::Debug("shadow challenger: request {}: {}", job.request_id, e.what());
    } catch (...) {
    }
    lock.lock();
    ++stats_.scored;
    if (!ok) ++stats_.failed;
  }
}

void ShadowQueue::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  std::lock_guard<std::mutex> lock(join_mu_);
  if (worker_.joinable()) worker_.join();
}

ShadowQueueStats ShadowQueue::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

size_t ShadowQueue::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

}  // namespace keel::serve
