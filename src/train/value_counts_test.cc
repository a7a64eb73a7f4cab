#include "train/value_counts.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

#include "train/binning.h"

namespace keel {
namespace {

TEST(ValueCounts, ExactCountsGiveFitNumericsMapper) {
  std::mt19937 rng(7);
  RawFeature raw;
  for (int i = 0; i < 200000; ++i) {
    const int v = static_cast<int>(rng() % 3000);
    raw.values.push_back(i % 50 == 0 ? NAN : v % 7 == 0 ? 0.0f : v / 8.0f - 100.0f);
  }
  raw.values[3] = -0.0f;
  std::vector<uint32_t> rows;
  for (uint32_t r = 0; r < raw.values.size(); r += 2) rows.push_back(r);
  ValueCounts vc;
  for (uint32_t r : rows) vc.Add(raw.values[r]);
  std::vector<float> values;
  std::vector<uint64_t> counts;
  const uint64_t missing = vc.missing();
  vc.Finish(&values, &counts);
  EXPECT_TRUE(vc.exact());
  const BinMapper a = BinMapper::FitNumeric(raw, rows, 255);
  const BinMapper b = BinMapper::FitNumericCounts(values, counts, missing, 255);
  EXPECT_EQ(a.cuts(), b.cuts());
  EXPECT_EQ(a.missing_count(), b.missing_count());
  EXPECT_EQ(a.value_count(), b.value_count());
  EXPECT_EQ(a.distinct(), b.distinct());
}

TEST(ValueCounts, SummaryKeepsRealValuesTotalsAndHeavyValues) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  ValueCounts vc(/*exact_limit=*/1000, /*summary_size=*/512);
  std::vector<float> all;
  for (int i = 0; i < 300000; ++i) {
    const float v = i % 10 == 0 ? 0.5f : normal(rng);  // 0.5 holds a tenth of the rows
    all.push_back(v);
    vc.Add(v);
  }
  std::vector<float> values;
  std::vector<uint64_t> counts;
  vc.Finish(&values, &counts);
  EXPECT_FALSE(vc.exact());
  EXPECT_LE(values.size(), 2u * 512);
  EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), uint64_t{0}), all.size());
  std::sort(all.begin(), all.end());
  EXPECT_TRUE(std::is_sorted(values.begin(), values.end()));
  for (size_t k = 0; k < values.size(); ++k) {
    // Every point is a value of the data, so a cut between two points lies between values.
    EXPECT_TRUE(std::binary_search(all.begin(), all.end(), values[k]));
  }
  uint64_t cum = 0;
  for (size_t k = 0; k < values.size(); ++k) {
    cum += counts[k];
    const auto rank =
        static_cast<uint64_t>(std::upper_bound(all.begin(), all.end(), values[k]) - all.begin());
    // The rows up to a point are its rank, up to a few summary steps (later values fall
    // between earlier points).
    ASSERT_NEAR(static_cast<double>(cum), static_cast<double>(rank), 3.0 * all.size() / 512)
        << "point " << k;
  }
  // 0.5 keeps a point of its own, so it gets a bin of its own, apart from its neighbours.
  const auto at = std::find(values.begin(), values.end(), 0.5f);
  ASSERT_NE(at, values.end());
  ASSERT_TRUE(at != values.begin() && at + 1 != values.end());
  const BinMapper m = BinMapper::FitNumericCounts(values, counts, 0, 255);
  EXPECT_NE(m.BinOfValue(0.5f), m.BinOfValue(*(at - 1)));
  EXPECT_NE(m.BinOfValue(0.5f), m.BinOfValue(*(at + 1)));
}

}  // namespace
}  // namespace keel
