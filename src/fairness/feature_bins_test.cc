#include "fairness/feature_bins.h"

#include <gtest/gtest.h>

#include <cmath>

namespace keel::fairness {
namespace {

TEST(BinFeature, NumericQuantileConditionsReadAsRanges) {
  std::vector<double> v;
  for (int i = 0; i < 8; ++i) v.push_back(i);
  v.push_back(NAN);
  BinningOptions opt;
  opt.numeric_bins = 4;
  auto b = BinFeature(Column::Numeric("tenure", v), opt);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->conditions, (std::vector<std::string>{"tenure < 2", "2 <= tenure < 4",
                                                     "4 <= tenure < 6", "tenure >= 6",
                                                     "tenure is missing"}));
  EXPECT_EQ(b->codes, (std::vector<int32_t>{0, 0, 1, 1, 2, 2, 3, 3, 4}));
}

TEST(BinFeature, FewDistinctNumbersAreConditionsByValue) {
  auto b = BinFeature(Column::Numeric("senior", {0, 1, 1, 0}));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->conditions, (std::vector<std::string>{"senior = 0", "senior = 1"}));
  EXPECT_EQ(b->codes, (std::vector<int32_t>{0, 1, 1, 0}));
}

TEST(BinFeature, RareCategoriesShareOther) {
  // a x3, b x2, c x1, d x1 with max 3 categories: a, b keep theirs; c and d share "(other)".
  const Column c = Column::String("plan", {"a", "b", "a", "c", "b", "a", "d"});
  BinningOptions opt;
  opt.max_categories = 3;
  auto b = BinFeature(c, opt);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->conditions,
            (std::vector<std::string>{"plan = a", "plan = b", "plan = (other)"}));
  EXPECT_EQ(b->codes, (std::vector<int32_t>{0, 1, 0, 2, 1, 0, 2}));
}

TEST(BinFeature, BooleansAndMissingCategories) {
  auto b = BinFeature(Column::Categorical("c", {0, kMissingCode, 1}, {"x", "y"}));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->conditions, (std::vector<std::string>{"c = x", "c = y", "c is missing"}));
  EXPECT_EQ(b->codes, (std::vector<int32_t>{0, 2, 1}));
}

TEST(BinFeature, RejectsTimestampsAndBadOptions) {
  EXPECT_EQ(BinFeature(Column::Timestamp("t", {0})).status().code(), StatusCode::kUnsupported);
  BinningOptions opt;
  opt.numeric_bins = 1;
  EXPECT_EQ(BinFeature(Column::Numeric("x", {1}), opt).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace keel::fairness
