// DuplicateIndex: finds records whose bytes repeat an earlier record's, over the tokenized
// chunks of one input (table_builder.cc counts them, and drops them when asked).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "data/memory_advice.h"
#include "data/raw_chunk.h"

namespace keel {

// Exact duplicates: records with the same bytes as an earlier used record. A slot is 8 bytes
// (32 bits of the hash and the record's index over all chunks), so the table stays small;
// bytes are compared on a tag match.
class DuplicateIndex {
 public:
  DuplicateIndex(const std::vector<RawChunk>& chunks, std::string_view source, size_t expected)
      : chunks_(chunks), source_(source) {
    size_t slots = 16;
    while (slots < expected * 2) slots *= 2;
    slots_.assign(slots, kEmpty);
    mask_ = slots - 1;
    uint64_t total = 0;
    for (const auto& ch : chunks) {
      first_record_.push_back(total);
      total += ch.records.size();
    }
  }
  // The line of the earlier record equal to chunks[c].records[i], or 0 after remembering it.
  uint64_t FindOrAdd(uint32_t c, uint32_t i) {
    const RawRecord& rec = chunks_[c].records[i];
    const std::string_view bytes = source_.substr(rec.begin, rec.size);
    const auto tag = static_cast<uint32_t>(rec.hash >> 32);
    size_t k = rec.hash & mask_;
    for (;;) {
      const uint64_t slot = slots_[k];
      if (slot == kEmpty) {
        slots_[k] = uint64_t{tag} << 32 | static_cast<uint32_t>(first_record_[c] + i);
        return 0;
      }
      if (static_cast<uint32_t>(slot >> 32) == tag) {
        const uint64_t global = slot & 0xFFFFFFFFu;
        const size_t oc = static_cast<size_t>(
            std::upper_bound(first_record_.begin(), first_record_.end(), global) -
            first_record_.begin() - 1);
        const RawChunk& ch = chunks_[oc];
        const RawRecord& other = ch.records[global - first_record_[oc]];
        if (source_.substr(other.begin, other.size) == bytes) return ch.first_line + other.line;
      }
      k = (k + 1) & mask_;
    }
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  const std::vector<RawChunk>& chunks_;
  std::string_view source_;
  BufferVector<uint64_t> slots_;
  std::vector<uint64_t> first_record_;  // per chunk: index of its first record overall
  size_t mask_ = 0;
};
}  // namespace keel
