// Outcomes fed back for logged predictions (`POST /v1/models/{name}/feedback`, `keel log
// feedback`): the labels table of the prediction log (prediction_log_store.h), one label per
// (model, record id), joined to the predictions by record id when the challenger report reads
// them (challenger_report.h).
//
// Nothing is dropped silently: every label sent is counted as stored or duplicate, and the
// stored ones also as unknown (no logged prediction of that model has the id yet: the log
// writes in the background, so the row may still arrive, and the label then joins) or late
// (the prediction was logged longer ago than `late_after_us`). A duplicate (an id labeled
// before, or twice in one batch) keeps the first label.
//
// Thread-safety: as for the SqlDatabase passed in (one thread at a time).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "keel/status.h"
#include "registry/sql_database.h"

namespace keel::registry {

struct FedBackLabel {
  std::string record_id;  // as the log keys it (pseudonymized already when it is pii)
  std::string label;      // the outcome's text: a class name, or a number for regression
};

struct FeedbackCounts {
  uint64_t received = 0;
  uint64_t stored = 0;
  uint64_t duplicates = 0;  // not stored: the id already had a label
  uint64_t unknown = 0;     // stored, but no logged prediction has the id (yet)
  uint64_t late = 0;        // stored, for a prediction logged more than late_after_us ago
};

// Stores `labels` of `model` in one transaction (all or none), committed before it returns,
// and counts them. The log's tables must exist (EnsurePredictionLogSchema). Errors: IoError.
Result<FeedbackCounts> StoreLabels(SqlDatabase& db, std::string_view model,
                                   std::span<const FedBackLabel> labels, int64_t now_us,
                                   int64_t late_after_us);

}  // namespace keel::registry
