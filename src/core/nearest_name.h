// "Did you mean ...?" for misspelt names: commands, flags, columns, keys.
//
// Every place that looks a user-given name up in a known list (a subcommand, a flag of
// `keel train`, a column of the data, a keel.yaml key) and fails names the nearest known one
// when it is close enough to be a typo, through these functions, so "chrun", "Churn" and
// "num_trees" get the same kind of answer everywhere.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace keel {

// Edit distance between two names: insertions, deletions, substitutions and swaps of two
// adjacent characters each count 1 (optimal string alignment), letters compare
// case-insensitively and '_' equals '-' (so "Num_Trees" is 0 away from "num-trees").
size_t NameDistance(std::string_view a, std::string_view b);

// The candidate nearest to `name` by NameDistance when it is close enough to be a typo:
// within max(1, size/3) edits, size being the shorter of the two names' lengths. Returns ""
// when none is (or `name` is empty); the first of equally near candidates wins.
std::string NearestName(std::string_view name, std::span<const std::string> candidates);

// "; did you mean 'churn'?" for the nearest candidate, "" when none is near: the suffix of a
// "not found" message.
std::string DidYouMean(std::string_view name, std::span<const std::string> candidates);

// The same over any range of things with names: `name_of` maps an element to its name (a
// member like &Column::name or &ColumnSchema::name, or a function).
template <typename Range, typename NameOf>
std::string DidYouMean(std::string_view name, const Range& items, NameOf name_of) {
  std::vector<std::string> names;
  for (const auto& item : items) names.emplace_back(std::invoke(name_of, item));
  return DidYouMean(name, names);
}

}  // namespace keel
