// Appending JSON text to a reused buffer: the response writers of the server build every body
// with these, so a response costs no allocation once the buffer has grown to its working size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/json_number.h"

namespace keel::serve {

// Appends `text` as a JSON string literal: quotes, with '"', '\\' and control characters
// escaped. Well-formed UTF-8 passes through unchanged; a byte that is not part of a
// well-formed UTF-8 sequence (raw bytes of a request path or header quoted in an error) is
// written as \ufffd, so the output is always valid JSON.
void AppendJsonString(std::string* out, std::string_view text);

// AppendJsonNumber (shortest round-trip text, null when not finite) is core/json_number.h.

void AppendJsonInt(std::string* out, int64_t v);

// `text` shortened to at most `max_bytes` bytes on a UTF-8 character boundary, for quoting
// user input in error messages without echoing megabytes back.
std::string_view TruncateUtf8(std::string_view text, size_t max_bytes);

}  // namespace keel::serve
