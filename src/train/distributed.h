// The parts of distributed training (train/collective.h) that happen once per run rather than
// per node: checking that the ranks agree on what they train, the shared bin edges and the
// base margin from every rank's rows.
//
// Each rank holds some of the training rows (its shard). Everything computed from rows is
// computed as one process would compute it from the rows of all ranks concatenated in rank
// order, so that with the same parameters the model equals one process's on that data.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "keel/status.h"
#include "train/binning.h"
#include "train/collective.h"
#include "train/objective.h"
#include "train/params.h"

namespace keel {

// What distributed training does not support yet, refused with a message naming the option:
// an algorithm other than gbdt, a validation split (valid_size > 0), row subsampling
// (subsample < 1), objectives that refit leaves from residual medians (absolute error,
// quantile), class_weight balanced (weights from one shard's classes), categorical features.
Status CheckDistributable(const TrainParams& params, Objective objective,
                          std::span<const RawFeature> features);

// Every rank must train on the same features, in the same order, and the same classes:
// `description` (features, classes, task) is compared with rank 0's. Errors: InvalidArgument
// naming this rank and what differs (e.g. a feature constant in this rank's shard, or a
// positive class inferred differently: pass --positive).
Status CheckRanksAgree(const std::string& description, Collective& c);

// The bin mappers of the numeric features fitted on the training rows of every rank (each
// rank's `rows` of `features`, gathered in rank order): the same mappers on every rank, equal
// to those one process fits on all the rows. The values are gathered whole, so each rank
// briefly holds one feature of all ranks' rows at a time.
Result<std::vector<BinMapper>> FitSharedMappers(std::span<const RawFeature> features,
                                                std::span<const uint32_t> rows, int max_bins,
                                                Collective& c);

// BaseMargin over every rank's labels and weights (gathered in rank order).
Result<std::vector<double>> SharedBaseMargin(const ObjectiveConfig& config,
                                             std::span<const double> labels,
                                             std::span<const float> weights, Collective& c);

}  // namespace keel
