// keel explain: per-row attributions (exact TreeSHAP or linear) of a model on a data file, with
// reason codes on request and global importance in the summary (usecase/explain.h). This file
// binds flags and prints.
#include <cstdio>

#include "command.h"
#include "reader_flags.h"
#include "usecase/explain.h"

namespace keel::cli {
namespace {

struct ExplainFlags {
  CommonFlags common;
  usecase::ExplainRequest request;
  int threads = 0;
};

int Run(const ExplainFlags& f) {
  ApplyCommonFlags(f.common);
  return PrintResult(usecase::Explain(f.request, CommandContext(f.common, f.threads)), f.common);
}

}  // namespace

Command AddExplainCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "explain",
      "Explain a model's predictions on a data file: exact TreeSHAP (forests) or linear "
      "attributions per row, in raw margin units, with optional reason codes");
  auto f = std::make_shared<ExplainFlags>();
  usecase::ExplainRequest& r = f->request;
  sub->add_option("--model", r.input.model_path,
                  "Model file (.keel, from `keel train` or `keel import`)")
      ->required();
  sub->add_option("--data", r.input.data_path,
                  "Data to explain (.csv, .tsv, .jsonl). Columns are read with the model's "
                  "schema; extra columns are ignored")
      ->required();
  sub->add_option("--out", r.out_path,
                  "SHAP CSV to write, or - for stdout. Columns: the id column (if the schema has "
                  "one), one per model feature named as the feature, and `bias` (the expected "
                  "value); multiclass: `<class>:<feature>` and `<class>:bias` per class. Each "
                  "row sums to the raw margin. Rejected records get a line of empty cells")
      ->required();
  sub->add_option("--top", r.top,
                  "Also write reason codes: the K features that raised and lowered each row's "
                  "score most (columns up_<i>_feature/_value/_shap, down_<i>_..., and a "
                  "`reason` sentence). Default: 0 (none); 4 is the usual adverse-action count")
      ->check(CLI::Range(0, 1000));
  sub->add_option("--class", r.reason_class,
                  "Multiclass: the class whose score reason codes explain (default: each row's "
                  "predicted class)");
  AddDecimalFlag(sub, &r.input.decimal);
  AddMissingFlags(sub, &r.input.missing_tokens);
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--rejects", r.input.rejects_path,
                  "Write the records the reader rejected (line, column, kind, reason, raw text) "
                  "to this CSV (default: no file; they are always listed on stderr)");
  sub->add_flag("--allow-missing-columns", r.input.allow_missing_columns,
                "Treat a feature column absent from the data as missing in every row instead "
                "of failing (default: fail)");
  sub->add_option("--algorithm", r.algorithm,
                  "TreeSHAP form: auto (subset tables within the memory cap, leaf polynomials "
                  "elsewhere), table, or polynomial. All give the same values (default: auto)")
      ->check(CLI::IsMember({"auto", "table", "polynomial"}));
  sub->add_option("--max-table-mb", r.max_table_mb,
                  "Memory cap for TreeSHAP's precomputed subset tables, in MiB; trees beyond it "
                  "use leaf polynomials (default: 256)");
  sub->add_option("--partial-dependence", r.partial_dependence,
                  "Also compute the partial dependence of the predictions on this feature "
                  "(in the --json summary, or printed; default: none)");
  sub->add_option("--grid-points", r.grid_points,
                  "Partial dependence: quantile grid points of a numeric feature (default: 20)")
      ->check(CLI::Range(2, 1000));
  sub->add_option("--latency-calls", r.latency_calls,
                  "Also time N single-row explanations (one row per call on one thread, as a "
                  "server answers a request; cycling over the data's rows) and report median "
                  "and p99 microseconds (default: 0, not measured)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
