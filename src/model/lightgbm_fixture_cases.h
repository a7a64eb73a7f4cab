// The LightGBM 4.6.0 fixtures (tests/fixtures/lightgbm, written by make_fixtures.py there) for
// the tests that send them through each of Keel's input paths (CSV, serving, streaming, the
// C++ API, the Python package): the data sets, their rows as written (held-out rows, then edge
// rows with values on thresholds in 17 digits) and LightGBM's own predictions. Test-only.
#pragma once

#include <algorithm>
#include <cmath>
#include <ostream>
#include <string>
#include <vector>

#include "model/import_fixture_reader.h"

namespace keel::lightgbm_fixtures {

struct Case {
  const char* name;
  size_t test_rows;  // held-out rows, then edge rows (make_fixtures.py)
  size_t edge_rows;
};

inline void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

inline const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"binary_categorical", 200, 403},
      {"binary_missing", 200, 376},
      {"binary_zero", 200, 373},
      {"multiclass_categorical", 200, 376},
      {"regression_categorical", 200, 482},
  };
  return cases;
}

// tests/fixtures/lightgbm/<file>.
inline std::string Path(const std::string& file) {
  return std::string(KEEL_FIXTURES_DIR) + "/lightgbm/" + file;
}

// |got - want| relative to |want| (absolute below 1e-300, where a relative error means nothing).
inline double RelativeError(double got, double want) {
  if (got == want) return 0;
  return std::abs(got - want) / std::max(std::abs(want), 1e-300);
}

// The rows of data set `name` as text cells (an empty cell is missing).
inline TextCsv Rows(const std::string& name) {
  return ReadTextCsv(Path(name + "_rows.csv"));
}

// LightGBM's predictions of data set `name`: per row pred_0 .. pred_{k-1} (binary: P(class 1);
// multiclass: class probabilities; regression: the value).
inline std::vector<std::vector<double>> Predictions(const std::string& name) {
  const NumericCsv want = ReadNumericCsv(Path(name + "_expected.csv"));
  std::vector<size_t> cols;
  for (size_t c = 0; c < want.header.size(); ++c) {
    if (want.header[c].rfind("pred_", 0) == 0) cols.push_back(c);
  }
  std::vector<std::vector<double>> out;
  for (const auto& row : want.rows) {
    std::vector<double> p;
    for (size_t c : cols) p.push_back(row[c]);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace keel::lightgbm_fixtures
