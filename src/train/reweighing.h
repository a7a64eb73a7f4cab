// Reweighing (Kamiran and Calders 2012): training-row weights that make the label independent
// of a sensitive attribute in the weighted data, a pre-processing fairness mitigation.
//
// A row of group g with label y gets the weight
//     w(g, y) = P(G = g) * P(Y = y) / P(G = g, Y = y) = n_g * n_y / (n * n_gy)
// i.e. the count the cell (g, y) would have if G and Y were independent, over the count it has.
// When every group has every label, under these weights every group has the overall label
// rate and the weights sum to n. A group lacking a label (n_gy = 0) cannot be balanced: its
// rows keep their cells' weights, its rate of that label stays 0 and the sum falls below n. The
// model still sees the same features; only how much each row counts changes. `keel train
// --reweigh COL` multiplies these weights into any sample weights it already uses.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "data/schema.h"
#include "keel/status.h"
#include "keel/table.h"
#include "train/trainer.h"

namespace keel {

// Weights for rows with class index `labels[i]` (>= 0; binary or multiclass) and group code
// `groups[i]` (>= 0), one per row, in row order. Thread-safe, no state.
// Errors: InvalidArgument when the spans differ in length, are empty, or hold a negative value
// (naming the row).
Result<std::vector<double>> ComputeReweighingWeights(std::span<const int32_t> labels,
                                                     std::span<const int32_t> groups);

// The column `keel train --reweigh` adds to hold the weights.
inline constexpr const char* kReweighingColumn = "keel_reweighing_weight";

// Prepares `table` for reweighed training: reads the target as Train() will (options->target,
// task, objective and positive), computes the weights of the rows that have a target from
// `groups` (one code >= 0 per table row), multiplies in the sample weights Train() would have
// used (options->weight_column, else the schema's weight-role column), adds them as the numeric
// column kReweighingColumn and points options->weight_column at it. The grouping is the
// caller's (the CLI groups the sensitive column with the fairness stage's AssignGroups).
// Errors: those of ReadTarget; InvalidArgument for a regression target, a group span of the
// wrong length or a negative code, a bad sample weight; AlreadyExists when the table already
// has kReweighingColumn.
Status AddReweighingWeights(std::span<const int32_t> groups, const Schema& schema, Table* table,
                            TrainOptions* options);

}  // namespace keel
