#include "drift/value_counter.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace keel::drift {
namespace {
size_t SlotOf(double v, size_t mask) {
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  return static_cast<size_t>((bits * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
}
}  // namespace

ValueCounter::ValueCounter(uint32_t limit) : limit_(limit), slots_(16) {}

void ValueCounter::Grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.count == 0) continue;
    size_t i = SlotOf(s.value, mask);
    while (slots_[i].count != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void ValueCounter::Add(double v, uint64_t count) {
  if (overflowed_ || count == 0) return;
  if (v == 0) v = 0.0;  // one key for +0 and -0
  const size_t mask = slots_.size() - 1;
  size_t i = SlotOf(v, mask);
  while (slots_[i].count != 0) {
    if (slots_[i].value == v) {
      slots_[i].count += count;
      return;
    }
    i = (i + 1) & mask;
  }
  if (size_ >= limit_) {
    MarkOverflowed();
    return;
  }
  slots_[i] = Slot{v, count};
  ++size_;
  if (2 * size_ > slots_.size()) Grow();
}

void ValueCounter::MarkOverflowed() {
  overflowed_ = true;
  size_ = 0;
  std::vector<Slot>().swap(slots_);
}

void ValueCounter::Merge(const ValueCounter& other) {
  if (overflowed_) return;
  if (other.overflowed_) {
    MarkOverflowed();
    return;
  }
  for (const Slot& s : other.slots_) {
    if (s.count != 0) Add(s.value, s.count);
    if (overflowed_) return;
  }
}

std::vector<std::pair<double, uint64_t>> ValueCounter::Sorted() const {
  std::vector<std::pair<double, uint64_t>> out;
  out.reserve(size_);
  for (const Slot& s : slots_) {
    if (s.count != 0) out.emplace_back(s.value, s.count);
  }
  std::sort(out.begin(), out.end());
  return out;
}

StepDistribution ValueCounter::ToDistribution() const {
  StepDistribution d;
  for (const auto& [v, c] : Sorted()) {
    d.values.push_back(v);
    d.weights.push_back(static_cast<double>(c));
    d.total += static_cast<double>(c);
  }
  return d;
}

}  // namespace keel::drift
