#include "drift/frequent_items.h"

#include <algorithm>

#include "drift/json_count.h"

namespace keel::drift {

FrequentItems::FrequentItems(uint32_t capacity) : capacity_(std::max<uint32_t>(capacity, 1)) {}

void FrequentItems::Add(std::string_view item, uint64_t weight) {
  if (weight == 0) return;
  total_ += weight;
  auto it = counts_.find(item);
  if (it != counts_.end()) {
    it->second += weight;
    return;
  }
  counts_.emplace(std::string(item), weight);
  // Pruning only when twice full keeps Add amortised O(1); the bound holds after each prune.
  if (counts_.size() > 2 * static_cast<size_t>(capacity_)) Prune();
}

uint64_t FrequentItems::PendingCut() const {
  if (counts_.size() <= capacity_) return 0;
  std::vector<uint64_t> c;
  c.reserve(counts_.size());
  for (const auto& [k, v] : counts_) c.push_back(v);
  std::nth_element(c.begin(), c.begin() + capacity_, c.end(), std::greater<>());
  return c[capacity_];  // the (capacity+1)-th largest count
}

void FrequentItems::Prune() {
  const uint64_t cut = PendingCut();
  if (cut == 0) return;
  offset_ += cut;
  for (auto it = counts_.begin(); it != counts_.end();) {
    if (it->second <= cut) {
      it = counts_.erase(it);
    } else {
      it->second -= cut;
      ++it;
    }
  }
}

void FrequentItems::Merge(const FrequentItems& other) {
  capacity_ = std::min(capacity_, other.capacity_);
  total_ += other.total_;
  offset_ += other.offset_;
  for (const auto& [k, v] : other.counts_) {
    auto it = counts_.find(k);
    if (it != counts_.end()) {
      it->second += v;
    } else {
      counts_.emplace(k, v);
    }
  }
  Prune();
}

std::vector<std::pair<std::string, uint64_t>> FrequentItems::Items() const {
  std::vector<std::pair<std::string, uint64_t>> out(counts_.begin(), counts_.end());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (out.size() > capacity_) {
    // Not pruned yet: report what a prune would keep, with the same subtraction.
    const uint64_t cut = out[capacity_].second;
    out.resize(capacity_);
    for (auto& [k, v] : out) v -= cut;
    out.erase(std::remove_if(out.begin(), out.end(), [](const auto& p) { return p.second == 0; }),
              out.end());
  }
  return out;
}

nlohmann::json FrequentItems::ToJson() const {
  nlohmann::json items = nlohmann::json::array();
  const uint64_t err = max_error();
  for (auto& [k, v] : Items()) items.push_back(nlohmann::json::array({k, v}));
  return {{"capacity", capacity_}, {"total", total_}, {"max_error", err}, {"items", items}};
}

Result<FrequentItems> FrequentItems::FromJson(const nlohmann::json& j, std::string_view context) {
  auto bad = [&](std::string_view what) {
    return Status::Corrupt("{}: frequent-items summary {}", context, what);
  };
  if (!j.is_object()) return bad("is not a JSON object");
  for (const char* key : {"capacity", "total", "max_error"}) {
    if (!j.contains(key) || !IsCount(j[key])) {
      return bad(fmt::format("has no integer '{}'", key));
    }
  }
  if (!j.contains("items") || !j["items"].is_array()) return bad("has no 'items' array");
  const uint64_t cap = j["capacity"].get<uint64_t>();
  if (cap == 0 || cap > (1u << 24)) return bad(fmt::format("has capacity {} out of range", cap));
  FrequentItems f(static_cast<uint32_t>(cap));
  f.total_ = j["total"].get<uint64_t>();
  f.offset_ = j["max_error"].get<uint64_t>();
  uint64_t sum = 0;
  for (const auto& item : j["items"]) {
    if (!item.is_array() || item.size() != 2 || !item[0].is_string() ||
        !IsCount(item[1])) {
      return bad("has an item that is not [name, count]");
    }
    const uint64_t c = item[1].get<uint64_t>();
    sum += c;
    if (!f.counts_.emplace(item[0].get<std::string>(), c).second) {
      return bad(fmt::format("lists '{}' twice", item[0].get<std::string>()));
    }
  }
  if (f.counts_.size() > cap) return bad("holds more items than its capacity");
  if (sum > f.total_) return bad("counts add up to more than its total");
  return f;
}

}  // namespace keel::drift
