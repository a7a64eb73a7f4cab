// What every use case that scores a file with a model shares (predict, explain, and the ones
// that need labels on top: evaluate, compare, audit): the model loaded and compiled, and the
// data read with the model's schema.
//
// Scoring needs only the model's feature columns: a file without the target (new data), the
// id, time or sensitive columns is scored as it is. Use cases that need labels ask for the
// target on top (ScoringInput::require_target) and say so when it is absent.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/context.h"
#include "data/ingest.h"
#include "data/missing_tokens.h"
#include "keel/status.h"
#include "model/model.h"
#include "predict/predictor.h"

namespace keel::usecase {

// Reads data held in memory instead of a file (the Python package's DataFrames), given the
// options the use case reads the file with (the model's schema, ...), as ReadTable would.
using DataReader = std::function<Result<IngestResult>(const ReadOptions& options)>;

// Reads `path` with `options`, or calls `reader` when it is set (the path then only names the
// data in messages and results).
Result<IngestResult> ReadData(const std::string& path, const DataReader& reader,
                              const ReadOptions& options, const Context& ctx);

// The request part shared by every use case that reads a file to score.
struct ScoringInput {
  std::string model_path;    // .keel
  std::string data_path;     // .csv, .tsv, .jsonl
  std::string rejects_path;  // write the reader's rejected records here ("" = no file)
  char decimal = 0;          // CSV decimal mark; 0 = sniff (then the model's, then '.')
  // Cell texts read as missing (data/missing_tokens.h): a stand-in such as "-999" that the
  // model's training data used for missing values (XGBoost's DMatrix `missing`) goes here.
  std::vector<std::string> missing_tokens = DefaultMissingTokens();
  // A model feature column absent from the data is missing in every row instead of an error.
  bool allow_missing_columns = false;
  DataReader read_data;  // set: reads the data instead of data_path's file
};

struct LoadedScoring {
  Model model;
  std::unique_ptr<Predictor> predictor;
  IngestResult data;
  double load_seconds = 0;  // loading and compiling the model
  double read_seconds = 0;
};

// Loads and compiles the model, then reads the data with its schema, requiring its feature
// columns (none with allow_missing_columns) and, when `require_target_for` names a use case,
// the target as well ("the data has no column 'churn', the model's target, which evaluate
// needs for labels"). Writes the rejects file when asked. Errors: the model's (naming its
// path), the reader's, an absent required column.
Result<LoadedScoring> LoadForScoring(const ScoringInput& input, const Context& ctx,
                                     const char* require_target_for = nullptr);

// Logs each rejected record (up to 20, then a count) as "<data>:<line>: record not <verb>
// (empty cells in the output): reason", so no record disappears without a word.
void WarnRejected(const IngestReport& report, const ScoringInput& input, const char* verb);

// The schema's id column when the data has it, else "".
std::string IdColumnIn(const Model& model, const Table& table);

}  // namespace keel::usecase
