// keel predict: score a data file with a model, one output row per input record
// (usecase/predict.h). This file binds flags and prints.
#include <cstdio>

#include "command.h"
#include "reader_flags.h"
#include "usecase/predict.h"

namespace keel::cli {
namespace {

struct PredictFlags {
  CommonFlags common;
  usecase::PredictRequest request;
  int threads = 0;
};

int Run(const PredictFlags& f) {
  ApplyCommonFlags(f.common);
  return PrintResult(usecase::Predict(f.request, CommandContext(f.common, f.threads)), f.common);
}

}  // namespace

Command AddPredictCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "predict",
      "Score a CSV or JSON Lines file with a model: one output row per input record, in order");
  auto f = std::make_shared<PredictFlags>();
  usecase::PredictRequest& r = f->request;
  sub->add_option("--model", r.input.model_path,
                  "Model file (.keel, from `keel train` or `keel import`)")
      ->required();
  sub->add_option("--data", r.input.data_path,
                  "Data to score (.csv, .tsv, .jsonl). Columns are read with the model's schema; "
                  "only the model's features are needed (no target), extra columns are ignored")
      ->required();
  sub->add_option("--out", r.out_path,
                  "Predictions CSV to write, or - for stdout. Columns: the id column (if the "
                  "schema has one), then prob_<class> per class (binary: the positive class "
                  "last) or `prediction` (regression)")
      ->required();
  sub->add_flag("--raw", r.raw,
                "Also write the raw margins: raw_<class> (binary: the positive class; "
                "regression: `raw`). Default: off");
  sub->add_option("--interval", r.interval,
                  "Also write split-conformal intervals at this level, e.g. 0.9: columns lower "
                  "and upper (regression: prediction -+ q) or set (classification: the classes "
                  "whose 1 - p is at most q, joined by |, possibly empty). Needs a model trained "
                  "with validation rows (docs/calibration.md). Default: none")
      ->check(CLI::Range(0.0, 1.0));
  AddDecimalFlag(sub, &r.input.decimal);
  AddMissingFlags(sub, &r.input.missing_tokens);
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--rejects", r.input.rejects_path,
                  "Write the records the reader rejected (line, column, kind, reason, raw text) "
                  "to this CSV. They always get an output line of empty cells and a warning on "
                  "stderr (default: no file)");
  sub->add_flag("--allow-missing-columns", r.input.allow_missing_columns,
                "Treat a feature column absent from the data as missing in every row instead "
                "of failing (default: fail)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
