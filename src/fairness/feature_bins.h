// A feature column cut into a few readable conditions ("tenure < 9", "contract = Two year",
// "total_charges is missing"), one per row. Worst-slice discovery searches combinations of
// these conditions; proxy detection measures how much each feature's conditions reveal of a
// sensitive attribute.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "keel/status.h"
#include "keel/table.h"

namespace keel::fairness {

struct BinningOptions {
  // Numeric columns: quantile bins (a column with at most this many distinct values is cut by
  // value instead).
  int numeric_bins = 4;
  // Categorical, boolean and text columns: the most frequent categories keep their own
  // condition, the rest share one "<feature> = (other)" condition.
  int max_categories = 20;
};

struct BinnedFeature {
  std::string feature;
  // Condition of each row: an index into `conditions`, always >= 0.
  std::vector<int32_t> codes;
  // Readable condition texts; a missing value has its own "<feature> is missing" condition.
  std::vector<std::string> conditions;
};

// Cuts one column into conditions. Errors: Unsupported for a timestamp column (cut a derived
// column instead); InvalidArgument for numeric_bins < 2 or max_categories < 2.
Result<BinnedFeature> BinFeature(const Column& column, const BinningOptions& options = {});

}  // namespace keel::fairness
