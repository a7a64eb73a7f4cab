#include "data/number_parse.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "data/cell_text.h"

namespace keel {
namespace {

// Trims, takes one sign and checks the first character of the magnitude. False when the text
// cannot be a number at all.
inline bool SplitSign(std::string_view text, char decimal, const char** begin, const char** end,
                      bool* negative) {
  const char* p = text.data();
  const char* e = p + text.size();
  // Trimming inline (rather than calling TrimCell) keeps the common untrimmed case cheap.
  while (p < e && IsCellSpace(*p)) ++p;
  while (e > p && IsCellSpace(e[-1])) --e;
  if (p == e) return false;
  *negative = false;
  if (*p == '+' || *p == '-') {
    *negative = *p == '-';
    ++p;
    if (p == e) return false;
  }
  // from_chars accepts "inf"/"nan" and a leading '-', neither of which may follow our sign.
  const char c = *p;
  if (!((c >= '0' && c <= '9') || c == decimal)) return false;
  *begin = p;
  *end = e;
  return true;
}

// from_chars on a text spelled with '.'.
inline bool FromCharsDot(const char* p, const char* end, bool negative, double* value) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(p, end, v, std::chars_format::general);
  if (ec != std::errc() || ptr != end) return false;
  if (!std::isfinite(v)) return false;
  *value = negative ? -v : v;
  return true;
}

// Longest decimal-comma text respelled on the stack; longer ones (rare) use the heap.
constexpr size_t kRespellBytes = 64;

// from_chars reads only '.': a text with another decimal mark is respelled with '.' first, and
// one holding a '.' of its own is not a number in that mode. Out of line: the '.' path never
// pays for the buffer.
[[gnu::noinline]] bool FromCharsRespelled(const char* p, const char* end, bool negative,
                                          char decimal, double* value) {
  const size_t n = static_cast<size_t>(end - p);
  char local[kRespellBytes];
  std::string heap;
  char* out = local;
  if (n > kRespellBytes) {
    heap.resize(n);
    out = heap.data();
  }
  for (size_t i = 0; i < n; ++i) {
    const char c = p[i];
    if (c == '.') return false;
    out[i] = c == decimal ? '.' : c;
  }
  return FromCharsDot(out, out + n, negative, value);
}

inline bool FromChars(const char* p, const char* end, bool negative, char decimal, double* value) {
  if (decimal == '.') [[likely]]
    return FromCharsDot(p, end, negative, value);
  return FromCharsRespelled(p, end, negative, decimal, value);
}

// Powers of ten that doubles hold exactly.
constexpr double kExactPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

inline unsigned DigitOf(char c) {
  return static_cast<unsigned>(static_cast<unsigned char>(c)) - '0';
}

constexpr uint64_t kByteOnes = 0x0101010101010101ULL;

// Whether each of the 8 bytes of x is an ASCII digit: its high nibble is 3, and adding 6 does
// not carry into the high nibble (which it does for ':' to '?').
inline bool EightDigits(uint64_t x) {
  return ((x & (kByteOnes * 0xF0)) | (((x + kByteOnes * 0x06) & (kByteOnes * 0xF0)) >> 4)) ==
         kByteOnes * 0x33;
}

// The value of 8 ASCII digits loaded little-endian (the first digit in the lowest byte), by
// combining neighbours: bytes to 2-digit values, to 4-digit values, to the 8-digit value.
inline uint64_t EightDigitsValue(uint64_t x) {
  x -= kByteOnes * '0';
  x = x * 10 + (x >> 8);  // each even byte: the 2-digit value of it and the next byte
  // 16-bit lanes 0 and 2 of x hold digits 1-2 and 5-6 (as 2-digit values); lanes 1 and 3,
  // digits 3-4 and 7-8. One multiply weighs and adds each pair into the high 32 bits.
  constexpr uint64_t kPairs = 0x000000FF000000FFULL;
  constexpr uint64_t kHigh = 100 + (uint64_t{1000000} << 32);
  constexpr uint64_t kLow = 1 + (uint64_t{10000} << 32);
  return (((x & kPairs) * kHigh) + (((x >> 16) & kPairs) * kLow)) >> 32;
}

constexpr uint64_t kPow10Int[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

}  // namespace

bool ParseNumberFromChars(std::string_view text, double* value, char decimal) {
  const char* p;
  const char* end;
  bool negative;
  if (!SplitSign(text, decimal, &p, &end, &negative)) return false;
  return FromChars(p, end, negative, decimal, value);
}

bool ParseNumber(std::string_view text, double* value, char decimal) {
  const char* const first = text.data();
  const char* p;
  const char* end;
  bool negative;
  if (!SplitSign(text, decimal, &p, &end, &negative)) return false;
  // Fast path for "digits[.digits]": the digits as one integer w and the fraction length f.
  // When w <= 2^53 and f <= 22 both w and 10^f are exact doubles, so w / 10^f rounds once:
  // exactly the correctly rounded value from_chars computes.
  const char* q = p;
  uint64_t w = 0;
  int digits = 0;
  unsigned d;
  while (q < end && (d = DigitOf(*q)) <= 9) {
    w = w * 10 + d;
    ++digits;
    ++q;
  }
  int fraction = 0;
  if (q < end && *q == decimal) {
    ++q;
    // A fraction of 1 to 8 bytes at the end of a text of at least 8: the text's last 8 bytes
    // in one load, the ones before the fraction taken as zeros, all checked and converted at
    // once (the common "0.5491472"). Anything else, and a fraction holding a non-digit, goes
    // digit by digit below; either way w, digits and fraction come out the same.
    const auto left = static_cast<size_t>(end - q);
    if (left >= 1 && left <= 8 && end - first >= 8) {
      uint64_t x;
      std::memcpy(&x, end - 8, sizeof x);
      const uint64_t before = left == 8 ? 0 : ~uint64_t{0} >> (8 * left);  // bytes not ours
      x = (x & ~before) | (kByteOnes * '0' & before);
      if (EightDigits(x)) {
        w = w * kPow10Int[left] + EightDigitsValue(x);
        fraction = static_cast<int>(left);
        q = end;
      }
    }
    while (q < end && (d = DigitOf(*q)) <= 9) {
      w = w * 10 + d;
      ++fraction;
      ++q;
    }
    digits += fraction;
  }
  if (q != end) {
    // After a mantissa only an exponent can follow; anything else leaves text from_chars
    // would not consume either.
    if (*q != 'e' && *q != 'E') return false;
    return FromChars(p, end, negative, decimal, value);
  }
  if (digits == 0 || digits > 19 || fraction > 22 || w > (uint64_t{1} << 53)) {
    return FromChars(p, end, negative, decimal, value);
  }
  const double v = static_cast<double>(w) / kExactPow10[fraction];
  *value = negative ? -v : v;
  return true;
}

bool ParseBool(std::string_view text, bool* value) {
  text = TrimCell(text);
  if (text.size() == 4 && EqualsIgnoreCase(text, "true")) {
    *value = true;
    return true;
  }
  if (text.size() == 5 && EqualsIgnoreCase(text, "false")) {
    *value = false;
    return true;
  }
  return false;
}

}  // namespace keel
