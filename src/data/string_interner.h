// StringInterner: text -> dense id (0, 1, 2, ... in order of first insertion), the building
// block of category dictionaries. Open addressing with linear probing over 32-bit slots;
// keys are views the caller keeps alive (the mapped file or a StringArena), so interning a
// known key allocates nothing. Not thread-safe: each worker interns into its own instance and
// the results are merged in a fixed order, which keeps ids deterministic.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace keel {

class StringInterner {
 public:
  // GCC/Clang 128-bit integer; __extension__ keeps -Wpedantic quiet.
  __extension__ typedef unsigned __int128 Uint128;

  StringInterner() { Rehash(16); }

  // A key's identity for the table: its hash, and for keys of up to 16 bytes the key itself
  // as two overlapping 64-bit words, so a lookup compares words instead of re-reading the key
  // from wherever it lives (a cache miss into a large input). Longer keys use XXH3 and memcmp.
  struct Probe {
    uint64_t hash = 0;
    uint64_t w0 = 0;
    uint64_t w1 = 0;
    uint64_t size = 0;
  };

  static Probe MakeProbe(std::string_view key) {
    Probe p;
    const size_t n = key.size();
    p.size = n;
    if (n > 16) {
      p.hash = LongHash(key);
      return p;
    }
    const char* d = key.data();
    if (n >= 8) {
      std::memcpy(&p.w0, d, 8);
      std::memcpy(&p.w1, d + n - 8, 8);
    } else if (n >= 4) {
      uint32_t x, y;
      std::memcpy(&x, d, 4);
      std::memcpy(&y, d + n - 4, 4);
      p.w0 = x;
      p.w1 = y;
    } else if (n > 0) {
      p.w0 = static_cast<uint64_t>(static_cast<unsigned char>(d[0])) |
             static_cast<uint64_t>(static_cast<unsigned char>(d[n / 2])) << 8 |
             static_cast<uint64_t>(static_cast<unsigned char>(d[n - 1])) << 16;
    }
    const Uint128 m = static_cast<Uint128>(p.w0 ^ 0x9E3779B97F4A7C15ULL) *
                      (p.w1 ^ (0xC2B2AE3D27D4EB4FULL + n));
    p.hash = static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
    return p;
  }
  static uint64_t Hash(std::string_view key) { return MakeProbe(key).hash; }

  // The id of `key`, inserting it if new (then *inserted is set and the table keeps the view
  // `key`; replace it with SetKey if it is not stable).
  int32_t Intern(std::string_view key, const Probe& probe, bool* inserted = nullptr) {
    size_t i = probe.hash & mask_;
    for (;;) {
      const uint32_t slot = slots_[i];
      if (slot == 0) break;
      if (Matches(slot - 1, key, probe)) {
        if (inserted != nullptr) *inserted = false;
        return static_cast<int32_t>(slot - 1);
      }
      i = (i + 1) & mask_;
    }
    const auto id = static_cast<uint32_t>(keys_.size());
    keys_.push_back(key);
    entries_.push_back(probe);
    slots_[i] = id + 1;
    if (keys_.size() * 2 > slots_.size()) Rehash(slots_.size() * 2);
    if (inserted != nullptr) *inserted = true;
    return static_cast<int32_t>(id);
  }
  int32_t Intern(std::string_view key) { return Intern(key, MakeProbe(key)); }

  // The id of `key`, or -1.
  int32_t Find(std::string_view key, const Probe& probe) const {
    size_t i = probe.hash & mask_;
    for (;;) {
      const uint32_t slot = slots_[i];
      if (slot == 0) return -1;
      if (Matches(slot - 1, key, probe)) return static_cast<int32_t>(slot - 1);
      i = (i + 1) & mask_;
    }
  }
  int32_t Find(std::string_view key) const { return Find(key, MakeProbe(key)); }

  // Points entry `id` at another view of the same text (e.g. a stable copy).
  void SetKey(size_t id, std::string_view key) { keys_[id] = key; }

  size_t size() const { return keys_.size(); }
  std::string_view key(size_t id) const { return keys_[id]; }
  const Probe& probe(size_t id) const { return entries_[id]; }
  const std::vector<std::string_view>& keys() const { return keys_; }

 private:
  bool Matches(uint32_t id, std::string_view key, const Probe& p) const {
    const Probe& e = entries_[id];
    if (e.hash != p.hash || e.size != p.size) return false;
    if (p.size <= 16) return e.w0 == p.w0 && e.w1 == p.w1;
    return std::memcmp(keys_[id].data(), key.data(), key.size()) == 0;
  }
  static uint64_t LongHash(std::string_view key);
  void Rehash(size_t slots);

  std::vector<uint32_t> slots_;  // id + 1; 0 = empty
  std::vector<std::string_view> keys_;
  std::vector<Probe> entries_;
  size_t mask_ = 0;
};

// Stable storage for strings whose views must outlive a temporary (unescaped CSV fields,
// JSON strings): copies live until the arena is destroyed. Move-only.
class StringArena {
 public:
  StringArena() = default;
  StringArena(StringArena&&) noexcept = default;
  StringArena& operator=(StringArena&&) noexcept = default;
  StringArena(const StringArena&) = delete;
  StringArena& operator=(const StringArena&) = delete;

  // A view of a stable copy of `s`.
  std::string_view Store(std::string_view s);

 private:
  static constexpr size_t kBlock = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks_;  // shared blocks of kBlock bytes
  std::vector<std::unique_ptr<char[]>> large_;   // one per large string
  size_t used_ = kBlock;  // bytes used in the last block
};

}  // namespace keel
