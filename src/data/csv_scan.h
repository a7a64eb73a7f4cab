// Byte-class scans of CSV text with SIMD: where unquoted fields end, and where non-ASCII bytes
// start. The tokenizer's hot loop finds field ends by counting trailing zeros in these masks
// instead of testing every byte.
//
// Every kernel exists in a portable scalar form and, on x86-64, in SSE2, AVX2 and AVX-512BW
// forms compiled with per-function target attributes; the best one the CPU supports is chosen
// once at run time (BestSimdLevel), so the binary still runs on any x86-64 (or other) CPU.
// All functions are pure and thread-safe, and read only the bytes they are given.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keel {

enum class SimdLevel : uint8_t { kScalar, kSse2, kAvx2, kAvx512 };

// The widest level this CPU runs; KEEL_SIMD=scalar|sse2|avx2|avx512 in the environment caps it
// (for measurements; a level the CPU lacks is never chosen). Computed once.
SimdLevel BestSimdLevel();
std::string_view SimdLevelName(SimdLevel level);
// Whether `level` runs on this CPU.
bool SimdLevelSupported(SimdLevel level);

// Stop masks of `blocks` 64-byte blocks at data (reads exactly 64 * blocks bytes): bit i of
// masks[k] is set when data[64 * k + i] is `delimiter` or '\n', the bytes that end an unquoted
// field.
using StopMaskFn = void (*)(const char* data, size_t blocks, char delimiter, uint64_t* masks);

// The kernel of `level` (which must be supported).
StopMaskFn GetStopMaskFn(SimdLevel level);

// The same mask for the n < 64 bytes at data (bits n..63 clear).
uint64_t StopMaskTail(const char* data, size_t n, char delimiter);

// Offset of the first byte >= 0x80 in data[0, n), or n when all are ASCII.
using FindNonAsciiFn = size_t (*)(const char* data, size_t n);
FindNonAsciiFn GetFindNonAsciiFn(SimdLevel level);

// The '\n' bytes in data[0, n), counted from the stop masks of `fn` (a StopMaskFn given '\n'
// as the delimiter marks exactly the line breaks).
size_t CountLineBreaks(const char* data, size_t n, StopMaskFn fn);

// Finds the next stop byte (delimiter or '\n') of a text at or after a position, from masks
// computed a window of blocks at a time. Positions only move forward in the common case; a
// position outside the current window refills it. Not thread-safe (one per worker).
class StopScanner {
 public:
  // Scans data[0, limit).
  StopScanner(const char* data, uint64_t limit, char delimiter, StopMaskFn fn)
      : data_(data), limit_(limit), delimiter_(delimiter), fn_(fn) {}

  // The first position >= p holding a stop byte, or limit when there is none.
  uint64_t Next(uint64_t p) {
    for (;;) {
      if (p >= limit_) return limit_;
      if (p >= window_ && p < window_end_) {
        const uint64_t rel = p - window_;
        size_t k = static_cast<size_t>(rel >> 6);
        uint64_t m = masks_[k] & (~uint64_t{0} << (rel & 63));
        for (;;) {
          if (m != 0) {
            return window_ + (uint64_t{k} << 6) + static_cast<uint64_t>(__builtin_ctzll(m));
          }
          if (++k == blocks_) break;
          m = masks_[k];
        }
        p = window_end_;
        continue;
      }
      Fill(p);
    }
  }

 private:
  static constexpr size_t kWindowBlocks = 8;

  void Fill(uint64_t p) {
    window_ = p;
    const uint64_t left = limit_ - p;
    if (left >= 64) {
      blocks_ = static_cast<size_t>(std::min<uint64_t>(kWindowBlocks, left >> 6));
      fn_(data_ + p, blocks_, delimiter_, masks_);
      window_end_ = p + (uint64_t{blocks_} << 6);
    } else {
      blocks_ = 1;
      masks_[0] = StopMaskTail(data_ + p, static_cast<size_t>(left), delimiter_);
      window_end_ = limit_;
    }
  }

  const char* data_;
  uint64_t limit_;
  char delimiter_;
  StopMaskFn fn_;
  uint64_t window_ = 0;
  uint64_t window_end_ = 0;  // empty until the first Fill
  size_t blocks_ = 0;
  uint64_t masks_[kWindowBlocks] = {};
};

}  // namespace keel
