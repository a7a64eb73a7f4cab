// Splitting rows into train / validation / test, and checking the split for leakage.
//
//   random      rows shuffled with the seed, then cut by fraction
//   stratified  the same within each class, so every split keeps the class shares
//   time:COL    rows ordered by COL; the earliest go to train, then validation, then test
//               (train on the past, test on the future); rows with equal times never
//               straddle a boundary
//   group:COL   all rows sharing a COL value land in one split (no user in two splits);
//               groups are shuffled with the seed and taken until each split's share is met
// Split sizes are round(fraction * rows) (by rows, for groups: as close as whole groups
// allow). Every eligible row lands in exactly one split; indices come back ascending.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "keel/status.h"
#include "keel/table.h"

namespace keel {

struct SplitSpec {
  enum class Kind : uint8_t { kRandom, kStratified, kTime, kGroup };
  Kind kind = Kind::kRandom;
  std::string column;  // time and group
  double test_size = 0.2;
  double valid_size = 0.0;
  uint64_t seed = 42;
};

// Parses "random", "stratified", "time:COL", "group:COL". Errors: InvalidArgument.
Result<SplitSpec> ParseSplitSpec(std::string_view text);

struct SplitRows {
  std::vector<uint32_t> train;
  std::vector<uint32_t> valid;
  std::vector<uint32_t> test;
};

// Splits `rows` (table row indices). `strata` gives each table row's class for stratified
// splits (ignored otherwise). Errors: NotFound for an absent time/group column;
// InvalidArgument for a time column that is not numeric/timestamp or has missing values
// among `rows` (naming the first such line), and for a split that leaves no training row.
Result<SplitRows> SplitTableRows(const Table& table, std::span<const uint32_t> rows,
                                 std::span<const double> strata, const SplitSpec& spec);

// The group of each of `rows` by the value of `column` (0, 1, ... in first-seen order; missing
// values form one group), as group:COL splits group rows. Errors: NotFound for an absent column.
Result<std::vector<uint32_t>> GroupOfRows(const Table& table, const std::string& column,
                                          std::span<const uint32_t> rows);

// Rows of one split whose feature values exactly equal those of a row in another.
struct LeakageReport {
  uint64_t test_rows_in_train = 0;   // test rows with an identical feature row in train
  uint64_t valid_rows_in_train = 0;  // validation rows with one in train
  // Up to 5 examples: (test or validation row's source line, train row's source line).
  std::vector<std::pair<uint64_t, uint64_t>> examples;
};

// Hashes each row's values of `columns` (table column indices) and counts exact duplicates
// shared between train and test / validation. Hash matches are confirmed cell by cell.
LeakageReport FindLeakage(const Table& table, std::span<const size_t> columns,
                          const SplitRows& split, int threads);

// FindLeakage from a hash of each row's feature values (train/stream_bins.h, which no longer
// has the values to compare cell by cell): per split row, in split order; `line_of` maps a
// table row to its source line. A hash match counts as a repeat (64-bit hashes).
LeakageReport FindLeakageByHash(const SplitRows& split, std::span<const uint64_t> train_hashes,
                                std::span<const uint64_t> valid_hashes,
                                std::span<const uint64_t> test_hashes, const Table& lines);

// The report's warning about test rows repeating training rows, when there are any.
void AddLeakageWarning(const LeakageReport& leakage, std::vector<std::string>* warnings);

}  // namespace keel
