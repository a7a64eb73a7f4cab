// KLL quantile sketch (Karnin, Lang, Liberty 2016): a mergeable summary of a stream of
// numbers answering rank and quantile queries within a bounded rank error.
//
// Items live in levels; an item at level h stands for 2^h input values. When a level is
// full it is sorted and every other item (random offset) moves up a level, so memory stays
// about 3k items whatever the count. Level capacities shrink geometrically (factor 2/3) below
// the top level, as in the paper.
//
// Error bound: for any x the estimated rank of x differs from its true rank by at most
// eps * n with high probability, where eps = O(1/k) (the paper's bound for capacity ratio
// 2/3 is eps <= C sqrt(log(1/delta)) / k). RankErrorBound(k) gives the bound we test against:
// 2.5 / k (1.25% at k = 200, 0.63% at the default k = 400); quantile_sketch_test measures
// the worst error over 99 ranks and many seeds and data shapes and checks it stays under
// that bound. Until the first compaction (n < k) the sketch is exact.
//
// The random offsets come from a seeded generator, so the same input in the same order gives
// the same sketch. Not thread-safe; merge per-thread sketches instead.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "core/random.h"
#include "drift/step_distribution.h"
#include "keel/status.h"

namespace keel::drift {

class QuantileSketch {
 public:
  static constexpr uint32_t kDefaultK = 400;
  static constexpr uint32_t kMinK = 8;
  static constexpr uint32_t kMaxK = 65535;

  // k is clamped to [kMinK, kMaxK].
  explicit QuantileSketch(uint32_t k = kDefaultK);

  // Adds one value; non-finite values are ignored (callers count missing values).
  void Add(double v);
  // Adds every value of `other`. Sketches of different k merge into the smaller k.
  void Merge(const QuantileSketch& other);

  uint32_t k() const { return k_; }
  uint64_t count() const { return n_; }
  // Exact minimum and maximum of the values added (+inf / -inf when empty).
  double min() const { return min_; }
  double max() const { return max_; }
  // True while no compaction has happened: every value is retained with weight 1.
  bool is_exact() const { return levels_.size() <= 1; }
  size_t num_retained() const { return num_retained_; }

  // The retained items with their weights as a step distribution (exact = is_exact()).
  StepDistribution ToDistribution() const;
  // Estimated fraction of values <= x, in [0, 1]; 0 when empty.
  double Rank(double x) const;
  // Estimated q-quantile (0 <= q <= 1): the smallest retained item whose cumulative weight
  // reaches q * n; NaN when empty.
  double Quantile(double q) const;

  // {"k", "n", "min", "max", "levels": [[...], ...]}.
  nlohmann::json ToJson() const;
  // Errors: Corrupt naming `context` when fields are missing, of the wrong type, or the level
  // weights do not add up to n.
  static Result<QuantileSketch> FromJson(const nlohmann::json& j, std::string_view context);

  // The normalised rank error bound documented above (2.5 / k).
  static double RankErrorBound(uint32_t k) { return 2.5 / static_cast<double>(k); }

 private:
  uint32_t Capacity(size_t level) const;
  void UpdateTotalCapacity();
  size_t RecountRetained() const;
  void CompactOnce();
  void CompactLevel(size_t level);

  uint32_t k_;
  uint64_t n_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> levels_;  // levels_[h]: items of weight 2^h
  size_t num_retained_ = 0;
  size_t total_capacity_ = 0;  // sum of the level capacities
  Rng rng_;
};

}  // namespace keel::drift
