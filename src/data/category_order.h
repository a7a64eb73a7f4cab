// Category order: which integer code a model trained outside Keel gives each category.
//
// XGBoost and LightGBM models take categories as integer codes; a schema's `categories`
// list names them (code i = categories[i]) only when it is in the order the model was
// trained with. Most such models are trained from pandas, which numbers a category column's
// categories in its default sorted order:
//   - numbers ascending when every category is a number (pandas then reads the column as
//     numbers, so "2" comes before "10"),
//   - otherwise text in code point order (Python's str order, which is UTF-8 byte order:
//     "Zeta" < "alpha" < "Ärger").
// The schema key `category_order` (docs/ingest.md) says what a column's list is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace keel {

enum class CategoryOrder : uint8_t {
  kUnstated,  // no `category_order` key: a list in pandas' default order is taken as one
  kSorted,    // `sorted`: the list is in pandas' default order (keel schema infer writes it)
  kListed,    // `listed`: the list is in the model's code order, as given by the user
  kUnknown,   // `unknown`: pandas would make other categories from the data (schema infer)
};

// "" (unstated), "sorted", "listed", "unknown".
std::string_view CategoryOrderName(CategoryOrder order);
// Parses "sorted", "listed" or "unknown".
bool ParseCategoryOrder(std::string_view text, CategoryOrder* order);

// Sorts `categories` into pandas' default order (above).
void SortPandasDefault(std::vector<std::string>* categories);

// Whether `categories` are distinct and in pandas' default order. When not, and `why` is
// given, it says how (the first pair out of order, or the repeated category).
bool IsPandasDefaultOrder(const std::vector<std::string>& categories, std::string* why = nullptr);

// Whether pandas' read_csv reads the whole cell text `text` as missing with its default
// na_values: pandas 1.5's, and "None", which pandas 2 added. Compared exactly.
bool IsPandasMissingText(std::string_view text);

// One category as Keel read a column, with every text the file spelled it as (untrimmed,
// in any case), as pandas would see them.
struct SpelledCategory {
  std::string name;                    // Keel's category
  std::vector<std::string> spellings;  // distinct raw texts, at least one
};

// Why pandas' read_csv (default options) would not make exactly `categories` from the same
// file, one category per Keel category in the same order once both are sorted; empty when
// it would. Reasons: a category spelled several ways (case, surrounding spaces), a spelling
// pandas reads as missing, numbers pandas would read as one value, or surrounding spaces
// that change the sorted order.
std::string PandasCategoryMismatch(const std::vector<SpelledCategory>& categories);

}  // namespace keel
