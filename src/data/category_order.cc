#include "data/category_order.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "data/number_parse.h"

namespace keel {
namespace {

// The categories' values when every one is a number (pandas' numeric order), else empty.
std::vector<double> NumericValues(const std::vector<std::string>& categories) {
  std::vector<double> values(categories.size());
  for (size_t i = 0; i < categories.size(); ++i) {
    if (!ParseNumber(categories[i], &values[i])) return {};
  }
  return values;
}

// Indices of `texts` in pandas' default order.
std::vector<size_t> PandasOrder(const std::vector<std::string>& texts) {
  std::vector<size_t> order(texts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  const std::vector<double> values = NumericValues(texts);
  if (!texts.empty() && values.size() == texts.size()) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return values[a] < values[b]; });
  } else {
    // std::string compares bytes as unsigned char: UTF-8 byte order = code point order.
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return texts[a] < texts[b]; });
  }
  return order;
}

}  // namespace

std::string_view CategoryOrderName(CategoryOrder order) {
  switch (order) {
    case CategoryOrder::kUnstated:
      return "";
    case CategoryOrder::kSorted:
      return "sorted";
    case CategoryOrder::kListed:
      return "listed";
    case CategoryOrder::kUnknown:
      return "unknown";
  }
  return "";
}

bool ParseCategoryOrder(std::string_view text, CategoryOrder* order) {
  for (CategoryOrder o :
       {CategoryOrder::kSorted, CategoryOrder::kListed, CategoryOrder::kUnknown}) {
    if (text == CategoryOrderName(o)) {
      *order = o;
      return true;
    }
  }
  return false;
}

void SortPandasDefault(std::vector<std::string>* categories) {
  const std::vector<size_t> order = PandasOrder(*categories);
  std::vector<std::string> sorted;
  sorted.reserve(order.size());
  for (size_t i : order) sorted.push_back(std::move((*categories)[i]));
  *categories = std::move(sorted);
}

bool IsPandasDefaultOrder(const std::vector<std::string>& categories, std::string* why) {
  const std::vector<double> values = NumericValues(categories);
  const bool numeric = !categories.empty() && values.size() == categories.size();
  for (size_t i = 1; i < categories.size(); ++i) {
    const std::string& a = categories[i - 1];
    const std::string& b = categories[i];
    const bool same = numeric ? values[i - 1] == values[i] : a == b;
    const bool ordered = numeric ? values[i - 1] < values[i] : a < b;
    if (ordered) continue;
    if (why != nullptr) {
      if (same && a == b) {
        *why = fmt::format("\"{}\" is listed twice", a);
      } else if (same) {
        *why = fmt::format("\"{}\" and \"{}\" are the same number", a, b);
      } else {
        *why = fmt::format("\"{}\" is listed before \"{}\"{}", a, b,
                           numeric ? " (as numbers, pandas sorts them by value)" : "");
      }
    }
    return false;
  }
  return true;
}

bool IsPandasMissingText(std::string_view text) {
  static constexpr std::string_view kTexts[] = {"",         "#N/A", "#N/A N/A", "#NA",    "-1.#IND",
                                                "-1.#QNAN", "-NaN", "-nan",     "1.#IND", "1.#QNAN",
                                                "<NA>",     "N/A",  "NA",       "NULL",   "NaN",
                                                "n/a",      "nan",  "null",     "None"};
  return std::find(std::begin(kTexts), std::end(kTexts), text) != std::end(kTexts);
}

std::string PandasCategoryMismatch(const std::vector<SpelledCategory>& categories) {
  std::vector<std::string> keel, pandas;
  for (const auto& c : categories) {
    if (c.spellings.size() > 1) {
      std::vector<std::string> shown;
      for (size_t i = 0; i < c.spellings.size() && i < 3; ++i) {
        shown.push_back("\"" + c.spellings[i] + "\"");
      }
      return fmt::format("the file spells category \"{}\" {} ways ({}{}), which pandas keeps apart",
                         c.name, c.spellings.size(), fmt::join(shown, ", "),
                         c.spellings.size() > 3 ? ", ..." : "");
    }
    const std::string& text = c.spellings.empty() ? c.name : c.spellings[0];
    if (text == "None") {
      return "pandas 2 reads \"None\" as a missing value, pandas 1.5 and Keel as a category";
    }
    if (IsPandasMissingText(text)) {
      return fmt::format("pandas reads \"{}\" as a missing value, Keel as a category", text);
    }
    keel.push_back(c.name);
    pandas.push_back(text);
  }
  const std::vector<double> values = NumericValues(pandas);
  if (!pandas.empty() && values.size() == pandas.size()) {
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      return "two categories are the same number to pandas, which reads the column as numbers";
    }
  }
  const std::vector<size_t> by_pandas = PandasOrder(pandas);
  const std::vector<size_t> by_keel = PandasOrder(keel);
  for (size_t i = 0; i < by_pandas.size(); ++i) {
    if (by_pandas[i] != by_keel[i]) {
      return fmt::format(
          "pandas sorts \"{}\" as spelled in the file (with its spaces) where Keel sorts \"{}\"",
          pandas[by_pandas[i]], keel[by_keel[i]]);
    }
  }
  return {};
}

}  // namespace keel
