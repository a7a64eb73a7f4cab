// Drift between data tables: a reference data file against a current one, or a model's
// training profile against current data.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/context.h"
#include "data/schema.h"
#include "drift/drift_detector.h"
#include "drift/profile.h"
#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"

namespace keel::drift {

struct TableDriftOptions {
  DriftOptions drift;
  // Reference quantile bins for PSI/Jensen-Shannon on numeric columns.
  uint32_t numeric_bins = 20;
  // The label column (compared as label drift); empty = the schema's target, if any.
  std::string target;
};

// Compares every column of `reference` with the same column of `current` (both read with
// `schema`) on raw values, so KS and Wasserstein are exact. Compared: numeric, timestamp
// (not counted in the dataset share), categorical and boolean columns whose role is feature,
// sensitive or target (the target as label drift). Skipped, and listed in
// DriftReport::skipped with the reason: id, pii, time, weight and ignore roles, string
// columns (ids, free text). A column the current data lacks is reported drifted (all
// missing). Columns are compared in parallel on the Context's threads. Errors:
// InvalidArgument from the options.
Result<DriftReport> CompareTables(const Table& reference, const Table& current,
                                  const Schema& schema, const TableDriftOptions& options,
                                  const Context& ctx);

// Compares a model's training profile with current data: features from `current` (raw
// values against the profile), predictions (`predictions`, as in model_profile.h; empty =
// prediction drift not checked) and labels when `current` has the target column.
// Errors: InvalidArgument from the options or a predictions size mismatch.
Result<DriftReport> CompareTableToProfile(const Profile& reference, const Model& model,
                                          const Table& current, std::span<const double> predictions,
                                          const TableDriftOptions& options, const Context& ctx);

}  // namespace keel::drift
