#include "core/number_format.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace keel {

size_t FormatDoubleTo(char* buf, double v) {
  if (std::isnan(v)) {
    std::memcpy(buf, "nan", 3);
    return 3;
  }
  if (std::isinf(v)) {
    if (v > 0) {
      std::memcpy(buf, "inf", 3);
      return 3;
    }
    std::memcpy(buf, "-inf", 4);
    return 4;
  }
  auto res = std::to_chars(buf, buf + 32, v);
  return static_cast<size_t>(res.ptr - buf);
}

void AppendDouble(std::string* out, double v) {
  char buf[32];
  out->append(buf, FormatDoubleTo(buf, v));
}

std::string FormatDouble(double v) {
  std::string s;
  AppendDouble(&s, v);
  return s;
}

}  // namespace keel
