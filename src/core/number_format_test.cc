#include "core/number_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

namespace keel {
namespace {

TEST(FormatDouble, ShortestRoundTrip) {
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(1.0), "1");
  EXPECT_EQ(FormatDouble(-2.5e-10), "-2.5e-10");
  const double tricky = 0.1 + 0.2;
  EXPECT_EQ(std::strtod(FormatDouble(tricky).c_str(), nullptr), tricky);
  EXPECT_EQ(FormatDouble(tricky), "0.30000000000000004");
}

TEST(FormatDouble, NonFinite) {
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-inf");
}

}  // namespace
}  // namespace keel
