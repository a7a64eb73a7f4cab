// A set of stream sequence numbers kept as disjoint, non-adjacent closed ranges, so the
// sequences a NATS consumer scored (mostly consecutive) take a few ranges whatever their count.
// The merged drift view (pane_profiles.h) uses it to count each event once and to know which
// events are still unaccounted for. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>

#include "keel/status.h"

namespace keel::drift {

class SequenceSet {
 public:
  // Adds lo..hi (inclusive, lo <= hi); returns how many of them were not in the set.
  uint64_t InsertRange(uint64_t lo, uint64_t hi);
  uint64_t Insert(uint64_t s) { return InsertRange(s, s); }
  void InsertAll(const SequenceSet& other);

  bool Contains(uint64_t s) const;
  // Whether every sequence of `other` is in the set (true for an empty `other`).
  bool ContainsAll(const SequenceSet& other) const;
  // Whether some sequence of `other` is in the set.
  bool Intersects(const SequenceSet& other) const;
  // The smallest sequence >= from that is not in the set.
  uint64_t FirstMissing(uint64_t from) const;

  bool empty() const { return ranges_.empty(); }
  uint64_t min() const { return ranges_.begin()->first; }  // requires !empty()
  uint64_t max() const { return ranges_.rbegin()->second; }
  uint64_t size() const;                                                  // sequences in the set
  const std::map<uint64_t, uint64_t>& ranges() const { return ranges_; }  // lo -> hi

  // [[lo, hi], ...] in ascending order.
  nlohmann::json ToJson() const;
  // Errors: Corrupt for anything but an array of [lo, hi] pairs of unsigned integers, lo <= hi.
  static Result<SequenceSet> FromJson(const nlohmann::json& j);

  bool operator==(const SequenceSet&) const = default;

 private:
  std::map<uint64_t, uint64_t> ranges_;
};

}  // namespace keel::drift
