#include "data/category_order.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

using Texts = std::vector<std::string>;

TEST(CategoryOrderTest, SortsTextByCodePointLikePython) {
  // sorted(["b", "Zeta", "alpha", "Ärger", "10x", "9x", "WD "]) in Python.
  Texts cats = {"b", "Zeta", "alpha", "\xC3\x84rger", "10x", "9x", "WD "};
  SortPandasDefault(&cats);
  EXPECT_EQ(cats, (Texts{"10x", "9x", "WD ", "Zeta", "alpha", "b", "\xC3\x84rger"}));
  EXPECT_TRUE(IsPandasDefaultOrder(cats));
}

TEST(CategoryOrderTest, SortsNumbersByValue) {
  Texts cats = {"10", "2", "-1.5", "1e1x"};
  SortPandasDefault(&cats);  // one text: all sorted as text
  EXPECT_EQ(cats, (Texts{"-1.5", "10", "1e1x", "2"}));
  cats = {"10", "2", "-1.5"};
  SortPandasDefault(&cats);
  EXPECT_EQ(cats, (Texts{"-1.5", "2", "10"}));
  EXPECT_TRUE(IsPandasDefaultOrder(cats));
  std::string why;
  EXPECT_FALSE(IsPandasDefaultOrder({"1", "10", "2"}, &why));
  EXPECT_NE(why.find("\"10\" is listed before \"2\""), std::string::npos) << why;
  EXPECT_FALSE(IsPandasDefaultOrder({"1", "1.0"}, &why));
  EXPECT_NE(why.find("same number"), std::string::npos) << why;
}

TEST(CategoryOrderTest, ExplainsWhatIsOutOfOrder) {
  std::string why;
  EXPECT_FALSE(IsPandasDefaultOrder({"rent", "owner"}, &why));
  EXPECT_EQ(why, "\"rent\" is listed before \"owner\"");
  EXPECT_FALSE(IsPandasDefaultOrder({"a", "a"}, &why));
  EXPECT_EQ(why, "\"a\" is listed twice");
  EXPECT_TRUE(IsPandasDefaultOrder({}));
  EXPECT_TRUE(IsPandasDefaultOrder({"Yes", "no"}));  // uppercase sorts first
}

TEST(CategoryOrderTest, NamesAndParses) {
  CategoryOrder o = CategoryOrder::kUnstated;
  ASSERT_TRUE(ParseCategoryOrder("listed", &o));
  EXPECT_EQ(o, CategoryOrder::kListed);
  ASSERT_TRUE(ParseCategoryOrder("unknown", &o));
  EXPECT_EQ(o, CategoryOrder::kUnknown);
  ASSERT_TRUE(ParseCategoryOrder("sorted", &o));
  EXPECT_EQ(o, CategoryOrder::kSorted);
  EXPECT_FALSE(ParseCategoryOrder("Sorted", &o));
  EXPECT_FALSE(ParseCategoryOrder("", &o));
}

TEST(CategoryOrderTest, PandasMissingTexts) {
  for (const char* t :
       {"", "NA", "N/A", "n/a", "nan", "NaN", "NULL", "null", "<NA>", "#N/A", "None"}) {
    EXPECT_TRUE(IsPandasMissingText(t)) << t;
  }
  for (const char* t : {"?", " NA", "na", "none", "-"}) EXPECT_FALSE(IsPandasMissingText(t)) << t;
}

TEST(CategoryOrderTest, MatchesPandasWhenEachCategoryHasOneSpelling) {
  // ames' "WD " (trailing space) sorts where "WD" does.
  EXPECT_EQ(PandasCategoryMismatch({{"COD", {"COD"}}, {"WD", {"WD "}}, {"New", {"New"}}}), "");
  EXPECT_EQ(PandasCategoryMismatch({}), "");
}

TEST(CategoryOrderTest, FindsWhatPandasWouldReadOtherwise) {
  std::string why = PandasCategoryMismatch({{"Yes", {"Yes", "yes"}}, {"No", {"No"}}});
  EXPECT_NE(why.find("spells category \"Yes\" 2 ways"), std::string::npos) << why;
  why = PandasCategoryMismatch({{"n/a", {"n/a"}}, {"a", {"a"}}});
  EXPECT_NE(why.find("pandas reads \"n/a\" as a missing value"), std::string::npos) << why;
  // pandas 1.5 keeps "None" as a category, pandas 2 reads it as missing.
  why = PandasCategoryMismatch({{"None", {"None"}}, {"a", {"a"}}});
  EXPECT_NE(why.find("pandas 2 reads \"None\" as a missing value"), std::string::npos) << why;
  // " b" sorts before "a" in pandas; trimmed, "b" sorts after it.
  why = PandasCategoryMismatch({{"a", {"a"}}, {"b", {" b"}}});
  EXPECT_NE(why.find("with its spaces"), std::string::npos) << why;
  // pandas reads a column of numbers as numbers: "1" and "1.0" are one value.
  why = PandasCategoryMismatch({{"1", {"1"}}, {"1.0", {"1.0"}}});
  EXPECT_NE(why.find("same number"), std::string::npos) << why;
}

}  // namespace
}  // namespace keel
