// ParallelFor: the one way Keel runs loops on several threads (OpenMP underneath).
//
// Workers never throw across the loop: a Status returned (or an exception thrown) by any
// iteration is captured, the remaining iterations are skipped, and the first error is
// returned to the caller.
#pragma once

#include <omp.h>

#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <new>
#include <type_traits>

#include "keel/status.h"

namespace keel {

namespace internal {
class ErrorSlot {
 public:
  void Set(Status s) {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_.ok()) first_ = std::move(s);
    failed_.store(true, std::memory_order_relaxed);
  }
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  Status Take() { return std::move(first_); }

 private:
  std::mutex mu_;
  std::atomic<bool> failed_{false};
  Status first_;
};

template <typename Fn, typename... Args>
void RunGuarded(ErrorSlot& slot, Fn& fn, Args... args) {
  try {
    if constexpr (std::is_same_v<std::invoke_result_t<Fn&, Args...>, Status>) {
      Status s = fn(args...);
      if (!s.ok()) slot.Set(std::move(s));
    } else {
      fn(args...);
    }
  } catch (const std::bad_alloc&) {
    slot.Set(Status::ResourceExhausted("out of memory in a parallel loop"));
  } catch (const std::exception& e) {
    slot.Set(Status::Internal("exception in a parallel loop: {}", e.what()));
  }
}
}  // namespace internal

// Calls fn(i) for every i in [0, n) using up to `threads` threads; fn returns void or Status.
// Iterations are scheduled dynamically in chunks of `grain` (use a larger grain for cheap
// bodies). Returns the first error.
template <typename Fn>
Status ParallelFor(int threads, size_t n, Fn&& fn, size_t grain = 1) {
  internal::ErrorSlot slot;
  if (threads <= 1 || n <= grain) {
    for (size_t i = 0; i < n && !slot.failed(); ++i) internal::RunGuarded(slot, fn, i);
    return slot.Take();
  }
  const long long count = static_cast<long long>(n);
  const int chunk = static_cast<int>(grain);
#pragma omp parallel for num_threads(threads) schedule(dynamic, chunk)
  for (long long i = 0; i < count; ++i) {
    if (slot.failed()) continue;
    internal::RunGuarded(slot, fn, static_cast<size_t>(i));
  }
  return slot.Take();
}

// Splits [0, n) into `parts` contiguous ranges (parts <= threads is typical) and calls
// fn(part, begin, end) for each, in parallel. Useful when each worker keeps local state.
template <typename Fn>
Status ParallelForRanges(int threads, size_t n, size_t parts, Fn&& fn) {
  if (parts == 0) parts = 1;
  if (parts > n && n > 0) parts = n;
  auto body = [&](size_t p) {
    const size_t begin = n * p / parts;
    const size_t end = n * (p + 1) / parts;
    if constexpr (std::is_same_v<std::invoke_result_t<Fn&, size_t, size_t, size_t>, Status>) {
      return fn(p, begin, end);
    } else {
      fn(p, begin, end);
    }
  };
  return ParallelFor(threads, parts, body);
}

}  // namespace keel
