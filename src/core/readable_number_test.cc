#include "core/readable_number.h"

#include <gtest/gtest.h>

#include <limits>

namespace keel {
namespace {

TEST(ReadableNumber, RoundsToSignificantDigits) {
  EXPECT_EQ(ReadableNumber(338.4172415254398), "338.4");
  EXPECT_EQ(ReadableNumber(0.30000000000000004), "0.3");
  EXPECT_EQ(ReadableNumber(0.5), "0.5");
  EXPECT_EQ(ReadableNumber(12.0), "12");
  EXPECT_EQ(ReadableNumber(-2.71828), "-2.718");
  EXPECT_EQ(ReadableNumber(0.000123456), "0.0001235");
  EXPECT_EQ(ReadableNumber(0.99996), "1");  // rounding carries into the integer part
  EXPECT_EQ(ReadableNumber(0.0), "0");
  EXPECT_EQ(ReadableNumber(-0.00001234, 2), "-1.2e-05");
  EXPECT_EQ(ReadableNumber(3.14159, 2), "3.1");
  EXPECT_EQ(ReadableNumber(3.14159, 0), "3");  // at least one digit
}

TEST(ReadableNumber, GroupsThousandsOfLargeValues) {
  EXPECT_EQ(ReadableNumber(1234567.8), "1,234,568");
  EXPECT_EQ(ReadableNumber(-1234.56), "-1,235");
  EXPECT_EQ(ReadableNumber(999.96), "1,000");
  EXPECT_EQ(ReadableNumber(2e15), "2e+15");
}

TEST(ReadableNumber, NonFinite) {
  EXPECT_EQ(ReadableNumber(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(ReadableNumber(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(ReadableNumber(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(ReadableCount, GroupsThousands) {
  EXPECT_EQ(ReadableCount(0), "0");
  EXPECT_EQ(ReadableCount(999), "999");
  EXPECT_EQ(ReadableCount(1000), "1,000");
  EXPECT_EQ(ReadableCount(1234567), "1,234,567");
}

TEST(ReadablePercent, KeepsTheDecimalsAsked) {
  EXPECT_EQ(ReadablePercent(0.12345), "12.3%");
  EXPECT_EQ(ReadablePercent(0.5), "50.0%");
  EXPECT_EQ(ReadablePercent(0.001234, 2), "0.12%");
  EXPECT_EQ(ReadablePercent(12.5, 0), "1,250%");
  EXPECT_EQ(ReadablePercent(std::numeric_limits<double>::quiet_NaN()), "nan");
}

}  // namespace
}  // namespace keel
