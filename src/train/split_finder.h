// Best split of one tree node on one feature, from the node's histogram.
//
// Gains follow XGBoost and LightGBM: score(G, H) = T(G)^2 / (H + l2) with T the L1
// soft-threshold, gain = score(left) + score(right) - score(node), without the factor 1/2
// (so gains compare with theirs). Numeric features split "bins <= t" against the rest and
// learn where missing values go by trying both sides. Categorical features split one
// category against the rest when few categories are present, else many-vs-many: categories
// ordered by G / (H + cat_smooth), the best prefix from either end (LightGBM's method).
//
// Monotone constraints (LightGBM's "basic" method): a node may carry bounds [lower, upper] on
// its output; every candidate child's output is clamped to them and its gain computed with the
// clamped output, -(2 T(G) w + (H + l2) w^2), which equals the unclamped score when w is the
// optimum. A split on a feature constrained +1 (-1) is only allowed when its left (lower-valued)
// child's output is <= (>=) its right child's. Unconstrained nodes keep the plain formula.
#pragma once

#include <bitset>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>

#include "train/binning.h"
#include "train/histogram.h"

namespace keel {

struct NodeStats {
  double g = 0;
  double h = 0;
  double n = 0;
};

// Split limits and regularisation. No defaults of its own: the parameter table (train/params.h)
// holds them and GbdtConfigOf (train/learner_config.h) copies them in; zero only keeps a
// default-constructed config initialised.
struct SplitConfig {
  double lambda_l1 = 0;
  double lambda_l2 = 0;
  double min_data_in_leaf = 0;
  double min_sum_hessian = 0;
  double min_split_gain = 0;
  int max_cat_to_onehot = 0;
  int max_cat_threshold = 0;
  double cat_smooth = 0;
  double cat_l2 = 0;
  double min_data_per_group = 0;
};

// What constrains the outputs of one node's children: the node's output bounds and the
// monotone direction of the feature being split (+1 increasing, -1 decreasing, 0 none).
struct OutputConstraint {
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();
  int monotone = 0;

  bool active() const { return monotone != 0 || std::isfinite(lower) || std::isfinite(upper); }
  double Clamp(double w) const { return w < lower ? lower : (w > upper ? upper : w); }
};

struct SplitCandidate {
  double gain = -std::numeric_limits<double>::infinity();
  int32_t feature = -1;
  bool categorical = false;
  // Numeric: value bins <= threshold_bin go left.
  int32_t threshold_bin = -1;
  // Categorical: the value bins that go left.
  std::bitset<kMaxBinsPerFeature> left_bins;
  // Where the missing bin goes.
  bool default_left = false;
  NodeStats left;
  NodeStats right;

  bool valid() const { return feature >= 0; }
};

// Leaf value -T(G)/(H + l2) (before the learning rate).
double LeafValue(const NodeStats& s, const SplitConfig& c);

// The best split of feature `feature` given its cells `hist` (mapper.num_bins() of them) and
// the node's totals, under `constraint` (default: none). Returns an invalid candidate when no
// split satisfies the limits and the constraint or beats min_split_gain.
SplitCandidate FindBestSplit(int32_t feature, const BinMapper& mapper,
                             std::span<const HistBin> hist, const NodeStats& total,
                             const SplitConfig& config, const OutputConstraint& constraint = {});

}  // namespace keel
