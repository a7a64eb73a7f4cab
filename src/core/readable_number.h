// Numbers for people: the text output of the commands (tables, summaries, log lines).
//
// A person reads "338.4 per 1k" and "1,234,568 rows", not "338.4172415254398": these round to
// a few significant digits and group thousands. Anything a program reads back (--json, CSV
// and JSON Lines outputs, model files) uses FormatDouble (core/number_format.h) instead,
// which keeps every digit needed to read the same double back.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace keel {

// `v` to `significant` digits (at least 1), thousands grouped with ',' and trailing zeros
// after the point dropped: 338.4172 -> "338.4", 1234567.8 -> "1,234,568", 0.5 -> "0.5",
// 0.000123456 -> "0.0001235". Magnitudes below 1e-4 or from 1e15 up are written in
// scientific notation ("1.235e-07"). Non-finite values are "nan", "inf" and "-inf".
std::string ReadableNumber(double v, int significant = 4);

// A count with thousands grouped: 1234567 -> "1,234,567".
std::string ReadableCount(uint64_t n);

// A fraction as a percentage with `decimals` digits after the point (trailing zeros kept, so
// columns line up): 0.12345 -> "12.3%". Non-finite values are "nan", "inf" and "-inf".
std::string ReadablePercent(double fraction, int decimals = 1);

// A JSON value written for people, on one line: numbers rounded (ReadableNumber; integers as
// they are), text unquoted, objects as "name value" pairs ("test (auc 0.8123, rows 80)"),
// arrays in brackets. Cut to `max_chars` (ending in "...") when that is not 0.
std::string ReadableJson(const nlohmann::json& j, size_t max_chars = 0);

}  // namespace keel
