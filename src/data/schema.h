// Schema: what each column of a data set is and what values it may hold.
//
// Written by `keel schema infer` as YAML a user can edit, read back to validate data instead
// of inferring types, and stored in each model so serving validates requests against the
// very schema the model was trained with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/category_order.h"
#include "data/label_mapping.h"
#include "keel/table.h"

namespace keel {

enum class Role : uint8_t { kFeature, kTarget, kSensitive, kPii, kId, kTime, kWeight, kIgnore };

// "feature", "target", "sensitive", "pii", "id", "time", "weight", "ignore".
std::string_view RoleName(Role role);
bool ParseRole(std::string_view text, Role* role);

struct ColumnSchema {
  std::string name;
  ColumnKind kind = ColumnKind::kNumeric;
  Role role = Role::kFeature;
  // Categorical: the allowed categories (others are anomalies); empty = not checked.
  std::vector<std::string> categories;
  // Numeric: the allowed range (values outside are anomalies); unset = not checked.
  std::optional<double> min;
  std::optional<double> max;
  // Share of missing values above which the column is reported; unset = not checked.
  std::optional<double> max_missing_rate;
  // Free text for people; kept through YAML round trips.
  std::string description;
  // What `keel schema infer` observed in the data it read. Informational: never checked.
  struct Seen {
    std::optional<uint64_t> count;  // non-missing values
    std::optional<double> missing_rate;
    std::optional<uint64_t> distinct;
    std::optional<double> mean;
  };
  Seen seen;
  // Categorical: what the order of `categories` means to a model trained elsewhere, whose
  // integer code i stands for categories[i] (category_order.h). Ingest ignores it; `keel
  // import` relies on it. `keel schema infer` writes sorted, or unknown with a note saying
  // why (the note is written as a YAML comment and not read back).
  CategoryOrder category_order = CategoryOrder::kUnstated;
  std::string category_order_note;
};

struct Schema {
  std::vector<ColumnSchema> columns;
  // Mapping of the target column's raw labels to classes (classification only).
  LabelMapping labels;
  // The decimal mark of the CSV data it describes, '.' or ','; 0 = not stated. A CSV read
  // with this schema uses it when its own sample cannot decide (csv_dialect.h).
  char decimal = 0;

  const ColumnSchema* Find(std::string_view name) const;
  ColumnSchema* Find(std::string_view name);
  // The name of the first column with `role`, or empty.
  std::string FirstWithRole(Role role) const;
};

}  // namespace keel
