#include "core/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace keel {
namespace {

TEST(ParallelFor, VisitsEveryIndexOnce) {
  std::vector<std::atomic<int>> hits(1000);
  ASSERT_TRUE(ParallelFor(2, hits.size(), [&](size_t i) { hits[i]++; }, 7).ok());
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(ParallelFor, ReturnsFirstErrorFromWorkers) {
  Status s = ParallelFor(2, 100, [&](size_t i) -> Status {
    if (i == 42) return Status::InvalidArgument("row {} is bad", i);
    return Status::OK();
  });
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "row 42 is bad");
}

TEST(ParallelFor, ConvertsExceptionsToStatus) {
  Status s = ParallelFor(2, 10, [&](size_t i) {
    if (i == 3) throw std::runtime_error("thrown");
  });
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("thrown"), std::string::npos);
}

TEST(ParallelForRanges, CoversRangeWithoutOverlap) {
  std::vector<int> seen(103, 0);
  ASSERT_TRUE(ParallelForRanges(2, seen.size(), 4, [&](size_t, size_t b, size_t e) {
                for (size_t i = b; i < e; ++i) seen[i]++;
              }).ok());
  for (int v : seen) EXPECT_EQ(v, 1);
}

TEST(ParallelFor, ZeroIterationsIsOk) {
  EXPECT_TRUE(ParallelFor(2, 0, [](size_t) {}).ok());
}

}  // namespace
}  // namespace keel
