#include "data/number_parse.h"

#include <gtest/gtest.h>

#include <limits>

namespace keel {
namespace {

double Num(std::string_view s) {
  double v = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(ParseNumber(s, &v)) << s;
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
  for (const char* s : {"", " ", "abc", "12x", "1.2.3", "#REF!", "--5", "five", "0..1", "$$",
                        "1-2", "x9", "++5", "+-5", "1,234", "0x1F", "inf", "-inf", "nan", "NaN",
                        "1e999", "-1e999", "e5", "+", "-", ".", "1e", "1 2", "5%"}) {
    EXPECT_FALSE(ParseNumber(s, &v)) << '"' << s << '"';
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
