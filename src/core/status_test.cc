#include "keel/status.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("{} is odd", x);
  return x / 2;
}

Result<int> Quarter(int x) {
  KEEL_ASSIGN_OR_RETURN(int h, Half(x));
  KEEL_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  KEEL_RETURN_IF_ERROR(Half(x));
  return Status::OK();
}

TEST(Status, OkByDefaultAndCheap) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_TRUE(s.message().empty());
}

TEST(Status, FactoryFormatsMessageAndCode) {
  Status s = Status::ParseError("{}:{}: bad value '{}'", "a.csv", 7, "x");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kParseError);
  EXPECT_EQ(s.message(), "a.csv:7: bad value 'x'");
  EXPECT_EQ(s.ToString(), "parse error: a.csv:7: bad value 'x'");
}

TEST(Status, WithContextPrependsAndKeepsCode) {
  Status s = Status::NotFound("column 'age'").WithContext("reading schema.yaml");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "reading schema.yaml: column 'age'");
  EXPECT_TRUE(Status::OK().WithContext("x").ok());
}

TEST(Status, CopyIsDeep) {
  Status a = Status::Internal("boom");
  Status b = a;
  a = Status::OK();
  EXPECT_EQ(b.message(), "boom");
}

TEST(Result, PropagatesErrorsThroughMacros) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "3 is odd");
  EXPECT_FALSE(CheckEven(3).ok());
  EXPECT_TRUE(CheckEven(4).ok());
}

TEST(Result, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 5);
}

}  // namespace
}  // namespace keel
