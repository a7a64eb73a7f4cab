// Gradient boosting of histogram trees on binned data.
//
// Each iteration computes gradients of the loss at the current margins, grows one tree per
// output (TreeLearner), adds learning_rate * leaf values to the margins, and (with a
// validation set) tracks the validation loss for early stopping. The result is in IR form
// (model/model.h) plus the final margins of the training and validation rows.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/context.h"
#include "model/model.h"
#include "train/binning.h"
#include "train/objective.h"
#include "train/tree_learner.h"

namespace keel {

// The boosting settings. No defaults of its own: GbdtConfigOf (train/learner_config.h) fills it
// from the parameter table's values; zero only keeps a default-constructed config initialised.
// Threads and the progress bar come from the Context TrainGbdt is given.
struct GbdtConfig {
  ObjectiveConfig objective;
  TreeConfig tree;
  int num_trees = 0;
  double learning_rate = 0;
  double subsample = 0;
  double colsample = 0;
  int early_stopping_rounds = 0;  // 0 = off; needs a validation set
  uint64_t seed = 0;
  // Distributed training (train/distributed.h): the base margin from every rank's rows; set
  // tree.collective too. nullptr = one process.
  Collective* collective = nullptr;
};

// Binned rows with their labels (and weights; empty = 1).
struct BinnedSet {
  const BinnedMatrix* bins = nullptr;
  std::span<const double> labels;
  std::span<const float> weights;
};

struct GbdtResult {
  Forest forest;
  std::vector<double> base_margin;    // per output
  int iterations = 0;                 // iterations kept (trees per output)
  int best_iteration = -1;            // 0-based, when early stopping ran
  std::string stopping_metric;        // name of the validation loss
  std::vector<double> valid_loss;     // per iteration, when a validation set was given
  std::vector<double> train_margins;  // [row * K + k], for the kept iterations
  std::vector<double> valid_margins;
  // Training form of the kept trees (tree t adds to output t % K), for binned evaluation.
  std::vector<BinnedTree> binned_trees;
};

// Trains on `train`, watching `valid` when it has rows, on ctx.threads() workers with a
// progress bar when ctx.progress. Errors: InvalidArgument for empty training data; Internal for
// inconsistent inputs; Cancelled when ctx is cancelled (checked before each tree).
Result<GbdtResult> TrainGbdt(const BinnedSet& train, const BinnedSet& valid,
                             std::span<const BinMapper> mappers, const GbdtConfig& config,
                             const Context& ctx);

// Margins [row * K + k] of every row of `bins` under `base_margin` + learning_rate * the
// trees' leaf values (the binned-form prediction; equal to predicting the IR on the raw rows).
std::vector<double> PredictBinned(const BinnedMatrix& bins, std::span<const BinnedTree> trees,
                                  std::span<const double> base_margin, double learning_rate,
                                  int threads);

}  // namespace keel
