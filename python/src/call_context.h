// The Context of one call from Python: the thread count the caller passed (None/0 = all
// hardware threads, as the CLI's default), no progress bars (a notebook's stderr is not a
// terminal a bar can redraw), no cancellation yet.
#pragma once

#include "core/context.h"

namespace keel::python {

inline Context CallContext(int threads) {
  Context ctx;
  ctx.num_threads = threads;
  ctx.progress = false;
  return ctx;
}

}  // namespace keel::python
