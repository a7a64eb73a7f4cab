// Label mapping: how raw target values become classes.
//
// The mapping is versioned data stored in every model, so metrics of models trained under
// different label sets are never compared silently (compare checks `version`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keel {

struct LabelMapping {
  // Class names in class-index order. For a binary model classes[1] is the positive class:
  // the class whose probability the model scores and whose margin is the raw output.
  std::vector<std::string> classes;
  // Explicit raw-label -> class-name entries (merges several raw labels into one class).
  // A raw label not listed maps to the class of the same name.
  std::vector<std::pair<std::string, std::string>> merge;
  // Match raw labels case-insensitively ("Yes" == "yes"), after trimming spaces.
  bool case_insensitive = true;

  // Class index of a raw label, or -1 if it maps to no class (an unseen label).
  int32_t ClassOf(std::string_view raw) const;
  // A short hash of the classes and merges; equal versions mean comparable metrics.
  std::string Version() const;
  bool empty() const { return classes.empty(); }
};

}  // namespace keel
