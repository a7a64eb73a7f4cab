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

// Large buffers are mapped directly rather than taken from malloc: malloc would place them
// anywhere in a mapping of its own (only the 2 MiB-aligned interior could get huge pages) and
// aligned_alloc over-allocates by the alignment. Mapping size + 2 MiB and unmapping the
// unaligned head and tail gives whole, aligned huge pages with nothing wasted.
void* AllocateBuffer(size_t bytes) {
  if (bytes < kHugePageAdviceBytes) return ::operator new(bytes);
  constexpr size_t kHuge = size_t{2} << 20;
  const size_t rounded = (bytes + kHuge - 1) & ~(kHuge - 1);
  void* raw =
      ::mmap(nullptr, rounded + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto begin = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (begin + kHuge - 1) & ~(kHuge - 1);
  if (aligned > begin) ::munmap(raw, aligned - begin);
  const uintptr_t tail = aligned + rounded;
  const uintptr_t end = begin + rounded + kHuge;
  if (end > tail) ::munmap(reinterpret_cast<void*>(tail), end - tail);
  void* p = reinterpret_cast<void*>(aligned);
  AdviseHugePages(p, rounded);
  return p;
}

void FreeBuffer(void* p, size_t bytes) noexcept {
  if (bytes < kHugePageAdviceBytes) {
    ::operator delete(p);
    return;
  }
  constexpr size_t kHuge = size_t{2} << 20;
  ::munmap(p, (bytes + kHuge - 1) & ~(kHuge - 1));
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
