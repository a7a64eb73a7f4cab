// Reading a table column as the values a profile compares: numbers for numeric columns
// (booleans 0/1, timestamps as epoch seconds, categorical texts parsed as numbers) and texts
// for categorical ones.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keel/table.h"

namespace keel::drift {

// A whole string as a number (surrounding spaces and a leading '+' allowed); NaN otherwise.
double ParseNumberText(std::string_view text);

// The column's values at `rows` (every row when empty) as numbers; NaN = missing or not a
// number.
std::vector<double> NumericValues(const Column& column, std::span<const uint32_t> rows = {});

// Category texts at `rows` (every row when empty) with their counts, missing skipped, most
// frequent first (ties by text).
std::vector<std::pair<std::string, uint64_t>> CountTexts(const Column& column,
                                                         std::span<const uint32_t> rows = {});

}  // namespace keel::drift
