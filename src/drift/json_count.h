// Reading counts from JSON: nlohmann stores non-negative literals written in C++ as signed
// and parsed ones as unsigned, so "a count" is any integer >= 0.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>

namespace keel::drift {

inline bool IsCount(const nlohmann::json& v) {
  return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
}

}  // namespace keel::drift
