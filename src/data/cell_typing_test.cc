#include "data/cell_typing.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>

namespace keel {
namespace {

using Texts = std::vector<std::string>;
using Views = std::vector<std::string_view>;

TEST(CellTypingTest, ClassifiesNumberThenBooleanThenTimestamp) {
  uint64_t v = 0;
  EXPECT_EQ(ClassifyCellText("1.5", '.', &v), CellType::kNumber);
  EXPECT_EQ(std::bit_cast<double>(v), 1.5);
  EXPECT_EQ(ClassifyCellText("1,5", ',', &v), CellType::kNumber);
  EXPECT_EQ(std::bit_cast<double>(v), 1.5);
  EXPECT_EQ(ClassifyCellText("1,5", '.', &v), CellType::kText);
  EXPECT_EQ(ClassifyCellText("TRUE", '.', &v), CellType::kBoolean);
  EXPECT_EQ(v, 1u);
  EXPECT_EQ(ClassifyCellText("false", '.', &v), CellType::kBoolean);
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(ClassifyCellText("2024-01-02", '.', &v), CellType::kTimestamp);
  EXPECT_EQ(static_cast<int64_t>(v), int64_t{19724} * 86400 * 1000000);
  EXPECT_EQ(ClassifyCellText("red", '.', &v), CellType::kText);
  // A known kind tries only its own parse.
  EXPECT_EQ(ClassifyCellText<ParseMode::kNumeric>("true", '.', &v), CellType::kText);
  EXPECT_EQ(ClassifyCellText<ParseMode::kTimestamp>("12", '.', &v), CellType::kText);
  EXPECT_EQ(ClassifyCellText<ParseMode::kText>("12", '.', &v), CellType::kText);
}

TEST(CellTypingTest, GroupsSpellingsCaseInsensitivelyAfterTheSchemas) {
  const Texts seeds = {"Red", "RED", "blue"};  // "RED" is "Red"'s group
  const Views spellings = {"red", "green", "BLUE", "Green"};
  CategoryGroups g = GroupSpellings(seeds, spellings, /*normalize_case=*/true);
  EXPECT_EQ(g.seeded, 2u);
  EXPECT_EQ(g.group_of, (std::vector<int32_t>{0, 2, 1, 2}));
  EXPECT_EQ(g.data_groups, 3u);
  // "blue" has no occurrence but is the schema's: kept, first; "red" is named as the schema.
  NameCategories(spellings, std::vector<uint64_t>{1, 1, 0, 2}, &g);
  EXPECT_EQ(g.dictionary, (Texts{"Red", "blue", "Green"}));
  EXPECT_EQ(g.code, (std::vector<int32_t>{0, 1, 2}));

  CategoryGroups exact = GroupSpellings({}, spellings, /*normalize_case=*/false);
  EXPECT_EQ(exact.group_of, (std::vector<int32_t>{0, 1, 2, 3}));
}

TEST(CellTypingTest, NamesByTheMostFrequentSpellingTiesToTheFirst) {
  const Views spellings = {"a", "A", "b", "B", "c"};
  CategoryGroups g = GroupSpellings({}, spellings, true);
  // "c" has no occurrence in the output rows: not a category.
  NameCategories(spellings, std::vector<uint64_t>{1, 2, 3, 3, 0}, &g);
  EXPECT_EQ(g.dictionary, (Texts{"A", "b"}));
  EXPECT_EQ(g.code, (std::vector<int32_t>{0, 1, -1}));
}

TEST(CellTypingTest, TypesATextColumnAsTheReader) {
  // 19 numbers and one text: numeric (95%), and the text is an error naming its row.
  Texts texts;
  std::vector<uint64_t> counts;
  std::vector<int32_t> codes;
  for (int i = 0; i < 19; ++i) {
    texts.push_back(std::to_string(i));
    counts.push_back(1);
    codes.push_back(i);
  }
  codes.push_back(kMissingCode);
  Result<Column> numeric = TypeTextColumn("x", texts, counts, codes);
  ASSERT_TRUE(numeric.ok()) << numeric.status().ToString();
  EXPECT_EQ(numeric->kind(), ColumnKind::kNumeric);
  EXPECT_EQ(numeric->numeric()[3], 3.0);
  EXPECT_TRUE(std::isnan(numeric->numeric()[19]));
  texts.push_back("n/a!");
  counts.push_back(1);
  codes.back() = 19;
  Result<Column> bad = TypeTextColumn("x", texts, counts, codes);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"n/a!\" (row 19)"), std::string::npos)
      << bad.status().ToString();

  // Text: categories merged by case, named by the most frequent spelling, in order.
  Result<Column> cat =
      TypeTextColumn("c", {"yes", "No", "YES", "no"}, {1, 1, 2, 2}, {0, 1, 2, 3, 2, 3, -1});
  ASSERT_TRUE(cat.ok());
  EXPECT_EQ(cat->kind(), ColumnKind::kCategorical);
  EXPECT_EQ(cat->dictionary(), (Texts{"YES", "no"}));
  EXPECT_EQ(std::vector<int32_t>(cat->codes().begin(), cat->codes().end()),
            (std::vector<int32_t>{0, 1, 0, 1, 0, 1, kMissingCode}));

  // Many distinct values: string; no value at all: string.
  Texts ids;
  std::vector<int32_t> id_codes;
  for (int i = 0; i < 30; ++i) {
    ids.push_back("id" + std::to_string(i));
    id_codes.push_back(i);
  }
  Result<Column> str = TypeTextColumn("id", ids, std::vector<uint64_t>(30, 1), id_codes);
  ASSERT_TRUE(str.ok());
  EXPECT_EQ(str->kind(), ColumnKind::kString);
  Result<Column> empty = TypeTextColumn("e", {}, {}, {kMissingCode, kMissingCode});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->kind(), ColumnKind::kString);
  EXPECT_EQ(empty->CountMissing(), 2u);
}

}  // namespace
}  // namespace keel
