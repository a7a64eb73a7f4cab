#include "data/memory_advice.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>

namespace keel {
namespace {

constexpr uintptr_t kHuge = uintptr_t{2} << 20;

TEST(MemoryAdvice, LargeBuffersStartOnAHugePageAndHoldEveryByte) {
  // Sizes below, at and above the threshold, and one that is not a multiple of 2 MiB.
  for (size_t bytes :
       {size_t{1} << 20, kHugePageAdviceBytes, kHugePageAdviceBytes + 4097, size_t{7} << 20}) {
    auto* p = static_cast<unsigned char*>(AllocateBuffer(bytes));
    ASSERT_NE(p, nullptr);
    if (bytes >= kHugePageAdviceBytes) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % kHuge, 0u) << bytes;
    }
    for (size_t i = 0; i < bytes; ++i) p[i] = static_cast<unsigned char>(i * 31);
    uint64_t sum = 0, want = 0;
    for (size_t i = 0; i < bytes; ++i) {
      sum += p[i];
      want += static_cast<unsigned char>(i * 31);
    }
    EXPECT_EQ(sum, want) << bytes;
    FreeBuffer(p, bytes);
  }
}

TEST(MemoryAdvice, BufferVectorKeepsItsValuesAcrossGrowth) {
  BufferVector<uint64_t> v;
  for (uint64_t i = 0; i < (uint64_t{3} << 20) / sizeof(uint64_t); ++i) v.push_back(i);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % kHuge, 0u);
  uint64_t sum = std::accumulate(v.begin(), v.end(), uint64_t{0});
  const uint64_t n = v.size();
  EXPECT_EQ(sum, n * (n - 1) / 2);
  v.resize(10);  // shrinking keeps the allocation; clearing releases it with the right size
  BufferVector<uint64_t>().swap(v);
  EXPECT_TRUE(v.empty());
}

}  // namespace
}  // namespace keel
