#include "data/number_parse.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>

namespace keel {
namespace {

double Num(std::string_view s, char decimal = '.') {
  double v = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(ParseNumber(s, &v, decimal)) << s;
  return v;
}

TEST(ParseNumber, AcceptsProductionSpellings) {
  EXPECT_EQ(Num("12"), 12);
  EXPECT_EQ(Num("+5"), 5);
  EXPECT_EQ(Num("-0.25"), -0.25);
  EXPECT_EQ(Num(" 12 "), 12);
  EXPECT_EQ(Num("  7\t"), 7);
  EXPECT_EQ(Num("5.0"), 5);
  EXPECT_EQ(Num("5."), 5);
  EXPECT_EQ(Num(".5"), 0.5);
  EXPECT_EQ(Num("1e3"), 1000);
  EXPECT_EQ(Num("1.8895E+3"), 1889.5);
  EXPECT_EQ(Num("1E+0"), 1);
  EXPECT_EQ(Num("2.5e-3"), 0.0025);
  EXPECT_EQ(Num("-0"), 0);
}

TEST(ParseNumber, IsExactLikeStrtod) {
  EXPECT_EQ(Num("0.1"), 0.1);
  EXPECT_EQ(Num("1889.5000000000002"), 1889.5000000000002);
  EXPECT_EQ(Num("9007199254740993"), 9007199254740992.0);  // round to nearest even
}

TEST(ParseNumber, RejectsGarbageTokens) {
  double v;
  for (const char* s :
       {"",      " ",      "abc", "12x", "1.2.3", "#REF!", "--5", "five", "0..1", "$$",
        "1-2",   "x9",     "++5", "+-5", "1,234", "0x1F",  "inf", "-inf", "nan",  "NaN",
        "1e999", "-1e999", "e5",  "+",   "-",     ".",     "1e",  "1 2",  "5%"}) {
    EXPECT_FALSE(ParseNumber(s, &v)) << '"' << s << '"';
  }
}

// The fast path must give exactly what std::from_chars gives (same acceptance, same bits).
void ExpectSameAsFromChars(const std::string& s) {
  double fast = 0, slow = 0;
  const bool a = ParseNumber(s, &fast);
  const bool b = ParseNumberFromChars(s, &slow);
  ASSERT_EQ(a, b) << '"' << s << '"';
  if (a) {
    ASSERT_EQ(std::bit_cast<uint64_t>(fast), std::bit_cast<uint64_t>(slow)) << '"' << s << '"';
  }
}

// A plain decimal around the fast path's limits: an optional sign, up to 11 integer digits and
// up to 22 fraction digits (or none, or a bare '.').
std::string RandomPlainDecimal(std::mt19937_64& rng) {
  const int int_digits = static_cast<int>(rng() % 12);
  const int frac_digits = static_cast<int>(rng() % 25) - 2;
  std::string s;
  if (rng() % 4 == 0) s += (rng() % 2) ? "-" : "+";
  for (int k = 0; k < int_digits; ++k) s += static_cast<char>('0' + rng() % 10);
  if (frac_digits >= 0) {
    s += '.';
    for (int k = 0; k < frac_digits; ++k) s += static_cast<char>('0' + rng() % 10);
  }
  return s;
}

TEST(ParseNumber, FastPathEqualsFromCharsOnRandomDecimals) {
  std::mt19937_64 rng(20261127);
  char buf[64];
  for (int i = 0; i < 300000; ++i) {
    ExpectSameAsFromChars(RandomPlainDecimal(rng));
    // Shortest round-trip and fixed spellings of random doubles of every magnitude.
    const double v = std::bit_cast<double>(rng());
    if (std::isfinite(v)) {
      std::snprintf(buf, sizeof(buf), "%.17g", v);
      ExpectSameAsFromChars(buf);
    }
    const double m = static_cast<double>(rng() % 100000000) / std::pow(10.0, rng() % 12);
    std::snprintf(buf, sizeof(buf), "%.*f", static_cast<int>(rng() % 20), m);
    ExpectSameAsFromChars(buf);
    // Integers near 2^53 and 10^19, where the fast path must hand over.
    const uint64_t big = (uint64_t{1} << 53) - 50 + rng() % 100;
    ExpectSameAsFromChars(std::to_string(big));
    ExpectSameAsFromChars(std::to_string(UINT64_MAX - rng() % 1000));
  }
}

TEST(ParseNumber, FastPathEqualsFromCharsOnRandomGarbage) {
  std::mt19937_64 rng(42);
  static const char kAlphabet[] = "0123456789.eE+- x\t";
  for (int i = 0; i < 300000; ++i) {
    std::string s;
    const size_t n = rng() % 10;
    for (size_t k = 0; k < n; ++k) s += kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
    ExpectSameAsFromChars(s);
  }
}

// Texts of 8 to 13 bytes shaped like "digits.fraction" whose fraction may hold any byte of the
// alphabet: the fast path reads the last 8 bytes of such a text at once.
TEST(ParseNumber, FastPathEqualsFromCharsOnNearlyDecimalFractions) {
  std::mt19937_64 rng(7);
  static const char kAlphabet[] = "0123456789012345678901234567890123456789.eE+- x\t:/";
  for (int i = 0; i < 300000; ++i) {
    std::string s;
    if (rng() % 3 == 0) s += rng() % 2 ? "-" : " ";
    const size_t int_digits = rng() % 4;
    for (size_t k = 0; k < int_digits; ++k) s += static_cast<char>('0' + rng() % 10);
    s += '.';
    while (s.size() < 8 + rng() % 6) s += kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
    ExpectSameAsFromChars(s);
  }
}

// A decimal-comma spelling must read as exactly the double of its '.' spelling, through the
// fast path and the from_chars fallback alike (exponents, more than 19 digits, long texts).
void ExpectCommaSameAsDot(const std::string& dot) {
  std::string comma = dot;
  for (char& c : comma) c = c == '.' ? ',' : c;
  double with_dot = 0, with_comma = 0, oracle = 0;
  const bool a = ParseNumber(dot, &with_dot);
  const bool b = ParseNumber(comma, &with_comma, ',');
  const bool c = ParseNumberFromChars(comma, &oracle, ',');
  ASSERT_EQ(a, b) << '"' << comma << '"';
  ASSERT_EQ(a, c) << '"' << comma << '"';
  if (a) {
    ASSERT_EQ(std::bit_cast<uint64_t>(with_dot), std::bit_cast<uint64_t>(with_comma)) << comma;
    ASSERT_EQ(std::bit_cast<uint64_t>(with_dot), std::bit_cast<uint64_t>(oracle)) << comma;
  }
}

TEST(ParseNumberDecimalComma, AcceptsTheCommaSpellings) {
  EXPECT_EQ(Num("3,7", ','), 3.7);
  EXPECT_EQ(Num("-0,25", ','), -0.25);
  EXPECT_EQ(Num(" +12,5 ", ','), 12.5);
  EXPECT_EQ(Num(",5", ','), 0.5);
  EXPECT_EQ(Num("5,", ','), 5);
  EXPECT_EQ(Num("42", ','), 42);
  EXPECT_EQ(Num("1,5e3", ','), 1500);
  EXPECT_EQ(Num("1,8895E+3", ','), 1889.5);
  EXPECT_EQ(Num("2,5e-3", ','), 0.0025);
  // With ',' as the mark, "1,234" is one point two three four (no thousands separators).
  EXPECT_EQ(Num("1,234", ','), 1.234);
}

TEST(ParseNumberDecimalComma, RejectsTheOtherMarkAndGrouping) {
  double v;
  for (const char* s : {"3.7", ".5", "1.5e3", "1.234,5", "1,234.5", "1,2,3", ",", "-,", "1,5,",
                        ",e5", "1,5e", "1 ,5", "12x", "inf", "nan", "1e999"}) {
    EXPECT_FALSE(ParseNumber(s, &v, ',')) << '"' << s << '"';
    EXPECT_FALSE(ParseNumberFromChars(s, &v, ',')) << '"' << s << '"';
  }
  // And the default mode still does not read commas.
  EXPECT_FALSE(ParseNumber("3,7", &v));
}

TEST(ParseNumberDecimalComma, ReadsExactlyTheDotValueOnRandomDecimals) {
  std::mt19937_64 rng(20260101);
  char buf[96];
  for (int i = 0; i < 200000; ++i) {
    ExpectCommaSameAsDot(RandomPlainDecimal(rng));
    const double v = std::bit_cast<double>(rng());
    if (std::isfinite(v)) {
      std::snprintf(buf, sizeof(buf), "%.17g", v);  // exponents and 17 digits
      ExpectCommaSameAsDot(buf);
      std::snprintf(buf, sizeof(buf), "%.70f", std::fmod(v, 1e6));  // longer than 64 bytes
      ExpectCommaSameAsDot(buf);
    }
  }
}

TEST(ParseBool, AcceptsTrueFalseInAnyCaseOnly) {
  bool b = false;
  EXPECT_TRUE(ParseBool("true", &b));
  EXPECT_TRUE(b);
  EXPECT_TRUE(ParseBool(" FALSE ", &b));
  EXPECT_FALSE(b);
  EXPECT_TRUE(ParseBool("True", &b));
  EXPECT_TRUE(b);
  for (const char* s : {"yes", "no", "0", "1", "t", "f", "truee", ""}) {
    EXPECT_FALSE(ParseBool(s, &b)) << s;
  }
}

}  // namespace
}  // namespace keel
