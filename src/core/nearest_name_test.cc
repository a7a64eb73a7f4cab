#include "core/nearest_name.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace keel {
namespace {

TEST(NameDistance, CountsEditsAndAdjacentSwaps) {
  EXPECT_EQ(NameDistance("train", "train"), 0u);
  EXPECT_EQ(NameDistance("trian", "train"), 1u);  // one swap, not two substitutions
  EXPECT_EQ(NameDistance("chrun", "churn"), 1u);
  EXPECT_EQ(NameDistance("trai", "train"), 1u);
  EXPECT_EQ(NameDistance("", "abc"), 3u);
  EXPECT_EQ(NameDistance("kitten", "sitting"), 3u);
}

TEST(NameDistance, IgnoresCaseAndUnderscoreVersusDash) {
  EXPECT_EQ(NameDistance("Churn", "churn"), 0u);
  EXPECT_EQ(NameDistance("num_trees", "num-trees"), 0u);
  EXPECT_EQ(NameDistance("NUM_TREE", "num-trees"), 1u);
}

TEST(NearestName, SuggestsOnlyLikelyTypos) {
  const std::vector<std::string> commands = {"run", "train", "predict", "evaluate", "tradeoff"};
  EXPECT_EQ(NearestName("trian", commands), "train");
  EXPECT_EQ(NearestName("predcit", commands), "predict");
  EXPECT_EQ(NearestName("evalute", commands), "evaluate");
  EXPECT_EQ(NearestName("rnu", commands), "run");
  EXPECT_EQ(NearestName("serve", commands), "");  // nothing near
  EXPECT_EQ(NearestName("", commands), "");
  EXPECT_EQ(NearestName("x", {}), "");
}

TEST(NearestName, PrefersTheNearestAndThenTheFirst) {
  const std::vector<std::string> columns = {"tenure", "churn", "church"};
  EXPECT_EQ(NearestName("chrun", columns), "churn");
  EXPECT_EQ(NearestName("CHURN", columns), "churn");
  EXPECT_EQ(NearestName("churc", columns), "churn");  // 1 from both: the first listed wins
}

TEST(DidYouMean, IsAMessageSuffixOrNothing) {
  const std::vector<std::string> columns = {"churn", "tenure"};
  EXPECT_EQ(DidYouMean("chrun", columns), "; did you mean 'churn'?");
  EXPECT_EQ(DidYouMean("monthly_charges", columns), "");
}

}  // namespace
}  // namespace keel
