// Training data straight from a CSV file: the binned matrix (one byte per value) without the
// table of doubles. Memory is one piece of the file (data/csv_pieces.h) plus the bins, the
// labels, weights and split of every row, and per feature its distinct values (or a summary).
//
// Three passes over the file, each piece by piece (every ingestion rule applies unchanged):
//   1. the target, weight and split columns of every row, kept as a small Table (so the
//      target, the split (the same rows as Train() picks for the same seed) and the weights
//      come from the same code as Train()'s, PrepareTargetAndSplit);
//   2. per feature, over the training rows: the distinct values with their counts
//      (train/value_counts.h: exact up to 65,536 distinct values, then a quantile summary) or
//      the categories with their counts; the feature set and its exclusions as BuildFeatures
//      decides them; the bin mappers;
//   3. the rows of each split binned into their matrices.
// When every numeric feature's counts are exact, the mappers, the bins and so the model equal
// Train()'s on the table ReadTable gives. The leakage check (test rows repeating a training
// row) compares 64-bit hashes of the rows' feature values (FindLeakageByHash).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/context.h"
#include "data/ingest.h"
#include "train/trainer.h"

namespace keel {

struct StreamedTrainingData {
  Table rows;           // the target, weight and split columns of every used row, with source lines
  Schema schema;        // the data's schema (kinds of every column), as ReadTable would give it
  IngestReport ingest;  // the file's counts, rejects and anomalies (data/csv_pieces.h)
  TrainingData data;    // target, split, weights; features.specs and .excluded (no .raw)
  PreparedBins bins;
  std::vector<std::string> summarized;  // numeric features whose edges came from a summary
  // For the training profile: every column of up to kProfileRows training rows (every k-th of
  // the train split), and each one's position in the train split.
  Table profile_rows;
  std::vector<uint32_t> profile_train_index;
};

inline constexpr size_t kProfileRows = 100000;

// Reads and bins `path` for training with `options` (the schema, if any, in read.schema).
// `piece_bytes` bounds the text read at once. Errors: those of ReadCsvPieces and
// PrepareTraining; Unsupported for what this path does not do (algo linear, distributed).
Result<StreamedTrainingData> StreamTrainingData(const std::string& path, const ReadOptions& read,
                                                const TrainOptions& options, size_t piece_bytes,
                                                const Context& ctx, TrainReport* report);

}  // namespace keel
