// Exact count of distinct 64-bit keys (the distinct values of a column: doubles' bits, times,
// string hashes), fast at both ends: a column with few distinct values counts them in a small
// table that stays in L1; one with many (a million random doubles) has its keys partitioned by
// hash first and each partition counted in a table that fits in L2. One big table would take a
// cache miss on nearly every insert once it outgrows the caches: that made distinct counting
// a third of `keel ingest`'s time on a file of a million random numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace keel {
namespace distinct_internal {

// The 64-bit finaliser of MurmurHash3: a bijection, so keys are distinct exactly when their
// mixes are, and the mixes can be counted in place of the keys. Doubles of small integers
// differ only in their top bits; the full mix spreads them over every bit.
inline uint64_t Mix(uint64_t key) {
  key ^= key >> 33;
  key *= 0xFF51AFD7ED558CCDULL;
  key ^= key >> 33;
  key *= 0xC4CEB9FE1A85EC53ULL;
  key ^= key >> 33;
  return key;
}

// An open-addressing set of nonzero mixes (0 marks an empty slot) that doubles as it fills.
class MixSet {
 public:
  MixSet();
  ~MixSet();
  MixSet(const MixSet&) = delete;
  MixSet& operator=(const MixSet&) = delete;
  // Adds a nonzero mix.
  void Add(uint64_t mix) {
    size_t i = static_cast<size_t>(mix) & mask_;
    while (slots_[i] != 0) {
      if (slots_[i] == mix) return;
      i = (i + 1) & mask_;
    }
    slots_[i] = mix;
    if (++size_ * 2 > mask_ + 1) Grow();
  }
  size_t size() const { return size_; }

 private:
  void Grow();
  std::unique_ptr<uint64_t[]> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// Above this many distinct keys the small set gives way to the partitioned count (its table,
// at twice the keys, would leave L2).
inline constexpr size_t kSmallSetLimit = size_t{1} << 15;

inline constexpr int kPartitionBits = 8;
inline constexpr size_t kPartitions = size_t{1} << kPartitionBits;

// The distinct mixes of `mixes`, grouped by partition: partition p is [begins[p], ends[p]).
uint64_t CountPartitions(const uint64_t* mixes, std::span<const size_t> begins,
                         std::span<const size_t> ends);
// A thread-local buffer of at least `size` mixes, reused from call to call, uninitialised.
uint64_t* PartitionBuffer(size_t size);

// The distinct nonzero mixes produced by `each_mix`, at most `max_mixes` of them (0: unknown).
// With the bound, one call fills partitions of a fixed room, 5/4 of an even share: mixes are
// uniform, so only a few keys repeated very often overflow one (that call stops there).
// Without it, or when one overflows, two calls: one sizes the partitions by the mixes' top
// bits, one fills them. Like CountDistinctKeys' `add`, each_mix's returns whether to go on.
template <typename EachMix>
uint64_t CountPartitioned(EachMix each_mix, size_t max_mixes) {
  size_t begins[kPartitions], next[kPartitions];
  if (max_mixes > 0) {
    const size_t room = max_mixes / kPartitions + max_mixes / (4 * kPartitions) + 64;
    uint64_t* buffer = PartitionBuffer(room * kPartitions);
    for (size_t p = 0; p < kPartitions; ++p) begins[p] = next[p] = p * room;
    bool overflow = false;
    each_mix([&](uint64_t mix) {
      const size_t p = static_cast<size_t>(mix >> (64 - kPartitionBits));
      if (next[p] == begins[p] + room) [[unlikely]] {
        overflow = true;
        return false;
      }
      buffer[next[p]++] = mix;
      return true;
    });
    if (!overflow) {
      return CountPartitions(buffer, std::span<const size_t>(begins, kPartitions),
                             std::span<const size_t>(next, kPartitions));
    }
  }
  size_t starts[kPartitions + 1] = {};
  each_mix([&](uint64_t mix) {
    ++starts[1 + (mix >> (64 - kPartitionBits))];
    return true;
  });
  for (size_t p = 0; p < kPartitions; ++p) starts[p + 1] += starts[p];
  uint64_t* buffer = PartitionBuffer(starts[kPartitions]);
  for (size_t p = 0; p < kPartitions; ++p) next[p] = starts[p];
  each_mix([&](uint64_t mix) {
    buffer[next[mix >> (64 - kPartitionBits)]++] = mix;
    return true;
  });
  return CountPartitions(buffer, std::span<const size_t>(starts, kPartitions),
                         std::span<const size_t>(starts + 1, kPartitions));
}

}  // namespace distinct_internal

// The number of distinct keys `each_key` produces. each_key(add) must call add(uint64_t key)
// for every key in the same order each time, and stop as soon as add returns false (the
// first call stops once the keys are known to be many). It is called once when there are at
// most kSmallSetLimit distinct keys, two or three times when there are more (two when
// `max_keys`, an upper bound on the keys it produces, is given and they are not very skewed).
template <typename EachKey>
uint64_t CountDistinctKeys(EachKey each_key, size_t max_keys = 0) {
  using distinct_internal::Mix;
  bool zero = false;  // the key 0 (mix 0, the empty-slot mark) is counted on the side
  distinct_internal::MixSet small;
  bool many = false;
  each_key([&](uint64_t key) {
    const uint64_t mix = Mix(key);
    if (mix == 0) {
      zero = true;
      return true;
    }
    small.Add(mix);
    many = small.size() > distinct_internal::kSmallSetLimit;
    return !many;
  });
  if (!many) return small.size() + (zero ? 1 : 0);
  const auto each_nonzero_mix = [&](auto&& add) {
    each_key([&](uint64_t key) {
      const uint64_t mix = Mix(key);
      if (mix != 0) return add(mix);
      zero = true;  // every key is seen on this path: the last pass is always a whole one
      return true;
    });
  };
  return distinct_internal::CountPartitioned(each_nonzero_mix, max_keys) + (zero ? 1 : 0);
}

}  // namespace keel
