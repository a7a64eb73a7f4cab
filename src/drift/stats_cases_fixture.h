// Test-only: the SciPy / scikit-learn reference cases of tests/fixtures/drift/stats_cases.json
// (written by tests/fixtures/drift/make_fixtures.py), one list per kind of case. A test that
// loops over a list must not pass because the list is empty or shorter than the file the
// fixture script writes: StatsCases fails the test (non-fatally) unless the list has exactly
// the number of cases below. Regenerating the fixture with other cases means updating them.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace keel::drift {

inline const nlohmann::json& StatsCases(const std::string& kind) {
  static const nlohmann::json all = [] {
    std::ifstream in(std::string(KEEL_FIXTURES_DIR) + "/drift/stats_cases.json");
    EXPECT_TRUE(in.good()) << "missing fixture; run tests/fixtures/drift/make_fixtures.py";
    return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  }();
  static const std::map<std::string, size_t> expected = {
      {"ks", 15},       {"kstwo", 367},     {"smirnov", 81},    {"chi2", 8},
      {"distances", 5}, {"wasserstein", 4}, {"performance", 2},
  };
  static const nlohmann::json none = nlohmann::json::array();
  const auto want = expected.find(kind);
  EXPECT_NE(want, expected.end()) << "no expected case count for '" << kind << "'";
  const nlohmann::json& list = all.is_object() && all.contains(kind) ? all[kind] : none;
  EXPECT_EQ(list.size(), want == expected.end() ? 0 : want->second)
      << "cases of '" << kind << "' in stats_cases.json";
  return list;
}

}  // namespace keel::drift
