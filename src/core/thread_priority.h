// Background priority for work that must not preempt latency-critical threads (a server's
// request threads): prediction-log writers, model reloads.
#pragma once

#include <functional>

namespace keel {

// Lowers the calling thread's scheduling priority (Linux: per-thread nice value +10). The
// change cannot be undone without privileges, so call it only on threads that stay
// background. Best effort: a failure leaves the priority unchanged.
void LowerCurrentThreadPriority();

// Runs fn on a new thread at background priority and waits for it to finish. For rare,
// CPU-heavy work requested from a thread whose own priority must not drop. fn must not
// throw.
void RunAtBackgroundPriority(const std::function<void()>& fn);

}  // namespace keel
