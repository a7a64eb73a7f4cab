// Label mapping: how raw target values become classes.
//
// The mapping is versioned data stored in every model, so metrics of models trained under
// different label sets are never compared silently (compare checks `version`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keel/status.h"
#include "keel/table.h"

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

// Checks a mapping: at least one class, classes non-empty and distinct (case-insensitively
// when case_insensitive), every merge target a class, no raw label merged into two classes.
// Errors: InvalidArgument naming the offending entry.
Status ValidateLabelMapping(const LabelMapping& mapping);

// A mapping from command-line text. `classes`: class names in order, comma-separated
// ("No,Yes"; a class nobody uses yet may be listed: that adds a class). `merges`: raw=class
// pairs, comma-separated ("Y=Yes,maybe=Yes"). Spaces around names are ignored. The result
// is validated (ValidateLabelMapping).
Result<LabelMapping> ParseLabelMapping(std::string_view classes, std::string_view merges);

// The mapping a target column implies when none is given: its distinct values as classes, in
// dictionary order; for exactly two classes the positive one (classes[1]) is `positive` when
// given, else the less frequent (ties: the later in dictionary order). Numeric and boolean
// targets use their text ("0", "1", "true"). Errors: InvalidArgument when `positive` is not
// among the values, or the column has no values.
Result<LabelMapping> InferLabelMapping(const Column& target,
                                       const std::optional<std::string>& positive = std::nullopt);

// How a target column's values map to classes.
struct LabelReport {
  std::string version;                 // LabelMapping::Version()
  std::vector<uint64_t> class_rows;    // rows per class, in class order
  std::vector<std::string> empty_classes;  // classes no row maps to (added classes)
  // Raw labels that map to no class, with their row counts, most frequent first.
  std::vector<std::pair<std::string, uint64_t>> unseen;
  uint64_t unseen_rows = 0;
  uint64_t missing_rows = 0;
};

// Class index of every row of `target` (-1 for missing values and unseen labels), and the
// report. Categorical columns map each dictionary entry once, so this is cheap per row.
std::vector<int32_t> MapLabels(const LabelMapping& mapping, const Column& target,
                               LabelReport* report);

}  // namespace keel
