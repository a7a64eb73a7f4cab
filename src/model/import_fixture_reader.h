// Reads the CSV fixtures the importer tests compare against (tests/fixtures/<peer>/):
// plain comma-separated numbers with a header, empty cells as NaN, no quoting. Test-only.
#pragma once

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace keel {

struct NumericCsv {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
};

// One line's comma-separated cells (a trailing comma gives a last empty cell).
inline std::vector<std::string> SplitCsvLine(const std::string& s) {
  std::vector<std::string> cells;
  std::string cell;
  std::stringstream ss(s);
  while (std::getline(ss, cell, ',')) cells.push_back(cell);
  if (!s.empty() && s.back() == ',') cells.emplace_back();
  return cells;
}

// A fixture as text cells, exactly as written (for tests that send the values on as text);
// rows are padded to the header's width with empty cells.
struct TextCsv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

inline TextCsv ReadTextCsv(const std::string& path) {
  TextCsv out;
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return out;
  out.header = SplitCsvLine(line);
  while (std::getline(in, line)) {
    std::vector<std::string> row = SplitCsvLine(line);
    row.resize(out.header.size());
    out.rows.push_back(std::move(row));
  }
  return out;
}

inline NumericCsv ReadNumericCsv(const std::string& path) {
  TextCsv text = ReadTextCsv(path);
  NumericCsv out;
  out.header = std::move(text.header);
  for (const auto& cells : text.rows) {
    std::vector<double> row;
    for (const auto& c : cells) {
      double v = std::numeric_limits<double>::quiet_NaN();
      if (!c.empty()) std::from_chars(c.data(), c.data() + c.size(), v);
      row.push_back(v);
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace keel
