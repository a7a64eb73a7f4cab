#include "train/binning.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>

#include "core/random.h"

namespace keel {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<uint32_t> AllRows(size_t n) {
  std::vector<uint32_t> r(n);
  std::iota(r.begin(), r.end(), 0u);
  return r;
}

TEST(CutBetween, StrictlyAboveLowerAndAtMostUpper) {
  Rng rng(1);
  for (int i = 0; i < 100000; ++i) {
    float a = static_cast<float>((rng.Uniform() - 0.5) * std::pow(10.0, rng.Below(20) - 10.0));
    float b = i % 3 == 0 ? std::nextafter(a, kInf)
                         : static_cast<float>(a + rng.Uniform() * std::pow(10.0, rng.Below(8) - 4.0));
    if (!(a < b)) continue;
    const float t = CutBetween(a, b);
    ASSERT_GT(t, a) << a << " " << b;
    ASSERT_LE(t, b) << a << " " << b;
  }
}

TEST(CutBetween, InfiniteEndsGiveFiniteCuts) {
  EXPECT_TRUE(std::isfinite(CutBetween(1.0f, kInf)));
  EXPECT_GT(CutBetween(1.0f, kInf), 1.0f);
  EXPECT_TRUE(std::isfinite(CutBetween(-kInf, -5.0f)));
  EXPECT_LE(CutBetween(-kInf, -5.0f), -5.0f);
  EXPECT_EQ(CutBetween(-kInf, kInf), 0.0f);
}

TEST(BinMapper, FewDistinctValuesGetOneBinEach) {
  RawFeature f;
  f.values = {3, 1, 2, 2, 1, 3, 3, kNaN};
  const BinMapper m = BinMapper::FitNumeric(f, AllRows(f.values.size()), 255);
  EXPECT_EQ(m.num_bins(), 4);  // 1, 2, 3, missing
  EXPECT_EQ(m.BinOfValue(1), 0);
  EXPECT_EQ(m.BinOfValue(2), 1);
  EXPECT_EQ(m.BinOfValue(3), 2);
  EXPECT_EQ(m.BinOfValue(kNaN), 3);
  EXPECT_EQ(m.missing_count(), 1u);
  // Values never seen still land in a bin consistent with the cuts.
  EXPECT_EQ(m.BinOfValue(-100), 0);
  EXPECT_EQ(m.BinOfValue(100), 2);
}

// The IR rule x < cut[b] must reproduce bin(x) <= b for every float, seen or not.
TEST(BinMapper, CutsReproduceBinsExactlyOnFloat32) {
  Rng rng(2);
  RawFeature f;
  for (int i = 0; i < 20000; ++i) {
    const double u = rng.Uniform();
    f.values.push_back(i % 7 == 0 ? 0.0f : static_cast<float>(std::exp(8 * u) * (u < 0.3 ? -1 : 1)));
  }
  const BinMapper m = BinMapper::FitNumeric(f, AllRows(f.values.size()), 63);
  EXPECT_LE(m.num_bins(), 64);
  EXPECT_GE(m.num_bins(), 60);
  std::vector<float> probe = f.values;
  for (int i = 0; i < 20000; ++i) probe.push_back(static_cast<float>((rng.Uniform() - 0.5) * 6000));
  for (float c : m.cuts()) {
    probe.push_back(c);
    probe.push_back(std::nextafter(c, -kInf));
  }
  for (float x : probe) {
    const int bin = m.BinOfValue(x);
    for (int b = 0; b + 1 < m.num_bins() - 1; ++b) {
      ASSERT_EQ(x < m.cuts()[static_cast<size_t>(b)], bin <= b) << "x=" << x << " b=" << b;
    }
  }
}

TEST(BinMapper, QuantileBinsHoldSimilarCounts) {
  RawFeature f;
  for (int i = 0; i < 10000; ++i) f.values.push_back(static_cast<float>(i));
  const BinMapper m = BinMapper::FitNumeric(f, AllRows(f.values.size()), 10);
  ASSERT_EQ(m.num_bins(), 11);
  std::vector<int> count(11, 0);
  for (float v : f.values) ++count[m.BinOfValue(v)];
  for (int b = 0; b < 10; ++b) {
    EXPECT_NEAR(count[static_cast<size_t>(b)], 1000, 20) << b;
  }
}

TEST(BinMapper, HeavyValueGetsItsOwnBin) {
  RawFeature f;
  for (int i = 0; i < 1000; ++i) f.values.push_back(static_cast<float>(i));
  for (int i = 0; i < 5000; ++i) f.values.push_back(0.0f);
  const BinMapper m = BinMapper::FitNumeric(f, AllRows(f.values.size()), 8);
  EXPECT_NE(m.BinOfValue(0.0f), m.BinOfValue(1.0f));
}

TEST(BinMapper, OnlyFitRowsCount) {
  RawFeature f;
  f.values = {1, 2, 3, 100, 200};
  const std::vector<uint32_t> rows = {0, 1, 2};
  const BinMapper m = BinMapper::FitNumeric(f, rows, 255);
  EXPECT_EQ(m.num_bins(), 4);
  EXPECT_EQ(m.BinOfValue(200), 2);
}

TEST(BinMapper, AllMissingNumericHasOneEmptyValueBin) {
  RawFeature f;
  f.values = {kNaN, kNaN};
  const BinMapper m = BinMapper::FitNumeric(f, AllRows(2), 255);
  EXPECT_EQ(m.num_bins(), 2);
  EXPECT_EQ(m.BinOfValue(kNaN), 1);
  EXPECT_TRUE(m.cuts().empty());
}

TEST(BinMapper, CategoricalCapsRareCategoriesIntoOther) {
  RawFeature f;
  f.categorical = true;
  f.num_codes = 6;
  // code: count  0:50 1:40 2:30 3:3 4:2 5:0, plus 5 missing
  for (int c = 0; c < 5; ++c) {
    const int n = c == 0 ? 50 : c == 1 ? 40 : c == 2 ? 30 : c == 3 ? 3 : 2;
    for (int i = 0; i < n; ++i) f.codes.push_back(c);
  }
  for (int i = 0; i < 5; ++i) f.codes.push_back(-1);
  const BinMapper m = BinMapper::FitCategorical(f, AllRows(f.codes.size()), 3);
  EXPECT_EQ(m.num_bins(), 5);  // 3 own, other, missing
  EXPECT_EQ(m.BinOfCode(0), 0);
  EXPECT_EQ(m.BinOfCode(1), 1);
  EXPECT_EQ(m.BinOfCode(2), 2);
  EXPECT_EQ(m.other_bin(), 3);
  EXPECT_EQ(m.BinOfCode(3), 3);
  EXPECT_EQ(m.BinOfCode(4), 3);
  EXPECT_EQ(m.BinOfCode(5), 4);  // never seen: missing
  EXPECT_EQ(m.BinOfCode(-1), 4);
  EXPECT_EQ(m.BinOfCode(99), 4);
  EXPECT_EQ(m.codes_of_bin(3), (std::vector<int32_t>{3, 4}));
}

TEST(BinRows, RowMajorInRequestedOrder) {
  RawFeature a;
  a.values = {10, 20, 30};
  RawFeature b;
  b.categorical = true;
  b.num_codes = 2;
  b.codes = {1, 0, -1};
  std::vector<RawFeature> feats;
  feats.push_back(std::move(a));
  feats.push_back(std::move(b));
  const std::vector<uint32_t> all = {0, 1, 2};
  std::vector<BinMapper> maps = {BinMapper::FitNumeric(feats[0], all, 255),
                                 BinMapper::FitCategorical(feats[1], all, 10)};
  const std::vector<uint32_t> order = {2, 0};
  auto m = BinRows(feats, maps, order, 2);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->rows, 2u);
  EXPECT_EQ(m->row(0)[0], maps[0].BinOfValue(30));
  EXPECT_EQ(m->row(0)[1], maps[1].missing_bin());
  EXPECT_EQ(m->row(1)[0], maps[0].BinOfValue(10));
  EXPECT_EQ(m->row(1)[1], maps[1].BinOfCode(1));
}

}  // namespace
}  // namespace keel
