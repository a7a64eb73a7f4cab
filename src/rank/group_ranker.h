// GroupRanker: ranks the candidates of one request from their scored values.
//
// Load() takes the rows of one request, keeps those that pass every condition constraint,
// and normalises each objective over them (Normalization). Select() then scores every loaded
// candidate as sum_j weight_j * normalised_j (objectives with weight 0 are skipped, so a
// missing value there does not matter), orders by score (highest first; NaN scores last;
// ties by input order) and fills up to `top` slots greedily, skipping a candidate whose
// max_per group is already full. Load once, Select many times with different weights
// (keel tradeoff).
//
// A GroupRanker is scratch memory for one thread; its buffers grow to the largest request
// and are then reused, so ranking allocates nothing per candidate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rank/ranking_plan.h"

namespace keel::rank {

struct RankedItem {
  uint32_t row = 0;  // row in the scored table
  double score = 0;  // weighted sum of normalised objective values
};

class GroupRanker {
 public:
  GroupRanker() = default;

  // Loads the request made of `rows` (indices into `scored`, in input order). `scored` is
  // borrowed until the next Load.
  void Load(const ScoredCandidates& scored, std::span<const uint32_t> rows);

  // Candidates loaded that passed every condition.
  size_t num_eligible() const { return rows_.size(); }
  // The normalised value of objective j for the i-th eligible candidate.
  double normalized(size_t j, size_t i) const { return norm_[j * rows_.size() + i]; }

  // Ranks the loaded candidates with `weights` (one per objective) into `out` (cleared
  // first): at most `top` items (0 = every eligible candidate that the max_per caps allow),
  // best first.
  void Select(std::span<const double> weights, size_t top, std::vector<RankedItem>* out);

 private:
  const ScoredCandidates* scored_ = nullptr;
  std::vector<uint32_t> rows_;  // eligible rows
  std::vector<double> norm_;    // objective-major, rows_.size() per objective
  std::vector<double> scores_;
  std::vector<uint32_t> order_;
  std::vector<uint32_t> cap_counts_;  // per cap: cardinality entries, offset by cap_offsets_
  std::vector<size_t> cap_offsets_;
};

}  // namespace keel::rank
