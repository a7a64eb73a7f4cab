// `keel train`: train a GBDT or the linear baseline on a data file (optionally reweighed or
// under a fairness constraint), report the metrics of each split and save the model.
//
// Every model training writes is finished the same way (FinishTrainedModel, which `keel run`
// calls for its baseline and candidate too): the metrics of each split are recomputed from
// the model IR through the predictor, i.e. exactly what `keel predict` gives for those rows
// (the train stage never links the predictor), and the model carries its training profile
// (drift/model_profile.h), so `keel drift --reference model.keel`, live drift windows and
// CBPE work on any trained model.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/context.h"
#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"
#include "train/fair_reduction.h"
#include "train/params.h"
#include "train/trainer.h"
#include "usecase/held_out_fit.h"
#include "usecase/ingest.h"

namespace keel::usecase {

struct TrainRequest {
  DataInput input;       // the training data (its schema file and reader settings)
  std::string target;    // the column to predict
  std::string out_path;  // write the model here (.keel); "" = not saved
  std::string positive;  // positive class of a binary target ("" = schema's, else minority)
  std::vector<std::string> exclude;  // columns not to use as features
  bool include_sensitive = false;    // also train on sensitive-role columns
  std::string weight_column;         // "" = the schema's weight-role column, else none
  // Fairness (docs/fairness.md): sensitive columns (not features unless include_sensitive),
  // Kamiran-Calders reweighing by one of them, or the exponentiated-gradient reduction.
  std::vector<std::string> sensitive;
  std::string reweigh;         // "" = off
  std::string fair_attribute;  // "" = off
  FairReductionOptions fair;
  TrainParams params = DefaultParams();  // the parameter table's defaults
  // Distributed training (docs/distributed.md): input is this rank's shard, the model is
  // trained on every rank's rows; the report's metrics and the training profile are of this
  // rank's rows. Borrowed; nullptr = one process.
  Collective* collective = nullptr;
  // Training straight from the file (params.stream): bytes of the file read at once; 0 = 16 MiB.
  size_t stream_piece_bytes = 0;
};

struct TrainModelResult {
  TrainRequest request;
  TrainReport report;               // split metrics from the model IR
  Model model;                      // as saved
  FairReductionReport fair_report;  // when request.fair_attribute is set

  nlohmann::json ToJson() const;
  // The summary: task, features, split, a table of metrics per split, leakage, exclusions,
  // warnings and where the model went.
  std::string ToText() const;
};

// Reads the data, groups the sensitive columns, trains (reweighed or reduced when asked),
// finishes the model (FinishTrainedModel) and saves it when out_path is set. Errors: bad
// parameters (InvalidArgument), the reader's, a sensitive column not in the data, Train's /
// TrainFairReduction's (with the data file named), the profile's, the writer's.
Result<TrainModelResult> TrainModel(const TrainRequest& request, const Context& ctx);

// Whether TrainModel trains `request` straight from its file (params.stream, train/stream_bins.h):
// "" when it does, else why not (for the log). Errors: InvalidArgument when params.stream is
// "on" and the run needs what that path does not do.
Result<std::string> StreamRefusal(const TrainRequest& request);

// TrainModel straight from the file: the model of TrainModel when the bin edges are exact; the
// split metrics come from the binned rows, and the training profile from up to 100,000 of the
// training rows (every k-th).
Result<TrainModelResult> TrainModelFromFile(const TrainRequest& request, const Context& ctx);

// The data section of the model's lineage for a file read with report `ir` (counts); warns
// when records were rejected.
nlohmann::json IngestLineage(const IngestReport& ir, const std::string& path);

// The training options of `request` (TrainModelOnTable's), for data at `path`.
TrainOptions TrainOptionsOf(const TrainRequest& request, const std::string& path,
                            nlohmann::json data_lineage);

// Training data already in memory (e.g. a pandas DataFrame's columns), as ReadInput would
// give it: the table of the rows used and its schema (kinds, categories, roles).
struct TrainingTable {
  Table table;
  Schema schema;
  std::string name;        // names the data in messages ("the DataFrame", a file path)
  std::string path;        // the data file, hashed into the model's lineage; "" = none
  nlohmann::json lineage;  // what the model's lineage says of the data (counts, shape, hash)
};

// TrainModel on `data` instead of request.input (which is not read): the same training,
// finishing and saving, so the same table and schema give the same model as a file read into
// them. Errors: as TrainModel's, without the reader's.
Result<TrainModelResult> TrainModelOnTable(const TrainRequest& request, TrainingTable data,
                                           const Context& ctx);

// What makes a trained model complete, wherever it is trained: the report's and the model's
// split metrics recomputed from the IR through the predictor (a training-form value that
// differs beyond rounding is logged), the calibration (params.calibrate) and conformal scores
// fitted on the validation rows (usecase/held_out_fit.h; the metrics are then the calibrated
// model's), and the training profile of the training rows with the model's predictions.
// `table` is the table `trained` was trained on. Errors: also FitHeldOut's.
Status FinishTrainedModel(const Table& table, const TrainParams& params, const Context& ctx,
                          keel::TrainResult* trained);

// The rows the training profile is built from: `rows` of `data` (every row when empty); the
// predictions are the training margins at `train_index` (positions in the train split; empty =
// all of them, in order).
struct ProfileRows {
  const Table& data;
  std::span<const uint32_t> rows;
  std::span<const uint32_t> train_index = {};
};
// FinishTrainedModel's steps after the split metrics: calibration and conformal scores
// (FitHeldOut on `table`, which needs only the target and sensitive columns), the metrics
// section, and the training profile, from each split's margins (held_out_fit.h).
Status FinishFromMargins(const Table& table, const TrainParams& params,
                         SplitMarginMap split_margins, const ProfileRows& profile,
                         const Context& ctx, keel::TrainResult* trained);

}  // namespace keel::usecase
