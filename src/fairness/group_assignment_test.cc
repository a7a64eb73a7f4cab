#include "fairness/group_assignment.h"

#include <gtest/gtest.h>

#include <cmath>

namespace keel::fairness {
namespace {

TEST(AssignGroups, ZeroOneIndicatorIsGroupedByValue) {
  const Column c = Column::Numeric("female", {1, 0, 0, 1, 1});
  auto g = AssignGroups(c);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ASSERT_EQ(g->labels, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(g->codes, (std::vector<int32_t>{1, 0, 0, 1, 1}));
  EXPECT_EQ(g->definition.kind, GroupDefinition::Kind::kValues);
}

TEST(AssignGroups, CategoriesSortedByTextAndMissingHasItsOwnGroup) {
  const Column c =
      Column::Categorical("marital", {2, 0, kMissingCode, 1, 0}, {"Single", "Divorced", "Married"});
  auto g = AssignGroups(c);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->labels,
            (std::vector<std::string>{"Divorced", "Married", "Single", std::string(kMissingGroupLabel)}));
  EXPECT_EQ(g->codes, (std::vector<int32_t>{1, 2, 3, 0, 2}));
  // The stored definition holds the values only; missing is implicit.
  EXPECT_EQ(g->definition.labels.size(), 3u);
}

TEST(AssignGroups, UnusedDictionaryEntriesAreNotGroups) {
  const Column c = Column::Categorical("x", {0, 0}, {"used", "unused"});
  auto g = AssignGroups(c);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->labels, (std::vector<std::string>{"used"}));
}

TEST(AssignGroups, NumericWithUserEdgesIsBinned) {
  const Column c = Column::Numeric("age", {18, 25, 30, 44, 45, 60, NAN});
  GroupingOptions opt;
  opt.edges = {45, 30};  // unsorted on purpose
  auto g = AssignGroups(c, opt);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->labels, (std::vector<std::string>{"(-inf, 30)", "[30, 45)", "[45, inf)",
                                                 std::string(kMissingGroupLabel)}));
  EXPECT_EQ(g->codes, (std::vector<int32_t>{0, 0, 1, 1, 2, 2, 3}));
}

TEST(AssignGroups, NumericWithManyValuesUsesQuantileBins) {
  std::vector<double> ages;
  for (int i = 0; i < 100; ++i) ages.push_back(20 + i);
  GroupingOptions opt;
  opt.quantile_bins = 4;
  auto g = AssignGroups(Column::Numeric("age", ages), opt);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->definition.edges, (std::vector<double>{45, 70, 95}));
  std::vector<int> sizes(g->num_groups(), 0);
  for (int32_t c : g->codes) ++sizes[static_cast<size_t>(c)];
  EXPECT_EQ(sizes, (std::vector<int>{25, 25, 25, 25}));
}

TEST(AssignGroups, RejectsTimestampsAndAllMissingAndBadEdges) {
  EXPECT_FALSE(AssignGroups(Column::Timestamp("t", {1, 2})).ok());
  EXPECT_FALSE(AssignGroups(Column::Numeric("x", {NAN, NAN})).ok());
  GroupingOptions opt;
  opt.edges = {INFINITY};
  EXPECT_FALSE(AssignGroups(Column::Numeric("x", {1, 2}), opt).ok());
  opt.edges = {1};
  auto text = AssignGroups(Column::String("s", {"a", "b"}), opt);
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("not numeric"), std::string::npos);
}

TEST(QuantileEdges, HeavyTiesGiveFewerNonEmptyBins) {
  std::vector<double> v(90, 0.0);
  for (int i = 0; i < 10; ++i) v.push_back(1 + i);
  const auto edges = QuantileEdges(v, 4);
  // Nine tenths of the values are 0: the zeros get a bin of their own, the rest another.
  EXPECT_EQ(edges, (std::vector<double>{1}));
  EXPECT_TRUE(QuantileEdges(std::vector<double>{3, 3, 3}, 4).empty());
}

TEST(ApplyGroupDefinition, MapsNewDataAndUnknownToMinusOne) {
  auto g = AssignGroups(Column::String("sex", {"F", "M", "F"}));
  ASSERT_TRUE(g.ok());
  auto codes = ApplyGroupDefinition(g->definition, Column::String("sex", {"M", "X", "F", ""}, {0, 0, 0, 1}));
  ASSERT_TRUE(codes.ok());
  EXPECT_EQ(*codes, (std::vector<int32_t>{1, -1, 0, -1}));
  EXPECT_EQ(GroupOfText(g->definition, "F"), 0);
  EXPECT_EQ(GroupOfText(g->definition, ""), -1);
}

TEST(ApplyGroupDefinition, NumericValueTextsMatchCanonically) {
  auto g = AssignGroups(Column::Numeric("female", {0, 1}));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(GroupOfText(g->definition, "1.0"), 1);
  EXPECT_EQ(GroupOfText(g->definition, "0"), 0);
  auto codes = ApplyGroupDefinition(g->definition, Column::Categorical("female", {0, 1}, {"1", "0"}));
  ASSERT_TRUE(codes.ok());
  EXPECT_EQ(*codes, (std::vector<int32_t>{1, 0}));
}

TEST(ApplyGroupDefinition, BinsNeedNumbers) {
  GroupingOptions opt;
  opt.edges = {30};
  auto g = AssignGroups(Column::Numeric("age", {20, 40}), opt);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(GroupOfText(g->definition, "35"), 1);
  EXPECT_EQ(GroupOfText(g->definition, "abc"), -1);
  EXPECT_FALSE(ApplyGroupDefinition(g->definition, Column::String("age", {"x"})).ok());
}

TEST(IntersectGroups, PairsThatOccurInOrder) {
  auto a = AssignGroups(Column::String("a", {"x", "y", "x", "y"}));
  auto b = AssignGroups(Column::Numeric("b", {1, 1, 0, 1}));
  ASSERT_TRUE(a.ok() && b.ok());
  const auto both = IntersectGroups(*a, *b);
  EXPECT_EQ(both.name, "a&b");
  EXPECT_EQ(both.labels, (std::vector<std::string>{"x & 0", "x & 1", "y & 1"}));
  EXPECT_EQ(both.codes, (std::vector<int32_t>{1, 2, 0, 2}));
}

TEST(GroupDefinitionJson, RoundTripsAndRejectsCorruption) {
  GroupingOptions opt;
  opt.edges = {30, 45};
  auto g = AssignGroups(Column::Numeric("age", {20, 40, 50}), opt);
  ASSERT_TRUE(g.ok());
  auto back = GroupDefinitionFromJson(GroupDefinitionToJson(g->definition));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->edges, g->definition.edges);
  EXPECT_EQ(back->labels, g->definition.labels);
  EXPECT_EQ(back->kind, GroupDefinition::Kind::kBins);
  nlohmann::json bad = GroupDefinitionToJson(g->definition);
  bad["edges"] = {45, 30};
  EXPECT_EQ(GroupDefinitionFromJson(bad).status().code(), StatusCode::kCorrupt);
  bad = GroupDefinitionToJson(g->definition);
  bad["labels"].push_back("extra");
  EXPECT_FALSE(GroupDefinitionFromJson(bad).ok());
  EXPECT_FALSE(GroupDefinitionFromJson(nlohmann::json::array()).ok());
  EXPECT_FALSE(GroupDefinitionFromJson({{"attribute", 3}}).ok());
}

}  // namespace
}  // namespace keel::fairness
