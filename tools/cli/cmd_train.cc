// keel train: train a GBDT or the linear baseline on a data file, print per-split metrics,
// and save the model (usecase/train.h). This file binds flags and prints.
#include "command.h"
#include "reader_flags.h"
#include "train/fair_reduction.h"
#include "train/params.h"
#include "usecase/train.h"
#ifdef KEEL_WITH_MPI
#include "train/collective_mpi.h"
#endif

namespace keel::cli {
namespace {

struct TrainFlags {
  CommonFlags common;
  usecase::TrainRequest request;
  bool distributed = false;
  double distributed_timeout = 600;
  std::string distributed_sums = "exact";
};

#ifdef KEEL_WITH_MPI
// `mpirun -np N keel train --distributed --data shard_{rank}.csv ...`: each rank trains on its
// shard with the others (docs/distributed.md); rank 0 prints and writes the model. A rank that
// fails prints why and ends the whole job (MPI_Abort), so no rank waits for it forever.
int RunDistributed(TrainFlags f) {
  auto started = MpiCollective::Start(
      f.distributed_timeout, f.distributed_sums == "fast" ? MpiCollective::SumOrder::kRankTotals
                                                          : MpiCollective::SumOrder::kRowOrder);
  if (!started.ok()) return ReportError(started.status(), f.common);
  MpiCollective& mpi = **started;
  const std::string rank = std::to_string(mpi.rank());
  std::string& path = f.request.input.path;
  const size_t at = path.find("{rank}");
  if (at == std::string::npos && mpi.size() > 1) {
    return ReportUsageError(
        Status::InvalidArgument("--distributed: --data must name each rank's shard with {{rank}} "
                                "(shard_{{rank}}.csv); '{}' has none",
                                path),
        f.common);
  }
  if (at != std::string::npos) path.replace(at, 6, rank);
  if (mpi.rank() != 0) {
    f.request.out_path.clear();  // rank 0 writes the model
    f.common.quiet = true;
  }
  f.request.collective = &mpi;
  auto result = usecase::TrainModel(f.request, CommandContext(f.common, f.request.params.threads));
  if (!result.ok()) {
    const Status s =
        result.status().WithContext("rank " + rank + " of " + std::to_string(mpi.size()));
    const int code = ReportError(s, f.common);
    std::fflush(stdout);
    std::fflush(stderr);
    if (mpi.size() > 1) mpi.Abort(code);
    return code;
  }
  if (mpi.rank() == 0) PrintOutput(*result, f.common);
  return kExitOk;
}
#endif

int Run(const TrainFlags& f) {
  ApplyCommonFlags(f.common);
  // Each value passed its check when parsed; what is left are rules across parameters.
  Status s = ValidateParams(f.request.params);
  if (!s.ok()) return ReportUsageError(s, f.common);
  if (f.distributed) {
#ifdef KEEL_WITH_MPI
    return RunDistributed(f);
#else
    return ReportUsageError(
        Status::Unsupported("--distributed: this keel was built without MPI (install "
                            "libopenmpi-dev and rebuild, docs/distributed.md)"),
        f.common);
#endif
  }
  auto result = usecase::TrainModel(f.request, CommandContext(f.common, f.request.params.threads));
  // A parameter that only the data shows to be wrong (a monotone constraint naming no
  // feature) is still a usage error.
  if (!result.ok() && IsParamError(result.status())) {
    return ReportUsageError(result.status(), f.common);
  }
  return PrintResult(result, f.common);
}

}  // namespace

Command AddTrainCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "train",
      "Train a gradient-boosted tree ensemble (or the linear baseline) on a data file, print "
      "the metrics of each split (train/validation/test) and save the model");
  auto f = std::make_shared<TrainFlags>();
  usecase::TrainRequest& r = f->request;
  sub->add_option("--data", r.input.path, "Training data (.csv, .tsv, .jsonl)")->required();
  sub->add_option("--target", r.target, "The column to predict")->required();
  sub->add_option("--out", r.out_path,
                  "Write the model here (.keel), with its training profile for drift checks; "
                  "default: not saved");
  sub->add_option("--schema", r.input.schema_path,
                  "Schema YAML: column kinds, roles (id, time, sensitive, weight, ignore are not "
                  "features) and the target's label mapping (default: inferred)");
  sub->add_option("--positive", r.positive,
                  "Positive class of a binary target (default: the schema's label mapping, "
                  "else the minority class)");
  sub->add_option("--exclude", r.exclude,
                  "Columns not to use as features, comma-separated or repeated (default: "
                  "none)")
      ->delimiter(',');
  sub->add_flag("--include-sensitive", r.include_sensitive,
                "Also train on columns whose schema role is sensitive (default: excluded)");
  sub->add_option("--weight", r.weight_column,
                  "Sample weight column (default: the schema's weight-role column, else none)");
  AddKindFlag(sub, &r.input.options.kind_overrides);
  AddDecimalFlag(sub, &r.input.options.decimal);
  sub->add_option("--sensitive", r.sensitive,
                  "Sensitive columns, comma-separated or repeated: not used as features (unless "
                  "--include-sensitive) and audited by `keel audit` (default: the schema's)")
      ->delimiter(',');
  sub->add_option("--reweigh", r.reweigh,
                  "Reweigh training rows so the label is independent of this sensitive column "
                  "(Kamiran-Calders; multiplies any sample weights; default: off)");
  sub->add_option("--fair-attribute", r.fair_attribute,
                  "Train under a fairness constraint on this sensitive column (exponentiated-"
                  "gradient reduction; the model does not need the column to predict; default: "
                  "off). See docs/fairness.md");
  sub->add_option_function<std::string>(
         "--fair-constraint",
         [&r](const std::string& text) { ParseFairConstraint(text, &r.fair.constraint); },
         "demographic_parity or equalized_odds (default: demographic_parity)")
      ->check(ChoiceCheck(&ParseFairConstraint, "demographic_parity or equalized_odds"));
  sub->add_option("--fair-bound", r.fair.bound,
                  "Largest allowed demographic parity / equalized odds difference, judged on the "
                  "validation split if any, else the training rows (default: 0.05)")
      ->check(CLI::Range(0.001, 1.0));
  sub->add_option("--fair-iterations", r.fair.iterations,
                  "Models trained by the reduction (default: 15)")
      ->check(CLI::Range(1, 200));
  // Every training parameter from the table: its flag and its keel.yaml name with dashes
  // (--trees, --num-trees), its value checked when the flags are parsed (a bad one is a usage
  // error, exit 2).
  for (const ParamSpec& spec : ParamTable()) {
    std::string names;
    for (const std::string& flag : ParamFlags(spec)) names += (names.empty() ? "--" : ",--") + flag;
    auto check = StatusCheck([&spec](const std::string& text) {
      TrainParams scratch = DefaultParams();
      return SetParam(spec, text, &scratch);
    });
    if (spec.repeat_join != 0) {
      // Repeatable (--monotone A=1 --monotone B=-1): the values joined, then checked together
      // by ValidateParams in Run (e.g. a name given twice).
      auto set_all = [&spec, &r](const std::vector<std::string>& texts) {
        std::string joined;
        for (const std::string& t : texts) {
          if (!joined.empty()) joined += spec.repeat_join;
          joined += t;
        }
        r.params.*std::get<std::string TrainParams::*>(spec.member) = joined;
      };
      sub->add_option_function<std::vector<std::string>>(names, set_all, ParamHelp(spec))
          ->type_name("TEXT")
          ->expected(1)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
          ->check(check);
      continue;
    }
    // The value was checked when parsed, so setting it cannot fail.
    auto set = [&spec, &r](const std::string& text) { (void)SetParam(spec, text, &r.params); };
    sub->add_option_function<std::string>(names, set, ParamHelp(spec))
        ->type_name(spec.type == ParamSpec::Type::kInt      ? "INT"
                    : spec.type == ParamSpec::Type::kDouble ? "FLOAT"
                                                            : "TEXT")
        ->check(check);
  }
  sub->add_flag("--distributed", f->distributed,
                "Train on several processes over MPI: run under `mpirun -np N`, each rank reads "
                "--data with {rank} replaced by its rank and rank 0 writes --out (see "
                "docs/distributed.md; default: off)");
  sub->add_option("--distributed-timeout", f->distributed_timeout,
                  "Seconds a rank waits for the others in one exchange before it ends the job "
                  "with an error (a rank that stopped answering); 0 = wait forever (default: "
                  "600)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--distributed-sums", f->distributed_sums,
                  "How ranks add histograms: exact (a running sum in row order, the model of one "
                  "process on all rows, ranks take turns) or fast (each rank sums its rows at "
                  "once, rank 0 adds the totals in rank order: deterministic, equal up to "
                  "rounding; default: exact)")
      ->check(CLI::IsMember({"exact", "fast"}));
  AddCommonFlags(sub, &f->common);
  sub->footer(
      "Parameters are documented in docs/params.md; each also takes its keel.yaml name as a "
      "flag (--num-trees for --trees).");
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
