// Hints to the kernel about large buffers of the readers. Page faults dominate a naive
// million-row read on virtual machines (each first touch of a 4 KiB page traps), so large
// buffers ask for transparent huge pages and mapped input is populated in one call.
// Both are hints: on kernels or configurations without support they do nothing.
#pragma once

#include <cstddef>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace keel {

// Buffers at least this large get huge-page advice.
inline constexpr size_t kHugePageAdviceBytes = size_t{2} << 20;

// Asks for transparent huge pages on the 2 MiB-aligned interior of [data, data + bytes).
// Call before first touching the memory.
void AdviseHugePages(const void* data, size_t bytes);

// Memory for large short-lived buffers: at least kHugePageAdviceBytes are mapped on their own,
// 2 MiB-aligned, rounded up to whole huge pages and huge-page advised; smaller ones come from
// operator new. Throws std::bad_alloc. Release with FreeBuffer(p, bytes), same `bytes`.
void* AllocateBuffer(size_t bytes);
void FreeBuffer(void* p, size_t bytes) noexcept;

// std::allocator replacement for the readers' big vectors. Elements are default-initialized
// (vector::resize leaves trivial types unwritten: the caller writes every element anyway).
template <typename T>
struct BufferAllocator {
  using value_type = T;
  BufferAllocator() = default;
  template <typename U>
  BufferAllocator(const BufferAllocator<U>&) noexcept {}  // NOLINT: rebinding
  T* allocate(size_t n) { return static_cast<T*>(AllocateBuffer(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { FreeBuffer(p, n * sizeof(T)); }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  friend bool operator==(const BufferAllocator&, const BufferAllocator&) { return true; }
};

template <typename T>
using BufferVector = std::vector<T, BufferAllocator<T>>;

// Maps in every page of a read-only file mapping now (MADV_POPULATE_READ), instead of one
// fault per page while parsing. `mapped` must be the view of a whole mapping.
void PopulateMapping(std::string_view mapped);

}  // namespace keel
