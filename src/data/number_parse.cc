#include "data/number_parse.h"

#include <charconv>
#include <cmath>

#include "data/cell_text.h"

namespace keel {

bool ParseNumber(std::string_view text, double* value) {
  const char* p = text.data();
  const char* end = p + text.size();
  // Trimming inline (rather than calling TrimCell) keeps the common untrimmed case cheap.
  while (p < end && IsCellSpace(*p)) ++p;
  while (end > p && IsCellSpace(end[-1])) --end;
  if (p == end) return false;
  bool negative = false;
  if (*p == '+' || *p == '-') {
    negative = *p == '-';
    ++p;
    if (p == end) return false;
  }
  // from_chars accepts "inf"/"nan" and a leading '-', neither of which may follow our sign.
  const char c = *p;
  if (!((c >= '0' && c <= '9') || c == '.')) return false;
  double v = 0;
  auto [ptr, ec] = std::from_chars(p, end, v, std::chars_format::general);
  if (ec != std::errc() || ptr != end) return false;
  if (!std::isfinite(v)) return false;
  *value = negative ? -v : v;
  return true;
}

bool ParseBool(std::string_view text, bool* value) {
  text = TrimCell(text);
  if (text.size() == 4 && EqualsIgnoreCase(text, "true")) {
    *value = true;
    return true;
  }
  if (text.size() == 5 && EqualsIgnoreCase(text, "false")) {
    *value = false;
    return true;
  }
  return false;
}

}  // namespace keel
