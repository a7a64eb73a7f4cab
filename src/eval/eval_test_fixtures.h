// Test-only: reads the reference cases that tests/fixtures/eval/make_fixtures.py wrote.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/file_io.h"

namespace keel::testing {

inline nlohmann::json LoadEvalFixture(const std::string& name) {
  const std::string path = std::string(KEEL_FIXTURES_DIR) + "/eval/" + name;
  auto text = ReadFile(path);
  if (!text.ok()) {
    ADD_FAILURE() << text.status().ToString();
    return nlohmann::json::object();
  }
  return nlohmann::json::parse(*text);
}

inline std::vector<double> Doubles(const nlohmann::json& j) {
  std::vector<double> v;
  for (const auto& x : j) v.push_back(x.is_null() ? NAN : x.get<double>());
  return v;
}

inline std::vector<int32_t> Ints(const nlohmann::json& j) {
  std::vector<int32_t> v;
  for (const auto& x : j) v.push_back(x.get<int32_t>());
  return v;
}

// Every element equal within `tol` (absolute), with matching sizes.
inline void ExpectAllNear(const std::vector<double>& actual, const std::vector<double>& expected,
                          double tol, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], tol) << what << " [" << i << "]";
  }
}

}  // namespace keel::testing
