// `keel drift`, and the drift step of `keel run`: new data compared with a reference feature
// by feature (KS, chi-square, PSI, Jensen-Shannon, Wasserstein; docs/drift.md), with a
// verdict per feature and for the data set. The reference is a model's training profile
// (then the new data's predictions are compared too) or reference rows.
//
// `keel drift --save-profile` is the second use case here: building a model's training profile
// from its training data and writing the model with it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/context.h"
#include "data/ingest.h"
#include "drift/drift_detector.h"
#include "drift/model_profile.h"
#include "drift/table_drift.h"
#include "keel/status.h"
#include "usecase/scoring.h"

namespace keel::usecase {

struct DriftRequest {
  // A model (.keel: its training profile is the reference) or a data file (.csv, .tsv,
  // .jsonl: its inferred schema reads the new data too).
  std::string reference_path;
  std::string data_path;  // the new data
  // Set: read the reference data or the new data instead of the files (the paths then only
  // name them); a reference read this way is data, not a model.
  DataReader read_reference, read_data;
  char decimal = 0;  // CSV decimal mark of both files; 0 = sniff
  // The tests and thresholds, the numeric bins of a data reference, the label column.
  drift::TableDriftOptions options;
  bool histograms = false;  // ToJson: each feature's reference and current histogram
};

struct DriftResult {
  DriftRequest request;
  bool model_reference = false;  // else a data file
  drift::DriftReport report;
  double seconds = 0;

  // The data set, the predictions or the labels drifted.
  bool drifted() const;
  // `keel drift --json`: drift::DriftReportToJson plus the paths, the reference kind, seconds.
  nlohmann::json ToJson() const;
  // A table of the features' verdicts and the data set's, for a terminal.
  std::string ToText() const;
};

// Errors: InvalidArgument for options out of range; the model's (LoadModel, NotFound when it
// has no training profile) and the files' (ReadTable); the comparison's.
Result<DriftResult> Drift(const DriftRequest& request, const Context& ctx);

// Reads data to compare with reference rows or a profile: with `schema` when given (a column
// the data lacks is reported drifted, not an error), warning about records the reader rejected.
Result<IngestResult> ReadForDrift(const std::string& path, const Schema* schema, char decimal,
                                  const Context& ctx, const DataReader& reader = nullptr);

// The drift of `current` against `reference` rows, both read with `schema`: what Drift does
// with a data-file reference, for tables in memory (`keel run` compares its training rows with
// its test rows or with drift.data).
Result<drift::DriftReport> DriftOfRows(const Table& reference, const Table& current,
                                       const Schema& schema,
                                       const drift::TableDriftOptions& options, const Context& ctx);

struct SaveProfileRequest {
  ScoringInput input;    // the model and its training data
  std::string out_path;  // the model with the profile is written here
  // The profile's layout and the selection threshold of its per-group rates.
  drift::ReferenceProfileOptions options;
};

struct SaveProfileResult {
  SaveProfileRequest request;
  uint64_t rows = 0;
  size_t columns = 0;
  double read_seconds = 0, predict_seconds = 0, profile_seconds = 0, total_seconds = 0;

  nlohmann::json ToJson() const;
  std::string ToText() const;  // one line
};

// Builds the model's training profile from the data (with the model's predictions) and writes
// the model with it. Errors: the model's and the data's (LoadForScoring), the profile's,
// writing the model.
Result<SaveProfileResult> SaveProfile(const SaveProfileRequest& request, const Context& ctx);

// True when the file starts with the .keel artifact magic.
bool IsModelFile(const std::string& path);

}  // namespace keel::usecase
