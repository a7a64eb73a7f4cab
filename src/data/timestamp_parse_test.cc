#include "data/timestamp_parse.h"

#include <gtest/gtest.h>

#include <ctime>

namespace keel {
namespace {

// Independent reference: timegm from the C library.
int64_t Reference(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm)) * 1000000;
}

int64_t Parse(std::string_view s) {
  int64_t t = 0;
  EXPECT_TRUE(ParseTimestamp(s, &t)) << s;
  return t;
}

TEST(ParseTimestamp, DatesAndDateTimesMatchTimegm) {
  EXPECT_EQ(Parse("1970-01-01"), 0);
  EXPECT_EQ(Parse("2024-01-01"), Reference(2024, 1, 1));
  EXPECT_EQ(Parse("2024-02-29T12:34:56"), Reference(2024, 2, 29, 12, 34, 56));
  EXPECT_EQ(Parse("2017-12-31 23:52:35"), Reference(2017, 12, 31, 23, 52, 35));
  EXPECT_EQ(Parse("1969-07-20T20:17"), Reference(1969, 7, 20, 20, 17));
  EXPECT_EQ(Parse("2000-03-01T00:00:00Z"), Reference(2000, 3, 1));
  EXPECT_EQ(Parse(" 2024-01-01T00:00:52.220Z "), Reference(2024, 1, 1, 0, 0, 52) + 220000);
}

TEST(ParseTimestamp, BruteForceEveryDayOfFourCenturies) {
  for (int y = 1900; y <= 2300; y += 1) {
    for (int m = 1; m <= 12; ++m) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, 28);
      ASSERT_EQ(Parse(buf), Reference(y, m, 28)) << buf;
    }
  }
}

TEST(ParseTimestamp, ZonesAndFractions) {
  EXPECT_EQ(Parse("2024-01-01T10:00:00+02:00"), Reference(2024, 1, 1, 8));
  EXPECT_EQ(Parse("2024-01-01T10:00:00-0530"), Reference(2024, 1, 1, 15, 30));
  EXPECT_EQ(Parse("2024-01-01T10:00:00+01"), Reference(2024, 1, 1, 9));
  EXPECT_EQ(Parse("2024-01-01T10:00:00.5"), Reference(2024, 1, 1, 10) + 500000);
  EXPECT_EQ(Parse("2024-01-01T10:00:00,123456789Z"), Reference(2024, 1, 1, 10) + 123456);
}

TEST(ParseTimestamp, RejectsInvalidCalendarAndSyntax) {
  int64_t t;
  for (const char* s : {"", "2024", "2024-1-01", "2024-13-01", "2023-02-29", "2024-04-31",
                        "2024-00-10", "2024-01-01T24:00:00", "2024-01-01T10:60", "2024-01-01T10",
                        "2024-01-01X10:00", "2024-01-01T10:00:00.", "2024-01-01T10:00:00+2",
                        "2024-01-01T10:00:00Zjunk", "01/02/2024", "abc", "2024-01-01 x"}) {
    EXPECT_FALSE(ParseTimestamp(s, &t)) << s;
  }
}

}  // namespace
}  // namespace keel
