// Lenient, exact parsing of the numbers and booleans found in production exports.
//
// Accepted numbers (after trimming whitespace): an optional single sign ('+' or '-'), then
// decimal digits with an optional fraction and exponent, as std::from_chars reads them:
// "12", "+5", "-0.25", "5.", ".5", "1e3", "1.8895E+3". The whole text must be consumed.
// Rejected: empty text, "--5", "1.2.3", "12x", "1,234", "0x1F", "$5", and non-finite values
// ("inf", "nan", "1e999"): a model cannot use them and they are reported instead.
//
// The decimal mark is '.' unless the caller passes ',' (CSV files with a decimal comma, see
// csv_dialect.h): then the grammar is the same with ',' in its place ("3,7", "-,5", "1,5e3")
// and a '.' anywhere makes the text not a number. Neither mode knows thousands separators
// ("1.234,5" and "1,234.5" are never numbers), so a value written with the other mark is
// reported, never read as something else. A number spelled with ',' gives exactly the double
// of its '.' spelling.
#pragma once

#include <string_view>

namespace keel {

// Parses `text` (already trimmed or not) as a finite number. Returns false (and leaves
// `*value` unspecified) when the text is not entirely a number. Allocation-free.
// The value is the correctly rounded (nearest, ties to even) double, as std::from_chars gives:
// plain decimals with at most 19 digits, an integer part and fraction exactly representable
// (at most 2^53) and at most 22 fraction digits are converted with one exact IEEE division
// (Clinger's fast path); every other spelling goes to std::from_chars.
// `decimal` must be '.' or ','.
bool ParseNumber(std::string_view text, double* value, char decimal = '.');

// The same grammar and values read by std::from_chars alone: ParseNumber's fallback, and the
// oracle its tests compare the fast path against.
bool ParseNumberFromChars(std::string_view text, double* value, char decimal = '.');

// Parses "true"/"false" in any ASCII case (after trimming) into 1/0. Returns false otherwise.
// "yes"/"no" and "0"/"1" are deliberately not booleans: they stay categories and numbers.
bool ParseBool(std::string_view text, bool* value);

}  // namespace keel
