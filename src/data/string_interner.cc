#include "data/string_interner.h"

#include <cstring>

#include "core/hash.h"

namespace keel {

uint64_t StringInterner::LongHash(std::string_view key) { return FastHash(key); }

void StringInterner::Rehash(size_t slots) {
  slots_.assign(slots, 0);
  mask_ = slots - 1;
  for (size_t id = 0; id < keys_.size(); ++id) {
    size_t i = entries_[id].hash & mask_;
    while (slots_[i] != 0) i = (i + 1) & mask_;
    slots_[i] = static_cast<uint32_t>(id + 1);
  }
}

std::string_view StringArena::Store(std::string_view s) {
  if (s.empty()) return {};
  if (s.size() > kBlock / 4) {
    // Large strings get a block of their own so they do not waste the shared block.
    large_.push_back(std::make_unique<char[]>(s.size()));
    std::memcpy(large_.back().get(), s.data(), s.size());
    return {large_.back().get(), s.size()};
  }
  if (used_ + s.size() > kBlock) {
    blocks_.push_back(std::make_unique<char[]>(kBlock));
    used_ = 0;
  }
  char* dst = blocks_.back().get() + used_;
  std::memcpy(dst, s.data(), s.size());
  used_ += s.size();
  return {dst, s.size()};
}

}  // namespace keel
