#include "train/histogram.h"

#include <gtest/gtest.h>

#include <numeric>

#include "core/random.h"

namespace keel {
namespace {

struct Fixture {
  BinnedMatrix bins;
  std::vector<GradPair> grads;
  HistogramLayout layout;
};

// Random bins for `cols` features with `nbins` bins each, and random gradients.
Fixture MakeData(size_t rows, size_t cols, uint32_t nbins, uint64_t seed) {
  Fixture f;
  Rng rng(seed);
  f.bins.rows = rows;
  f.bins.cols = cols;
  f.bins.bins.resize(rows * cols);
  for (auto& b : f.bins.bins) b = static_cast<uint8_t>(rng.Below(nbins));
  f.grads.resize(rows);
  for (auto& g : f.grads) {
    g.g = static_cast<float>(rng.Uniform() * 2 - 1);
    g.h = static_cast<float>(rng.Uniform());
  }
  f.layout.offsets.resize(cols + 1);
  for (size_t c = 0; c <= cols; ++c) f.layout.offsets[c] = static_cast<uint32_t>(c * nbins);
  return f;
}

std::vector<HistBin> BruteForce(const Fixture& f, const std::vector<uint32_t>& rows) {
  std::vector<HistBin> h(f.layout.total_bins());
  for (uint32_t r : rows) {
    for (size_t c = 0; c < f.bins.cols; ++c) {
      HistBin& cell = h[f.layout.offsets[c] + f.bins.row(r)[c]];
      cell.g += f.grads[r].g;
      cell.h += f.grads[r].h;
      cell.n += 1;
    }
  }
  return h;
}

void ExpectNear(const std::vector<HistBin>& a, std::span<const HistBin> b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_NEAR(a[i].g, b[i].g, tol) << "cell " << i;
    EXPECT_NEAR(a[i].h, b[i].h, tol) << "cell " << i;
    EXPECT_EQ(a[i].n, b[i].n) << "cell " << i;
  }
}

TEST(Histogram, BuildMatchesBruteForceForAllRowsAndRowLists) {
  Fixture f = MakeData(50000, 7, 37, 1);
  for (int threads : {1, 2, 3}) {
    HistogramBuilder b(f.layout, threads);
    std::vector<HistBin> out(f.layout.total_bins());
    ASSERT_TRUE(b.Build(f.bins, f.grads, {}, true, out).ok());
    std::vector<uint32_t> all(f.bins.rows);
    std::iota(all.begin(), all.end(), 0u);
    ExpectNear(BruteForce(f, all), out, 1e-6);

    std::vector<uint32_t> some;
    for (uint32_t r = 0; r < f.bins.rows; r += 3) some.push_back(r);
    ASSERT_TRUE(b.Build(f.bins, f.grads, some, false, out).ok());
    ExpectNear(BruteForce(f, some), out, 1e-6);
  }
}

// Row lists too short to split by rows are split by features across the workers: every cell
// then sums its rows in the same order as one worker does, so the sums are equal bit for bit.
TEST(Histogram, RowListBuildsDoNotDependOnTheThreadCount) {
  Fixture f = MakeData(20000, 9, 61, 5);
  std::vector<uint32_t> rows;
  for (uint32_t r = 0; r < f.bins.rows; r += 2) rows.push_back(r);
  HistogramBuilder one(f.layout, 1);
  std::vector<HistBin> want(f.layout.total_bins());
  ASSERT_TRUE(one.Build(f.bins, f.grads, rows, false, want).ok());
  for (int threads : {2, 3, 4}) {
    HistogramBuilder b(f.layout, threads);
    std::vector<HistBin> got(f.layout.total_bins());
    ASSERT_TRUE(b.Build(f.bins, f.grads, rows, false, got).ok());
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_EQ(want[i].g, got[i].g) << threads << " threads, cell " << i;
      ASSERT_EQ(want[i].h, got[i].h) << threads << " threads, cell " << i;
      ASSERT_EQ(want[i].n, got[i].n) << threads << " threads, cell " << i;
    }
  }
}

// Integer histograms hold the exact sums of the quantized gradients: the same as a brute-force
// count and as the double histogram of the same (integer-valued) gradients, for any thread count.
TEST(Histogram, QuantizedBuildIsExactAndMatchesTheDoubleBuild) {
  Fixture f = MakeData(40000, 6, 29, 9);
  Rng rng(3);
  std::vector<QGradPair> q(f.bins.rows);
  for (size_t r = 0; r < q.size(); ++r) {
    q[r].g = static_cast<int16_t>(static_cast<int>(rng.Below(33)) - 16);
    q[r].h = static_cast<int16_t>(rng.Below(33));
    f.grads[r] = {static_cast<float>(q[r].g), static_cast<float>(q[r].h)};
  }
  std::vector<uint32_t> some;
  for (uint32_t r = 0; r < f.bins.rows; r += 5) some.push_back(r);
  std::vector<uint32_t> all(f.bins.rows);
  std::iota(all.begin(), all.end(), 0u);
  for (int threads : {1, 2, 3}) {
    HistogramBuilder b(f.layout, threads);
    for (bool all_rows : {true, false}) {
      const std::vector<uint32_t>& rows = all_rows ? all : some;
      std::vector<QHistBin> got(f.layout.total_bins());
      ASSERT_TRUE(
          b.BuildQuantized(f.bins, q, all_rows ? std::span<const uint32_t>{} : rows, all_rows, got)
              .ok());
      std::vector<HistBin> doubles(f.layout.total_bins());
      ASSERT_TRUE(
          b.Build(f.bins, f.grads, all_rows ? std::span<const uint32_t>{} : rows, all_rows, doubles)
              .ok());
      const std::vector<HistBin> want = BruteForce(f, rows);
      for (size_t i = 0; i < want.size(); ++i) {
        ASSERT_EQ(want[i].g, got[i].g) << threads << " threads, cell " << i;
        ASSERT_EQ(want[i].h, got[i].h) << threads << " threads, cell " << i;
        ASSERT_EQ(want[i].n, got[i].n) << threads << " threads, cell " << i;
        ASSERT_EQ(doubles[i].g, got[i].g) << threads << " threads, cell " << i;
        ASSERT_EQ(doubles[i].h, got[i].h) << threads << " threads, cell " << i;
      }
    }
  }
}

TEST(Histogram, QuantizedSiblingEqualsParentMinusChild) {
  Fixture f = MakeData(3000, 4, 13, 2);
  std::vector<QGradPair> q(f.bins.rows);
  for (size_t r = 0; r < q.size(); ++r) q[r] = {static_cast<int16_t>(r % 9 - 4), 3};
  std::vector<uint32_t> all(f.bins.rows), left, right;
  std::iota(all.begin(), all.end(), 0u);
  for (uint32_t r : all) (r % 3 == 0 ? left : right).push_back(r);
  HistogramBuilder b(f.layout, 2);
  std::vector<QHistBin> parent(f.layout.total_bins()), l(parent.size()), r(parent.size());
  ASSERT_TRUE(b.BuildQuantized(f.bins, q, all, false, parent).ok());
  ASSERT_TRUE(b.BuildQuantized(f.bins, q, left, false, l).ok());
  ASSERT_TRUE(b.BuildQuantized(f.bins, q, right, false, r).ok());
  SubtractHistogram(parent, l, parent);
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(parent[i].g, r[i].g);
    EXPECT_EQ(parent[i].h, r[i].h);
    EXPECT_EQ(parent[i].n, r[i].n);
  }
}

TEST(Histogram, SiblingEqualsParentMinusChild) {
  Fixture f = MakeData(40000, 5, 64, 2);
  HistogramBuilder b(f.layout, 2);
  std::vector<uint32_t> parent, left, right;
  Rng rng(3);
  for (uint32_t r = 0; r < f.bins.rows; ++r) {
    if (rng.Uniform() < 0.7) {
      parent.push_back(r);
      (rng.Uniform() < 0.3 ? left : right).push_back(r);
    }
  }
  const size_t nb = f.layout.total_bins();
  std::vector<HistBin> hp(nb), hl(nb), hr(nb), sub(nb);
  ASSERT_TRUE(b.Build(f.bins, f.grads, parent, false, hp).ok());
  ASSERT_TRUE(b.Build(f.bins, f.grads, left, false, hl).ok());
  ASSERT_TRUE(b.Build(f.bins, f.grads, right, false, hr).ok());
  SubtractHistogram(hp, hl, sub);
  ExpectNear(hr, sub, 1e-6);
  // In place, as the tree learner does it (the parent's buffer becomes the sibling's).
  SubtractHistogram(hp, hl, hp);
  ExpectNear(hr, hp, 1e-6);
}

TEST(Histogram, EmptyRowListGivesZeroHistogram) {
  Fixture f = MakeData(100, 3, 8, 4);
  HistogramBuilder b(f.layout, 2);
  std::vector<HistBin> out(f.layout.total_bins(), HistBin{1, 1, 1, 0});
  ASSERT_TRUE(b.Build(f.bins, f.grads, {}, false, out).ok());
  for (const HistBin& c : out) {
    EXPECT_EQ(c.g, 0);
    EXPECT_EQ(c.n, 0);
  }
}

TEST(Histogram, LayoutMismatchIsAnError) {
  Fixture f = MakeData(10, 3, 8, 5);
  HistogramBuilder b(f.layout, 1);
  std::vector<HistBin> out(5);
  EXPECT_FALSE(b.Build(f.bins, f.grads, {}, true, out).ok());
}

}  // namespace
}  // namespace keel
