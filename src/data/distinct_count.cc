#include "data/distinct_count.h"

#include <algorithm>
#include <cstring>

namespace keel::distinct_internal {

namespace {
constexpr size_t kFirstSlots = 1024;  // 8 KB: a column of few values stays in L1
}  // namespace

MixSet::MixSet() : slots_(new uint64_t[kFirstSlots]()), mask_(kFirstSlots - 1) {}

MixSet::~MixSet() = default;

void MixSet::Grow() {
  const size_t old_slots = mask_ + 1;
  std::unique_ptr<uint64_t[]> old = std::move(slots_);
  slots_.reset(new uint64_t[old_slots * 2]());
  mask_ = old_slots * 2 - 1;
  size_ = 0;
  for (size_t i = 0; i < old_slots; ++i) {
    if (old[i] != 0) Add(old[i]);
  }
}

uint64_t* PartitionBuffer(size_t size) {
  thread_local std::unique_ptr<uint64_t[]> buffer;
  thread_local size_t capacity = 0;
  if (capacity < size) {
    buffer.reset(new uint64_t[size]);  // not zeroed: every slot used is written first
    capacity = size;
  }
  return buffer.get();
}

uint64_t CountPartitions(const uint64_t* mixes, std::span<const size_t> begins,
                         std::span<const size_t> ends) {
  // One table for every partition, sized for the largest and cleared between them: a
  // partition holds about 1/256 of the keys, so the table fits in L2. Slots are chosen by the
  // mixes' low bits (the top bits are the partition's, the same for all of its keys).
  size_t largest = 0;
  for (size_t p = 0; p < begins.size(); ++p) largest = std::max(largest, ends[p] - begins[p]);
  size_t slots = 16;
  while (slots < largest * 2) slots *= 2;
  std::unique_ptr<uint64_t[]> table(new uint64_t[slots]);
  uint64_t distinct = 0;
  for (size_t p = 0; p < begins.size(); ++p) {
    const size_t begin = begins[p], end = ends[p];
    if (begin == end) continue;
    size_t used = 16;
    while (used < (end - begin) * 2) used *= 2;
    std::memset(table.get(), 0, used * sizeof(uint64_t));
    const size_t mask = used - 1;
    for (size_t k = begin; k < end; ++k) {
      const uint64_t mix = mixes[k];
      size_t i = static_cast<size_t>(mix) & mask;
      while (table[i] != 0 && table[i] != mix) i = (i + 1) & mask;
      if (table[i] == 0) {
        table[i] = mix;
        ++distinct;
      }
    }
  }
  return distinct;
}

}  // namespace keel::distinct_internal
