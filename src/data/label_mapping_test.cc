#include "data/label_mapping.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

Column Labels(std::vector<int32_t> codes, std::vector<std::string> dict) {
  return Column::Categorical("y", std::move(codes), std::move(dict));
}

TEST(LabelMapping, MapsMergesAndReportsUnseen) {
  auto m = ParseLabelMapping("No, Yes, Unsure", "Y=Yes, maybe=Unsure");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const Column y = Labels({0, 1, 2, 3, 4, kMissingCode, 4, 0}, {"no", "YES", "y", "maybe", "other"});
  LabelReport rep;
  const auto cls = MapLabels(*m, y, &rep);
  EXPECT_EQ(cls, (std::vector<int32_t>{0, 1, 1, 2, -1, -1, -1, 0}));
  EXPECT_EQ(rep.class_rows, (std::vector<uint64_t>{2, 2, 1}));
  ASSERT_EQ(rep.unseen.size(), 1u);
  EXPECT_EQ(rep.unseen[0], (std::pair<std::string, uint64_t>{"other", 2}));
  EXPECT_EQ(rep.unseen_rows, 2u);
  EXPECT_EQ(rep.missing_rows, 1u);
  EXPECT_TRUE(rep.empty_classes.empty());
  EXPECT_EQ(rep.version, m->Version());
}

TEST(LabelMapping, AddedClassIsReportedEmptyAndChangesTheVersion) {
  auto two = ParseLabelMapping("No,Yes", "");
  auto three = ParseLabelMapping("No,Yes,Churned later", "");
  ASSERT_TRUE(two.ok() && three.ok());
  EXPECT_NE(two->Version(), three->Version());
  LabelReport rep;
  MapLabels(*three, Labels({0, 1}, {"No", "Yes"}), &rep);
  EXPECT_EQ(rep.empty_classes, (std::vector<std::string>{"Churned later"}));
}

TEST(LabelMapping, InvalidSpecsAreErrors) {
  EXPECT_FALSE(ParseLabelMapping("", "").ok());
  EXPECT_FALSE(ParseLabelMapping("a,A", "").ok());
  EXPECT_FALSE(ParseLabelMapping("a,,b", "").ok());
  EXPECT_FALSE(ParseLabelMapping("a,b", "x=c").ok());
  EXPECT_FALSE(ParseLabelMapping("a,b", "x").ok());
  EXPECT_FALSE(ParseLabelMapping("a,b", "x=a,x=b").ok());
}

TEST(LabelMapping, InferredBinaryMappingPutsTheMinorityClassLast) {
  auto m = InferLabelMapping(Labels({0, 0, 1, 0}, {"No", "Yes"}));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->classes, (std::vector<std::string>{"No", "Yes"}));
  auto flipped = InferLabelMapping(Labels({0, 1, 1, 1}, {"bad", "good"}));
  EXPECT_EQ(flipped->classes, (std::vector<std::string>{"good", "bad"}));
  auto chosen = InferLabelMapping(Labels({0, 1, 1, 1}, {"bad", "good"}), std::string("good"));
  EXPECT_EQ(chosen->classes, (std::vector<std::string>{"bad", "good"}));
  EXPECT_FALSE(InferLabelMapping(Labels({0}, {"x"}), std::string("nope")).ok());
  const Column numeric = Column::Numeric("clicked", {0, 1, 0, 0});
  auto num = InferLabelMapping(numeric);
  ASSERT_TRUE(num.ok());
  EXPECT_EQ(num->classes, (std::vector<std::string>{"0", "1"}));
  LabelReport rep;
  EXPECT_EQ(MapLabels(*num, numeric, &rep), (std::vector<int32_t>{0, 1, 0, 0}));
}

}  // namespace
}  // namespace keel
