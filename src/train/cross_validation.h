// k-fold cross-validation of the training rows, for small data (params `folds`, `cv_below`;
// docs/calibration.md).
//
// On small data a validation split is expensive twice: its rows are not trained on, and the
// metrics, early stopping, calibration and conformal scores rest on a few hundred rows. With k
// folds every training row is held out once: fold i trains on the other folds' rows (stopping
// early on its own held-out rows) and predicts its own. The result is the out-of-fold (OOF)
// predictions of every training row, the folds' metrics, and the number of trees each fold
// kept; Train (train/trainer.h) then refits on all training rows with RefitTrees of them, and
// the calibration and conformal scores are fitted on the OOF predictions (usecase/held_out_fit).
//
// Folds are seeded and follow the split method: stratified (each class dealt evenly over the
// folds), random, or group:COL (all rows of a group in one fold). A time split has no k-fold
// (its folds would train on the future): AssignFolds refuses it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/context.h"
#include "keel/status.h"
#include "keel/table.h"
#include "train/split.h"
#include "train/trainer.h"

namespace keel {

// The held-out rows of each of `k` folds of `rows` (table row indices), each ascending; the
// folds are disjoint and together hold every row once. `strata` is each table row's class
// (stratified); `spec` gives the kind, the group column and the seed. Fold sizes differ by at
// most one row (stratified: per class too); group folds are as even as whole groups allow
// (largest groups first, each to the fold with the fewest rows). Errors: InvalidArgument for
// k < 2, fewer rows (groups) than k, and a time split; NotFound for an absent group column.
Result<std::vector<std::vector<uint32_t>>> AssignFolds(const Table& table,
                                                       std::span<const uint32_t> rows,
                                                       std::span<const double> strata,
                                                       const SplitSpec& spec, int k);

struct CvFold {
  std::vector<uint32_t> held_out;  // table rows, ascending
  int trees = 0;                   // gbdt: trees per output kept (the best iteration); linear: 0
  std::vector<std::pair<std::string, double>> metrics;  // on its held-out rows (SplitMetrics)
};

struct CvResult {
  int folds = 0;
  std::vector<uint32_t> rows;  // the rows cross-validated (data.split.train), ascending
  // Out-of-fold margins, rows.size() x num_outputs, in `rows` order: row i's margin comes from
  // the fold that held it out.
  std::vector<double> oof_margins;
  std::vector<std::pair<std::string, double>> oof_metrics;  // of all OOF margins together
  // Per metric over the folds: the mean and the standard deviation (n - 1; NaN for one fold).
  std::vector<std::pair<std::string, double>> mean, std;
  std::vector<CvFold> fold;
  int refit_trees = 0;  // gbdt: RefitTrees of the folds' trees; linear: 0
  double seconds = 0;
};

// Cross-validates options.params on data.split.train over data.folds (PrepareTraining assigns
// them when params.folds resolves to k >= 2): each fold is fitted as Train fits a model
// (FitModel: same features, weights, parameters, early stopping on the fold's held-out rows)
// with ctx's threads and no progress bar. Errors: InvalidArgument when data.folds is empty;
// those of FitModel; Cancelled.
Result<CvResult> CrossValidate(const TrainingData& data, const TrainOptions& options,
                               const Context& ctx);

// The trees of the refit on all training rows: the mean of the folds' kept trees scaled by
// k/(k-1) (the refit has k/(k-1) times the rows of a fold's training part, and more rows bear
// more trees before over-fitting), rounded, within [1, max_trees] (max_trees for fewer than 2
// folds). Measured on credit_data and attrition over 8 seeds (docs/calibration.md): test AUC
// 0.8360 and 0.8221 scaled against 0.8358 and 0.8168 unscaled.
int RefitTrees(std::span<const CvFold> folds, int max_trees);

// "5-fold CV on 800 rows, refit on all 800 rows, 43 trees" (the trees for gbdt only).
std::string CvSummary(const CvResult& cv, const std::string& algo);

// {"folds", "rows", "refit_trees", "oof": {metrics}, "mean": {...}, "std": {...},
//  "fold": [{"rows", "trees", metrics...}], "seconds", "summary"}; non-finite numbers as null.
nlohmann::json CvToJson(const CvResult& cv, const std::string& algo);

}  // namespace keel
