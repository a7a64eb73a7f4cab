#include "data/memory_advice.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace keel {

void AdviseHugePages(const void* data, size_t bytes) {
#ifdef MADV_HUGEPAGE
  if (data == nullptr || bytes < kHugePageAdviceBytes) return;
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<uintptr_t>(data);
  const uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t last = (begin + bytes) & ~(kHuge - 1);
  if (last > first) {
    // Failure only means no huge pages; the buffer works either way.
    (void)::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
  }
#else
  (void)data;
  (void)bytes;
#endif
}

void* AllocateBuffer(size_t bytes) {
  if (bytes < kHugePageAdviceBytes) return ::operator new(bytes);
  constexpr size_t kHuge = size_t{2} << 20;
  const size_t rounded = (bytes + kHuge - 1) & ~(kHuge - 1);
  void* p = std::aligned_alloc(kHuge, rounded);
  if (p == nullptr) throw std::bad_alloc();
  AdviseHugePages(p, rounded);
  return p;
}

void FreeBuffer(void* p, size_t bytes) noexcept {
  if (bytes < kHugePageAdviceBytes) {
    ::operator delete(p);
  } else {
    std::free(p);
  }
}

void PopulateMapping(std::string_view mapped) {
#ifndef MADV_POPULATE_READ
  constexpr int MADV_POPULATE_READ = 22;  // Linux 5.14; older kernels return EINVAL
#endif
  if (mapped.size() < kHugePageAdviceBytes) return;
  constexpr uintptr_t kPage = 4096;
  const auto begin = reinterpret_cast<uintptr_t>(mapped.data()) & ~(kPage - 1);
  const auto end = reinterpret_cast<uintptr_t>(mapped.data()) + mapped.size();
  (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_READ);
}

}  // namespace keel
