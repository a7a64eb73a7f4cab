#include "train/split_finder.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace keel {
namespace {

inline double ThresholdL1(double g, double l1) {
  if (l1 <= 0) return g;
  if (g > l1) return g - l1;
  if (g < -l1) return g + l1;
  return 0.0;
}

inline double Score(double g, double h, double l1, double l2) {
  const double t = ThresholdL1(g, l1);
  return t * t / (h + l2);
}

// The loss reduction of giving a node of sums (g, h) the output w: -(2 T(g) w + (h + l2) w^2).
// At the optimum w = -T(g) / (h + l2) it equals Score.
inline double GainGivenOutput(double g, double h, double l1, double l2, double w) {
  return -(2.0 * ThresholdL1(g, l1) * w + (h + l2) * w * w);
}

inline double Output(double g, double h, double l1, double l2) {
  const double denom = h + l2;
  if (!(denom > 0)) return 0.0;
  return -ThresholdL1(g, l1) / denom;
}

// Scores a candidate pair of children under `k`. Unconstrained: the plain scores (so models
// trained without constraints are unchanged to the bit). Constrained: the scores of the clamped
// outputs; false when the outputs break the monotone direction.
inline bool ScoreChildren(const NodeStats& left, const NodeStats& right, double l1, double l2,
                          const OutputConstraint& k, double* score) {
  if (!k.active()) {
    *score = Score(left.g, left.h, l1, l2) + Score(right.g, right.h, l1, l2);
    return true;
  }
  const double wl = k.Clamp(Output(left.g, left.h, l1, l2));
  const double wr = k.Clamp(Output(right.g, right.h, l1, l2));
  if ((k.monotone > 0 && wl > wr) || (k.monotone < 0 && wl < wr)) return false;
  *score =
      GainGivenOutput(left.g, left.h, l1, l2, wl) + GainGivenOutput(right.g, right.h, l1, l2, wr);
  return true;
}

// The node's own score: plain, or of its clamped output when it is constrained.
inline double ParentScore(const NodeStats& s, double l1, double l2, const OutputConstraint& k) {
  if (!k.active()) return Score(s.g, s.h, l1, l2);
  return GainGivenOutput(s.g, s.h, l1, l2, k.Clamp(Output(s.g, s.h, l1, l2)));
}

inline NodeStats Minus(const NodeStats& a, const NodeStats& b) {
  return {a.g - b.g, a.h - b.h, a.n - b.n};
}

inline void AddTo(NodeStats* s, const HistBin& b) {
  s->g += b.g;
  s->h += b.h;
  s->n += b.n;
}

inline bool Allowed(const NodeStats& s, const SplitConfig& c) {
  return s.n >= c.min_data_in_leaf && s.h >= c.min_sum_hessian && s.n > 0;
}

SplitCandidate NumericSplit(int32_t feature, const BinMapper& mapper, std::span<const HistBin> hist,
                            const NodeStats& total, const SplitConfig& c,
                            const OutputConstraint& k) {
  SplitCandidate best;
  const int m = mapper.missing_bin();
  const HistBin& miss = hist[static_cast<size_t>(m)];
  const double parent = ParentScore(total, c.lambda_l1, c.lambda_l2, k);
  const int passes = miss.n > 0 ? 2 : 1;
  for (int pass = 0; pass < passes; ++pass) {
    const bool miss_left = pass == 1;
    NodeStats left;
    if (miss_left) AddTo(&left, miss);
    for (int t = 0; t + 1 < m; ++t) {
      AddTo(&left, hist[static_cast<size_t>(t)]);
      if (!Allowed(left, c)) continue;
      const NodeStats right = Minus(total, left);
      if (!Allowed(right, c)) break;
      double score = 0;
      if (!ScoreChildren(left, right, c.lambda_l1, c.lambda_l2, k, &score)) continue;
      const double gain = score - parent;
      // Strictly greater: when bins above t are empty in this node the lowest cut wins.
      if (gain > best.gain) {
        best.gain = gain;
        best.threshold_bin = t;
        best.default_left = miss_left;
        best.left = left;
        best.right = right;
      }
    }
  }
  if (!(best.gain > c.min_split_gain) || !(best.gain > 0)) return SplitCandidate{};
  best.feature = feature;
  best.categorical = false;
  // No missing values here: send future ones where most rows went.
  if (miss.n == 0) best.default_left = best.left.n >= best.right.n;
  return best;
}

SplitCandidate CategoricalSplit(int32_t feature, const BinMapper& mapper,
                                std::span<const HistBin> hist, const NodeStats& total,
                                const SplitConfig& c, const OutputConstraint& k) {
  SplitCandidate best;
  const int m = mapper.missing_bin();
  const HistBin& miss = hist[static_cast<size_t>(m)];
  std::vector<int> used;
  for (int b = 0; b < m; ++b) {
    if (hist[static_cast<size_t>(b)].n > 0) used.push_back(b);
  }
  if (used.size() < 2 && miss.n == 0) return best;
  const double parent = ParentScore(total, c.lambda_l1, c.lambda_l2, k);
  const int passes = miss.n > 0 ? 2 : 1;

  if (static_cast<int>(used.size()) <= c.max_cat_to_onehot) {
    for (int b : used) {
      for (int pass = 0; pass < passes; ++pass) {
        const bool miss_left = pass == 1;
        NodeStats left;
        AddTo(&left, hist[static_cast<size_t>(b)]);
        if (miss_left) AddTo(&left, miss);
        const NodeStats right = Minus(total, left);
        if (!Allowed(left, c) || !Allowed(right, c)) continue;
        double score = 0;
        if (!ScoreChildren(left, right, c.lambda_l1, c.lambda_l2, k, &score)) continue;
        const double gain = score - parent;
        if (gain > best.gain) {
          best.gain = gain;
          best.left_bins.reset();
          best.left_bins.set(static_cast<size_t>(b));
          best.default_left = miss_left;
          best.left = left;
          best.right = right;
        }
      }
    }
  } else {
    // Many-vs-many: order the well-populated categories by their gradient ratio, then the
    // best split is a prefix of that order taken from either end.
    std::vector<int> cands;
    for (int b : used) {
      if (hist[static_cast<size_t>(b)].n >= c.min_data_per_group) cands.push_back(b);
    }
    auto ratio = [&](int b) {
      const HistBin& x = hist[static_cast<size_t>(b)];
      return x.g / (x.h + c.cat_smooth);
    };
    std::stable_sort(cands.begin(), cands.end(), [&](int a, int b) { return ratio(a) < ratio(b); });
    const double l2 = c.lambda_l2 + c.cat_l2;
    const size_t max_take =
        std::min<size_t>(static_cast<size_t>(c.max_cat_threshold), (cands.size() + 1) / 2);
    for (int dir = 0; dir < 2; ++dir) {
      for (int pass = 0; pass < passes; ++pass) {
        const bool miss_left = pass == 1;
        NodeStats left;
        if (miss_left) AddTo(&left, miss);
        for (size_t i = 0; i < max_take && i < cands.size(); ++i) {
          const int b = dir == 0 ? cands[i] : cands[cands.size() - 1 - i];
          AddTo(&left, hist[static_cast<size_t>(b)]);
          if (!Allowed(left, c)) continue;
          const NodeStats right = Minus(total, left);
          if (!Allowed(right, c)) break;
          double score = 0;
          if (!ScoreChildren(left, right, c.lambda_l1, l2, k, &score)) continue;
          const double gain = score - parent;
          if (gain > best.gain) {
            best.gain = gain;
            best.left_bins.reset();
            for (size_t j = 0; j <= i; ++j) {
              best.left_bins.set(
                  static_cast<size_t>(dir == 0 ? cands[j] : cands[cands.size() - 1 - j]));
            }
            best.default_left = miss_left;
            best.left = left;
            best.right = right;
          }
        }
      }
    }
  }
  if (!(best.gain > c.min_split_gain) || !(best.gain > 0)) return SplitCandidate{};
  best.feature = feature;
  best.categorical = true;
  if (miss.n == 0) best.default_left = best.left.n >= best.right.n;
  return best;
}

}  // namespace

double LeafValue(const NodeStats& s, const SplitConfig& c) {
  return Output(s.g, s.h, c.lambda_l1, c.lambda_l2);
}

SplitCandidate FindBestSplit(int32_t feature, const BinMapper& mapper,
                             std::span<const HistBin> hist, const NodeStats& total,
                             const SplitConfig& config, const OutputConstraint& constraint) {
  if (mapper.categorical()) {
    return CategoricalSplit(feature, mapper, hist, total, config, constraint);
  }
  return NumericSplit(feature, mapper, hist, total, config, constraint);
}

}  // namespace keel
