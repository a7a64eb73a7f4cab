#include "core/json_number.h"

#include <cmath>

#include "core/number_format.h"

namespace keel {

nlohmann::json JsonNumber(double v) {
  if (!std::isfinite(v)) return nullptr;
  return v;
}

void AppendJsonNumber(std::string* out, double v) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  AppendDouble(out, v);
}

}  // namespace keel
