// Large allocations of the keel program start on a 2 MiB boundary, advised for transparent
// huge pages.
//
// Why: glibc serves an allocation of more than a few hundred KiB from an mmap of its own that
// is only 4 KiB-aligned. Advising huge pages for such a buffer (the reader does, for every
// million-row output column) then covers only its 2 MiB-aligned interior, and each edge still
// faults in 4 KiB at a time: up to 2 MiB per buffer, about 7,000 page faults on a 13-column,
// million-row CSV read, and page faults are slow on virtual machines. Replacing the global
// operator new lets every allocation of at least 2 MiB be whole huge pages from the start.
//
// operator delete stays free(), which glibc documents as the release of aligned_alloc memory.
// Sanitizer builds leave this file out: their runtime's own operator new checks new/delete
// pairing.
#include <cstdlib>
#include <new>

#include "data/memory_advice.h"

namespace {

constexpr std::size_t kHuge = std::size_t{2} << 20;

void* Allocate(std::size_t n) {
  if (n >= kHuge) {
    const std::size_t rounded = (n + kHuge - 1) & ~(kHuge - 1);
    if (void* p = std::aligned_alloc(kHuge, rounded)) {
      keel::AdviseHugePages(p, rounded);
      return p;
    }
  }
  for (;;) {
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

}  // namespace

void* operator new(std::size_t n) {
  return Allocate(n);
}
void* operator new[](std::size_t n) {
  return Allocate(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return Allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return Allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
