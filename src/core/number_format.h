// Numbers written as text read back to the same value: the shortest round-trip form that
// std::to_chars gives, never rounded to a fixed number of digits.
#pragma once

#include <string>
#include <string_view>

namespace keel {

// Appends the shortest round-trip text of `v`. Non-finite values are written as "nan", "inf"
// and "-inf"; callers that need another spelling (empty CSV cell, JSON null) test first.
void AppendDouble(std::string* out, double v);
std::string FormatDouble(double v);

// Writes into buf (at least 32 bytes); returns the number of characters written.
size_t FormatDoubleTo(char* buf, double v);

}  // namespace keel
