// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
#pragma once

#include <cstddef>
#include <string_view>

namespace keel {

// Offset of the first byte of the first invalid or truncated sequence in `s`, or
// std::string_view::npos when `s` is valid UTF-8. ASCII runs are skipped eight bytes at a time.
size_t FindInvalidUtf8(std::string_view s);

inline bool IsValidUtf8(std::string_view s) { return FindInvalidUtf8(s) == std::string_view::npos; }

}  // namespace keel
