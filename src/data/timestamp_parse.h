// A hand-written ISO 8601 timestamp parser (the hot path of timestamp columns; no locale,
// no allocation, no std::get_time).
//
// Accepted (after trimming whitespace):
//   YYYY-MM-DD
//   YYYY-MM-DD(T|t| )HH:MM[:SS[(.|,)fraction]][zone]
//   zone = Z | z | +HH:MM | -HH:MM | +HHMM | -HHMM | +HH | -HH
// Fractions keep microsecond precision (further digits are truncated). A timestamp without a
// zone is read as UTC (the wall-clock value is kept as is). Calendar fields are checked
// (month 1-12, day within the month, leap years, hour 0-23, minute 0-59, second 0-60).
#pragma once

#include <cstdint>
#include <string_view>

namespace keel {

// Parses `text` into microseconds since 1970-01-01T00:00:00Z. Returns false when the text is
// not entirely a valid ISO 8601 date or date-time as above.
bool ParseTimestamp(std::string_view text, int64_t* micros);

// Days since 1970-01-01 of a proleptic Gregorian date (no range checks).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace keel
