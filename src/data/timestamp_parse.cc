#include "data/timestamp_parse.h"

#include "data/cell_text.h"

namespace keel {
namespace {

// Reads exactly `n` digits at p; false if any is not a digit.
inline bool Digits(const char* p, int n, int* out) {
  int v = 0;
  for (int i = 0; i < n; ++i) {
    const unsigned d = static_cast<unsigned char>(p[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + static_cast<int>(d);
  }
  *out = v;
  return true;
}

inline bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

inline int DaysInMonth(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  // H. Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool ParseTimestamp(std::string_view text, int64_t* micros) {
  text = TrimCell(text);
  const char* p = text.data();
  const size_t n = text.size();
  if (n < 10 || p[4] != '-' || p[7] != '-') return false;
  int year, month, day;
  if (!Digits(p, 4, &year) || !Digits(p + 5, 2, &month) || !Digits(p + 8, 2, &day)) return false;
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  int64_t seconds = DaysFromCivil(year, static_cast<unsigned>(month),
                                  static_cast<unsigned>(day)) * 86400;
  int64_t frac_micros = 0;
  size_t i = 10;
  if (i < n) {
    if (p[i] != 'T' && p[i] != 't' && p[i] != ' ') return false;
    ++i;
    int hour, minute, second = 0;
    if (i + 5 > n || p[i + 2] != ':') return false;
    if (!Digits(p + i, 2, &hour) || !Digits(p + i + 3, 2, &minute)) return false;
    if (hour > 23 || minute > 59) return false;
    i += 5;
    if (i < n && p[i] == ':') {
      if (i + 3 > n || !Digits(p + i + 1, 2, &second) || second > 60) return false;
      i += 3;
      if (i < n && (p[i] == '.' || p[i] == ',')) {
        ++i;
        const size_t start = i;
        int64_t scale = 100000;
        while (i < n && p[i] >= '0' && p[i] <= '9') {
          frac_micros += (p[i] - '0') * scale;
          scale /= 10;
          ++i;
        }
        if (i == start) return false;
      }
    }
    seconds += hour * 3600 + minute * 60 + second;
    if (i < n) {
      if ((p[i] == 'Z' || p[i] == 'z') && i + 1 == n) {
        i = n;
      } else if (p[i] == '+' || p[i] == '-') {
        const int sign = p[i] == '-' ? -1 : 1;
        ++i;
        int zh, zm = 0;
        if (i + 2 > n || !Digits(p + i, 2, &zh)) return false;
        i += 2;
        if (i < n && p[i] == ':') ++i;
        if (i < n) {
          if (i + 2 != n || !Digits(p + i, 2, &zm)) return false;
          i += 2;
        }
        if (zh > 23 || zm > 59) return false;
        seconds -= sign * (zh * 3600 + zm * 60);
      } else {
        return false;
      }
    }
  }
  if (i != n) return false;
  *micros = seconds * 1000000 + frac_micros;
  return true;
}

}  // namespace keel
