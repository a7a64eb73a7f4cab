// Training a model from a table: the whole of `keel train` below the command line.
//
// Reads the target (task inference, label mapping), splits the rows (train / validation /
// test), chooses and reads the features, trains a GBDT or the linear baseline, and returns
// the model IR (model/model.h) with lineage and per-split metrics, plus a report. Metrics here
// are computed from the trained model in its training form; they equal the saved model's
// predictions on the same rows (the train use case, usecase/train.h, recomputes them from the
// IR through the predictor, which this stage never links).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/context.h"
#include "data/schema.h"
#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"
#include "train/collective.h"
#include "train/feature_set.h"
#include "train/params.h"
#include "train/split.h"
#include "train/target.h"
#include "train/tune.h"

namespace keel {

struct TrainOptions {
  std::string target;
  std::string positive;  // binary: the positive class's raw label ("" = schema, else minority)
  std::vector<std::string> exclude;  // columns not to use as features
  bool include_sensitive = false;    // train on columns whose role is sensitive
  std::string weight_column;         // "" = the schema's weight-role column, if any
  TrainParams params = DefaultParams();
  // For lineage: the data file (hashed with SHA-256) and the ingest counts; optional.
  std::string data_path;
  nlohmann::json data_info;
  // Distributed training (docs/distributed.md): `table` is this rank's shard and the model is
  // trained on the rows of every rank (train/distributed.h). nullptr = one process.
  Collective* collective = nullptr;
};

struct SplitResult {
  std::string name;  // "train", "valid", "test"
  uint64_t rows = 0;
  std::vector<std::pair<std::string, double>> metrics;
};

struct TrainReport {
  std::string algo;
  Task task = Task::kBinary;
  Objective objective = Objective::kBinaryLogistic;
  std::string split_method;
  // Where the validation rows came from: "given" (valid_size > 0), "auto" (the automatic
  // split, params.h ResolvedValidSize), "none", or "none (auto: ...)" saying why not; with
  // k-fold cross-validation, CvSummary's "5-fold CV on N rows, refit on all N rows, T trees".
  std::string validation;
  // train, then valid (or cv: the out-of-fold metrics of k-fold) and test when they have rows
  std::vector<SplitResult> splits;
  double seconds = 0;       // preparing data, binning and fitting
  double fit_seconds = 0;   // the boosting / solver loop alone
  int iterations = 0;       // trees per output kept (gbdt), solver iterations (linear)
  int best_iteration = -1;  // gbdt with a validation split
  bool converged = true;    // linear solver reached its tolerance
  std::string stopping_metric;
  std::vector<double> valid_loss;  // per boosting iteration
  uint64_t rows_total = 0;
  uint64_t rows_missing_target = 0;
  std::vector<ExcludedColumn> excluded;
  LeakageReport leakage;
  std::vector<std::string> warnings;
  // Filled when the model is finished (usecase/held_out_fit.h); null when not applicable.
  nlohmann::json calibration;       // reliability and ECE before/after on valid and test rows
  nlohmann::json intervals;         // conformal coverage on the test rows, overall and per group
  nlohmann::json cross_validation;  // k-fold: CvToJson (train/cross_validation.h); else null
  // The search of params.tune (train/tune.h TuneResultToJson), or {"budget", "skipped": why}
  // (the warnings then say "tuning skipped: why");
  // null when tuning is off. Also the lineage's "tuning".
  nlohmann::json tuning;
};

struct TrainResult {
  Model model;
  TrainReport report;
  SplitRows split;  // table row indices of each split
  // Per table row: class index (classification) or value (regression); NaN without target.
  std::vector<double> labels;
  // k-fold: the out-of-fold margins of the split.train rows (rows x outputs, in split.train
  // order), which calibration and conformal scores are fitted on; empty without k-fold.
  std::vector<double> oof_margins;
  // FitPreparedBins only: each reported split's margins ("train", "valid", "test"), row-major.
  std::map<std::string, std::vector<double>> margins;
};

// Trains on `table` (read with `schema`) with ctx.threads() workers and a progress bar when
// ctx.progress; results do not depend on the thread count. The model's `sections` get
// "lineage" (data hash, rows per split, every parameter, seconds, created time, keel version)
// and "metrics" (per split). Errors: Cancelled when ctx is cancelled (between trees, or passes of
// the linear solver); InvalidArgument for bad parameters or data that cannot be
// trained on (see ReadTarget, BuildFeatures, SplitTableRows), naming the column and value, and for
// a class of the target that has no rows in the training split (e.g. all its rows fell in the test
// split of a time split). Features that are all missing or constant in the training rows are not
// errors: they are left out of the model and listed in report.excluded with the reason (an error
// only when no usable feature remains).
Result<TrainResult> Train(const Table& table, const Schema& schema, const TrainOptions& options,
                          const Context& ctx);

// Train() with params.tune on first runs the search (train/tune.h) on the prepared data, scored
// by ValidationScorer, and fits the winner (num_trees = its full budget; the lineage's
// parameters are the winner's). Without validation rows the search is skipped with a warning.

// Train() in two steps, for the fairness reduction, which fits further models on exactly the
// rows, labels, weights and features the plain model was trained on.
struct TrainingData {
  TargetInfo target;
  std::string split_text;  // the split method after "auto" is resolved
  SplitRows split;
  std::string weight_column;   // the sample weight column used, "" = none
  std::vector<float> weights;  // per table row, class weights applied; empty = all 1
  FeatureSet features;
  // k-fold cross-validation (params.folds resolved to k >= 2): the held-out rows of each fold,
  // which partition split.train (train/cross_validation.h AssignFolds); empty = none.
  std::vector<std::vector<uint32_t>> folds;
};
// The checks, the target, the weights, the split and the features (TrainReport gets what they
// found: rows, warnings, excluded columns, leakage). Errors: those documented at Train().
Result<TrainingData> PrepareTraining(const Table& table, const Schema& schema,
                                     const TrainOptions& options, const Context& ctx,
                                     TrainReport* report);
// PrepareTraining's first steps, for data whose features are read elsewhere (training straight
// from a file, train/stream_bins.h): the checks, the target, the weights and the split of
// `table`, which needs only the target, weight and split columns. Class weights are applied
// by ApplyTrainingClassWeights once the caller is done with the features.
Result<TrainingData> PrepareTargetAndSplit(const Table& table, const Schema& schema,
                                           const TrainOptions& options, TrainReport* report);
Status ApplyTrainingClassWeights(const TrainOptions& options, size_t num_rows, TrainingData* data);

// Fits the model on prepared data and completes the result (model, metrics, lineage).
// `report` is PrepareTraining's, its `seconds` the preparation's time.
Result<TrainResult> FitPrepared(const Table& table, const Schema& schema,
                                const TrainOptions& options, const TrainingData& data,
                                TrainReport report, const Context& ctx);

// Margins of each split's rows under a fitted model, in its training form (rows x outputs).
struct SplitMargins {
  std::vector<double> train, valid, test;
};
// The fit alone, on `split` (rows of `data`): options.params.algo trained on split.train,
// stopping early on split.valid (gbdt), with the model's task, features, labels, trees or
// weights set in `model` (not its schema, metrics or lineage) and the iterations, fit time and
// validation losses in `report`. FitPrepared fits data.split with it, cross-validation each
// fold. Errors: those documented at Train().
Result<SplitMargins> FitModel(const TrainOptions& options, const TrainingData& data,
                              const SplitRows& split, const Context& ctx, Model* model,
                              TrainReport* report);

// A TrialScorer (train/tune.h) on prepared data: a configuration's validation loss (the
// stopping metric) at the iteration early stopping keeps, fitted on the training rows binned
// once, here. The scorer borrows `data`, which must outlive it. Errors: FailedPrecondition when
// the split has no validation rows; the binning's.
Result<TrialScorer> ValidationScorer(const TrainOptions& options, const TrainingData& data,
                                     const Context& ctx);

// The binned rows of each split and the bin mappers they were binned with (one per feature of
// data.features.specs), for FitPreparedBins.
struct PreparedBins {
  std::vector<BinMapper> mappers;
  BinnedMatrix train, valid, test;
};
// FitPrepared for data already binned (data.features.raw may be empty): gbdt only, one process.
// The model is the one FitPrepared trains when the mappers and bins are the ones it would make;
// metrics, early stopping and the test margins come from the binned rows (a tree's thresholds
// are bin edges, so a binned row takes the branch its raw values take). `table` gives the row
// count for the lineage.
Result<TrainResult> FitPreparedBins(const Table& table, const Schema& schema,
                                    const TrainOptions& options, const TrainingData& data,
                                    PreparedBins bins, TrainReport report, const Context& ctx);

// The report as JSON: {"task", "algo", "objective", "splits": {"train": {"rows", metrics...},
// ...}, "seconds", ...}. Non-finite metrics are written as null.
nlohmann::json ReportToJson(const TrainReport& report);

}  // namespace keel
