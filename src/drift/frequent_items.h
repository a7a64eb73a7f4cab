// Misra-Gries frequent-items summary: bounded memory counts of the most frequent strings.
//
// With capacity k, at most k items keep a counter after each prune. A stored count
// underestimates the item's true count by at most max_error(), and any item not stored
// occurred at most max_error() times, where max_error() <= (total - sum of stored counts)
// / (k + 1) (Misra and Gries 1982; mergeable as shown by Agarwal et al. 2012: merging sums the
// counters and prunes, keeping the same bound). While no more than k distinct items were seen
// nothing is pruned and every count is exact (max_error() == 0).
//
// Not thread-safe; merge per-thread summaries.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "keel/status.h"

namespace keel::drift {

class FrequentItems {
 public:
  static constexpr uint32_t kDefaultCapacity = 1000;

  explicit FrequentItems(uint32_t capacity = kDefaultCapacity);

  void Add(std::string_view item, uint64_t weight = 1);
  void Merge(const FrequentItems& other);

  uint32_t capacity() const { return capacity_; }
  uint64_t total() const { return total_; }
  uint64_t max_error() const { return offset_ + PendingCut(); }
  bool empty() const { return total_ == 0; }

  // Stored items with their (lower-bound) counts, largest first, ties by name; at most
  // capacity() entries.
  std::vector<std::pair<std::string, uint64_t>> Items() const;

  // {"capacity", "total", "max_error", "items": [[name, count], ...]}.
  nlohmann::json ToJson() const;
  // Errors: Corrupt naming `context` on a malformed object.
  static Result<FrequentItems> FromJson(const nlohmann::json& j, std::string_view context);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Keeps the `capacity_` largest counters, subtracting the (capacity_+1)-th largest count.
  void Prune();
  // The count a prune would subtract now (0 while at most capacity_ counters exist): Add
  // prunes lazily, so readers apply it virtually.
  uint64_t PendingCut() const;

  uint32_t capacity_;
  uint64_t total_ = 0;
  uint64_t offset_ = 0;  // total decrement applied to every counter so far
  std::unordered_map<std::string, uint64_t, Hash, std::equal_to<>> counts_;
};

}  // namespace keel::drift
