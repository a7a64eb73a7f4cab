// Numbers in JSON output. JSON has no NaN or infinity, so a value that is not finite (an
// undefined metric, an empty group's rate) is written as null; finite values keep their
// shortest round-trip form (core/number_format.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace keel {

// `v` as a JSON number, or null when it is not finite.
nlohmann::json JsonNumber(double v);

// Appends the JSON text of `v` to `out`: the shortest round-trip form, or `null`.
void AppendJsonNumber(std::string* out, double v);

}  // namespace keel
