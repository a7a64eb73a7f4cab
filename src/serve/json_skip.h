// Ignoring a JSON value without letting malformed JSON through.
//
// simdjson's on-demand parser validates a value only as far as the caller reads it: a value
// the caller skips (an unknown field, a nested value or OIP "parameters" ignored in lenient
// mode) is stepped over by counting brackets, so `{"x": [tru, 1e]}` would pass unnoticed. The
// request decoders call SkipValue instead, which reads every token of the value.
#pragma once

#include <simdjson.h>

namespace keel::serve {

// Nesting deeper than this inside a skipped value is refused (DEPTH_ERROR): the walk recurses.
inline constexpr int kMaxSkipDepth = 64;

// Reads `value` to its end, checking every scalar and bracket. Returns simdjson's error code
// for the first malformed token (SUCCESS when the value is well-formed JSON).
simdjson::error_code SkipValue(simdjson::ondemand::value value);

}  // namespace keel::serve
