#include "data/csv_scan.h"

#include <bit>
#include <cstdlib>
#include <cstring>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KEEL_X86 1
#endif

namespace keel {
namespace {

void StopMasksScalar(const char* data, size_t blocks, char delimiter, uint64_t* masks) {
  for (size_t k = 0; k < blocks; ++k) masks[k] = StopMaskTail(data + 64 * k, 64, delimiter);
}

size_t FindNonAsciiScalar(const char* data, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);
    if ((word & 0x8080808080808080ULL) != 0) break;
  }
  for (; i < n; ++i) {
    if (static_cast<unsigned char>(data[i]) >= 0x80) return i;
  }
  return n;
}

#ifdef KEEL_X86

__attribute__((target("sse2"))) void StopMasksSse2(const char* data, size_t blocks, char delimiter,
                                                   uint64_t* masks) {
  const __m128i d = _mm_set1_epi8(delimiter);
  const __m128i nl = _mm_set1_epi8('\n');
  for (size_t k = 0; k < blocks; ++k) {
    uint64_t m = 0;
    for (int part = 0; part < 4; ++part) {
      const __m128i x =
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 64 * k + 16 * part));
      const __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(x, d), _mm_cmpeq_epi8(x, nl));
      m |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(hit))) << (16 * part);
    }
    masks[k] = m;
  }
}

__attribute__((target("avx2"))) void StopMasksAvx2(const char* data, size_t blocks, char delimiter,
                                                   uint64_t* masks) {
  const __m256i d = _mm256_set1_epi8(delimiter);
  const __m256i nl = _mm256_set1_epi8('\n');
  for (size_t k = 0; k < blocks; ++k) {
    const char* p = data + 64 * k;
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    const auto mlo = static_cast<uint32_t>(
        _mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(lo, d), _mm256_cmpeq_epi8(lo, nl))));
    const auto mhi = static_cast<uint32_t>(
        _mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(hi, d), _mm256_cmpeq_epi8(hi, nl))));
    masks[k] = uint64_t{mhi} << 32 | mlo;
  }
}

__attribute__((target("avx512f,avx512bw"))) void StopMasksAvx512(const char* data, size_t blocks,
                                                                 char delimiter, uint64_t* masks) {
  const __m512i d = _mm512_set1_epi8(delimiter);
  const __m512i nl = _mm512_set1_epi8('\n');
  for (size_t k = 0; k < blocks; ++k) {
    const __m512i x = _mm512_loadu_si512(data + 64 * k);
    masks[k] = _mm512_cmpeq_epi8_mask(x, d) | _mm512_cmpeq_epi8_mask(x, nl);
  }
}

__attribute__((target("sse2"))) size_t FindNonAsciiSse2(const char* data, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const int m = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i)));
    if (m != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(m)));
  }
  return i + FindNonAsciiScalar(data + i, n - i);
}

__attribute__((target("avx2"))) size_t FindNonAsciiAvx2(const char* data, size_t n) {
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + 32));
    if (_mm256_movemask_epi8(_mm256_or_si256(a, b)) != 0) break;
  }
  for (; i + 32 <= n; i += 32) {
    const auto m = static_cast<uint32_t>(
        _mm256_movemask_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i))));
    if (m != 0) return i + static_cast<size_t>(__builtin_ctz(m));
  }
  return i + FindNonAsciiScalar(data + i, n - i);
}

__attribute__((target("avx512f,avx512bw"))) size_t FindNonAsciiAvx512(const char* data, size_t n) {
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const uint64_t m = _mm512_movepi8_mask(_mm512_loadu_si512(data + i));
    if (m != 0) return i + static_cast<size_t>(__builtin_ctzll(m));
  }
  return i + FindNonAsciiScalar(data + i, n - i);
}

#endif  // KEEL_X86

SimdLevel DetectSimdLevel() {
  SimdLevel best = SimdLevel::kScalar;
#ifdef KEEL_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("sse2")) best = SimdLevel::kSse2;
  if (__builtin_cpu_supports("avx2")) best = SimdLevel::kAvx2;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) {
    best = SimdLevel::kAvx512;
  }
#endif
  return best;
}

}  // namespace

uint64_t StopMaskTail(const char* data, size_t n, char delimiter) {
  uint64_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = data[i];
    m |= static_cast<uint64_t>(c == delimiter || c == '\n') << i;
  }
  return m;
}

size_t CountLineBreaks(const char* data, size_t n, StopMaskFn fn) {
  constexpr size_t kBatch = 64;  // blocks per call: 4 KiB of text, 512 bytes of masks
  uint64_t masks[kBatch];
  size_t count = 0;
  while (n >= 64) {
    const size_t blocks = std::min(kBatch, n / 64);
    fn(data, blocks, '\n', masks);
    for (size_t k = 0; k < blocks; ++k) count += static_cast<size_t>(std::popcount(masks[k]));
    data += blocks * 64;
    n -= blocks * 64;
  }
  return count + static_cast<size_t>(std::popcount(StopMaskTail(data, n, '\n')));
}

bool SimdLevelSupported(SimdLevel level) {
  static const SimdLevel detected = DetectSimdLevel();
  return static_cast<int>(level) <= static_cast<int>(detected);
}

SimdLevel BestSimdLevel() {
  static const SimdLevel chosen = [] {
    SimdLevel level = DetectSimdLevel();
    if (const char* cap = std::getenv("KEEL_SIMD")) {
      const std::string_view want(cap);
      for (SimdLevel l :
           {SimdLevel::kScalar, SimdLevel::kSse2, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
        if (want == SimdLevelName(l) && static_cast<int>(l) < static_cast<int>(level)) level = l;
      }
    }
    return level;
  }();
  return chosen;
}

std::string_view SimdLevelName(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar:
      return "scalar";
    case SimdLevel::kSse2:
      return "sse2";
    case SimdLevel::kAvx2:
      return "avx2";
    case SimdLevel::kAvx512:
      return "avx512";
  }
  return "scalar";
}

StopMaskFn GetStopMaskFn(SimdLevel level) {
#ifdef KEEL_X86
  if (SimdLevelSupported(level)) {
    switch (level) {
      case SimdLevel::kAvx512:
        return StopMasksAvx512;
      case SimdLevel::kAvx2:
        return StopMasksAvx2;
      case SimdLevel::kSse2:
        return StopMasksSse2;
      case SimdLevel::kScalar:
        break;
    }
  }
#endif
  return StopMasksScalar;
}

FindNonAsciiFn GetFindNonAsciiFn(SimdLevel level) {
#ifdef KEEL_X86
  if (SimdLevelSupported(level)) {
    switch (level) {
      case SimdLevel::kAvx512:
        return FindNonAsciiAvx512;
      case SimdLevel::kAvx2:
        return FindNonAsciiAvx2;
      case SimdLevel::kSse2:
        return FindNonAsciiSse2;
      case SimdLevel::kScalar:
        break;
    }
  }
#endif
  return FindNonAsciiScalar;
}

}  // namespace keel
