#include "drift/sequence_set.h"

#include <algorithm>
#include <iterator>

namespace keel::drift {

uint64_t SequenceSet::InsertRange(const uint64_t lo, const uint64_t hi) {
  // The ranges that overlap or touch lo..hi are replaced by their union with it.
  uint64_t covered = 0;  // of lo..hi, already in the set
  uint64_t new_lo = lo, new_hi = hi;
  auto it = ranges_.upper_bound(lo);
  if (it != ranges_.begin() && std::prev(it)->second + 1 >= lo) --it;
  while (it != ranges_.end() && it->first <= hi + 1) {
    const uint64_t a = std::max(it->first, lo), b = std::min(it->second, hi);
    if (a <= b) covered += b - a + 1;
    new_lo = std::min(new_lo, it->first);
    new_hi = std::max(new_hi, it->second);
    it = ranges_.erase(it);
  }
  ranges_.emplace(new_lo, new_hi);
  return (hi - lo + 1) - covered;
}

void SequenceSet::InsertAll(const SequenceSet& other) {
  for (const auto& [lo, hi] : other.ranges_) InsertRange(lo, hi);
}

bool SequenceSet::Contains(uint64_t s) const {
  auto it = ranges_.upper_bound(s);
  return it != ranges_.begin() && std::prev(it)->second >= s;
}

bool SequenceSet::ContainsAll(const SequenceSet& other) const {
  for (const auto& [lo, hi] : other.ranges_) {
    auto it = ranges_.upper_bound(lo);
    if (it == ranges_.begin() || std::prev(it)->second < hi) return false;
  }
  return true;
}

bool SequenceSet::Intersects(const SequenceSet& other) const {
  for (const auto& [lo, hi] : other.ranges_) {
    auto it = ranges_.upper_bound(hi);  // ranges starting at or before hi precede it
    if (it != ranges_.begin() && std::prev(it)->second >= lo) return true;
  }
  return false;
}

uint64_t SequenceSet::FirstMissing(uint64_t from) const {
  auto it = ranges_.upper_bound(from);
  if (it != ranges_.begin() && std::prev(it)->second >= from) return std::prev(it)->second + 1;
  return from;
}

uint64_t SequenceSet::size() const {
  uint64_t n = 0;
  for (const auto& [lo, hi] : ranges_) n += hi - lo + 1;
  return n;
}

nlohmann::json SequenceSet::ToJson() const {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [lo, hi] : ranges_) j.push_back({lo, hi});
  return j;
}

Result<SequenceSet> SequenceSet::FromJson(const nlohmann::json& j) {
  if (!j.is_array()) return Status::Corrupt("sequence ranges: not an array");
  SequenceSet s;
  for (const auto& r : j) {
    if (!r.is_array() || r.size() != 2 || !r[0].is_number_unsigned() ||
        !r[1].is_number_unsigned() || r[0].get<uint64_t>() > r[1].get<uint64_t>()) {
      return Status::Corrupt("sequence ranges: {} is no [lo, hi] pair", r.dump());
    }
    s.InsertRange(r[0].get<uint64_t>(), r[1].get<uint64_t>());
  }
  return s;
}

}  // namespace keel::drift
