#include "data/csv_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace keel {
namespace {

// The kernel tests run once per level; a level this CPU lacks is reported as skipped (with
// the reason) rather than passing without running anything.
class CsvScanLevel : public ::testing::TestWithParam<SimdLevel> {
 protected:
  void SetUp() override {
    if (!SimdLevelSupported(GetParam())) {
      GTEST_SKIP() << "this CPU lacks the " << SimdLevelName(GetParam())
                   << " instructions (avx512 needs avx512f and avx512bw)";
    }
  }
};

INSTANTIATE_TEST_SUITE_P(Levels, CsvScanLevel,
                         ::testing::Values(SimdLevel::kScalar, SimdLevel::kSse2, SimdLevel::kAvx2,
                                           SimdLevel::kAvx512),
                         [](const ::testing::TestParamInfo<SimdLevel>& level) {
                           return std::string(SimdLevelName(level.param));
                         });

// Random CSV-ish bytes: delimiters, quotes, CR/LF and non-ASCII bytes land at every offset
// relative to the 64-byte blocks.
std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  static const char kBytes[] = {',', ';', '\t',   '|',    '"',    '\n',   '\r', ' ',
                                'a', '1', '\x80', '\xC3', '\xA9', '\xFF', '\0'};
  std::string s(n, 'x');
  for (char& c : s) {
    c = rng() % 3 == 0 ? kBytes[rng() % sizeof(kBytes)] : static_cast<char>('a' + rng() % 26);
  }
  return s;
}

uint64_t ReferenceMask(const std::string& s, size_t at, size_t n, char delimiter) {
  uint64_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s[at + i] == delimiter || s[at + i] == '\n') m |= uint64_t{1} << i;
  }
  return m;
}

TEST_P(CsvScanLevel, StopMasksEqualTheByteByByteReference) {
  std::mt19937_64 rng(1);
  const SimdLevel level = GetParam();
  const StopMaskFn fn = GetStopMaskFn(level);
  for (int trial = 0; trial < 200; ++trial) {
    const std::string s = RandomBytes(rng, 64 * 9 + 63);
    for (char delimiter : {',', ';', '\t', '|'}) {
      // Every start offset within a block: the kernels take unaligned input.
      const size_t at = static_cast<size_t>(rng() % 64);
      const size_t blocks = 1 + static_cast<size_t>(rng() % 8);
      std::vector<uint64_t> masks(blocks);
      fn(s.data() + at, blocks, delimiter, masks.data());
      for (size_t k = 0; k < blocks; ++k) {
        ASSERT_EQ(masks[k], ReferenceMask(s, at + 64 * k, 64, delimiter))
            << SimdLevelName(level) << " block " << k;
      }
      const size_t tail = static_cast<size_t>(rng() % 64);
      EXPECT_EQ(StopMaskTail(s.data() + at, tail, delimiter),
                ReferenceMask(s, at, tail, delimiter));
    }
  }
}

TEST_P(CsvScanLevel, FindNonAsciiFindsTheFirstHighByte) {
  std::mt19937_64 rng(2);
  const SimdLevel level = GetParam();
  const FindNonAsciiFn fn = GetFindNonAsciiFn(level);
  for (size_t n = 0; n < 300; ++n) {
    std::string s(n, 'a');
    EXPECT_EQ(fn(s.data(), n), n) << SimdLevelName(level);
    for (size_t at = 0; at < n; at += 1 + n / 16) {
      s[at] = static_cast<char>(0x80 | (rng() & 0x7F));
      ASSERT_EQ(fn(s.data(), n), at) << SimdLevelName(level) << " n=" << n;
      // A later high byte does not matter.
      if (at + 5 < n) s[at + 5] = '\xFF';
      ASSERT_EQ(fn(s.data(), n), at) << SimdLevelName(level);
      s.assign(n, 'a');
    }
  }
}

TEST_P(CsvScanLevel, StopScannerVisitsEveryStopInOrderFromAnyStart) {
  std::mt19937_64 rng(3);
  const SimdLevel level = GetParam();
  for (int trial = 0; trial < 100; ++trial) {
    const std::string s = RandomBytes(rng, static_cast<size_t>(rng() % 1500));
    StopScanner scanner(s.data(), s.size(), ',', GetStopMaskFn(level));
    // Walk forward from stop to stop, sometimes jumping ahead (a quoted field) and
    // sometimes back (a fresh query).
    uint64_t p = 0;
    while (p <= s.size()) {
      uint64_t want = p;
      while (want < s.size() && s[want] != ',' && s[want] != '\n') ++want;
      ASSERT_EQ(scanner.Next(p), want) << SimdLevelName(level) << " from " << p;
      if (want == s.size()) break;
      const uint64_t r = rng() % 10;
      p = r == 0 ? want + 1 + rng() % 200 : r == 1 && want > 100 ? want - 100 : want + 1;
      if (p > s.size()) p = s.size();
    }
  }
}

TEST_P(CsvScanLevel, CountLineBreaksEqualsStdCount) {
  std::mt19937_64 rng(5);
  const StopMaskFn fn = GetStopMaskFn(GetParam());
  for (int trial = 0; trial < 300; ++trial) {
    const std::string s = RandomBytes(rng, 1 + rng() % 20000);
    const size_t at = static_cast<size_t>(rng() % std::min<size_t>(64, s.size()));
    const size_t n = static_cast<size_t>(rng() % (s.size() - at + 1));
    EXPECT_EQ(CountLineBreaks(s.data() + at, n, fn),
              static_cast<size_t>(std::count(s.begin() + at, s.begin() + at + n, '\n')))
        << at << " " << n;
  }
}

TEST(CsvScan, BestLevelIsSupported) {
  EXPECT_TRUE(SimdLevelSupported(BestSimdLevel()));
  EXPECT_TRUE(SimdLevelSupported(SimdLevel::kScalar));
}

}  // namespace
}  // namespace keel
