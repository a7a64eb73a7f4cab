// Training parameters, declared once.
//
// Every tunable of `keel train` (split, GBDT, linear baseline, runtime) is one row of the table
// returned by ParamTable(): its name (the keel.yaml key), CLI flag, type, default, bounds and
// help. The CLI flags, keel.yaml keys, validation and docs/params.md are all derived from
// that table (STYLE.md item 9), so a parameter cannot be documented in one place and
// behave differently in another. TrainParams holds the parsed values; its member
// initialisers are not the defaults: DefaultParams() applies the table's defaults.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keel/status.h"

namespace keel {

enum class Task : uint8_t;  // model/model.h

struct TrainParams {
  // What to train.
  std::string algo;  // "gbdt" | "linear"
  std::string task;  // "auto" | "binary" | "multiclass" | "regression"
  // "auto" | "squared" | "absolute" | "huber" | "quantile" | "poisson" | "gamma" | "tweedie"
  // (regression only)
  std::string objective;
  // How rows are split.
  std::string split;  // "auto" | "random" | "stratified" | "time:COL" | "group:COL"
  double test_size = 0;
  double valid_size = 0;  // kAutoValidSize = "auto" (ResolvedValidSize)
  // k-fold cross-validation of the non-test rows, then a refit on all of them
  // (train/cross_validation.h). kAutoParam = "auto" (ResolvedFolds); 0 and 1 = off.
  int folds = 0;
  int cv_below = 0;  // "auto" folds apply below this many non-test rows
  // GBDT.
  int num_trees = 0;
  int num_leaves = 0;
  int max_depth = 0;  // 0 = no limit
  double learning_rate = 0;
  int max_bins = 0;
  double lambda_l1 = 0;
  double lambda_l2 = 0;
  int min_data_in_leaf = 0;
  double min_sum_hessian = 0;
  double min_split_gain = 0;
  double subsample = 0;
  double colsample = 0;
  int quantized_grad = 0;  // gradient levels of quantized training, 0 = off
  int max_cat_bins = 0;
  int max_cat_to_onehot = 0;
  int max_cat_threshold = 0;
  double cat_smooth = 0;
  double cat_l2 = 0;
  int min_data_per_group = 0;
  double huber_delta = 0;
  double alpha = 0;                   // quantile level (objective quantile)
  std::string quantiles;              // "0.05,0.95": several levels in one model ("" = none)
  double tweedie_variance_power = 0;  // objective tweedie
  std::string class_weight;           // "none" | "balanced"
  std::string calibrate;              // "none" | "isotonic" | "sigmoid"
  int early_stopping_rounds = 0;
  std::string tune;  // "off" | a budget (train/tune.h ParseTuneBudget)
  // Constraints (train/constraints.h has the text forms; "" = none).
  std::string monotone;      // "Income=-1,Debt=+1"
  std::string interactions;  // "a,b;c,d,e"
  // Linear baseline.
  double linear_l2 = 0;
  int linear_top_k = 0;
  int linear_max_iter = 0;
  double linear_tol = 0;
  // Runtime.
  int threads = 0;
  // Training straight from the file (train/stream_bins.h): "auto" | "on" | "off".
  std::string stream;
  int64_t seed = 0;
};

// One row of the parameter table.
struct ParamSpec {
  enum class Type : uint8_t { kInt, kDouble, kString };
  using Member = std::variant<int TrainParams::*, int64_t TrainParams::*, double TrainParams::*,
                              std::string TrainParams::*>;

  std::string_view name;   // keel.yaml key and JSON name, e.g. "num_leaves"
  std::string_view flag;   // CLI long flag without dashes, e.g. "leaves"
  std::string_view group;  // "split", "gbdt", "linear", "runtime", "task"
  Type type = Type::kInt;
  std::string_view default_text;  // the default, as a user would write it
  double min = 0;                 // numeric bounds, inclusive unless *_open
  double max = 0;
  bool min_open = false;
  bool max_open = false;
  // kString: the allowed values separated by '|'; a trailing ':' on a value means
  // "followed by an argument" (e.g. "time:" allows "time:event_time").
  // kDouble, kInt: a word accepted besides numbers (e.g. "auto"), stored as kAutoParam; "" =
  // none.
  std::string_view choices;
  std::string_view help;
  Member member;
  // kString with free-form text (no `choices`): the check of its syntax, and the form shown in
  // --help and docs/params.md.
  Status (*check)(std::string_view text) = nullptr;
  std::string_view syntax;
  // Non-zero: the CLI flag may be repeated, its values joined with this character (and
  // keel.yaml takes a map or list, see usecase/project.cc).
  char repeat_join = 0;
};

// The stored value of a number parameter set to its word (ParamSpec::choices), e.g.
// valid_size "auto". Outside every numeric range, so it is never mistaken for a value.
inline constexpr double kAutoParam = -1;

// valid_size "auto": this share of the rows left after the test split is held out for
// validation, when at least kAutoValidMinRows rows are left; else none.
inline constexpr double kAutoValidShare = 0.1;
inline constexpr uint64_t kAutoValidMinRows = 500;

// The validation fraction (of all eligible rows, as SplitSpec takes it) that `params` ask for
// when `eligible_rows` rows have a target: valid_size itself, or for "auto" kAutoValidShare of
// the non-test rows (0 below kAutoValidMinRows of them, and 0 when ResolvedFolds gives folds:
// cross-validation takes the place of the validation split).
double ResolvedValidSize(const TrainParams& params, uint64_t eligible_rows, Task task);

// "auto" folds: this many when they apply (ResolvedFolds), and the fewest non-test rows they
// apply to (fewer leave folds too small to stop early on).
inline constexpr int kAutoFolds = 5;
inline constexpr uint64_t kAutoFoldsMinRows = 100;

// The folds of k-fold cross-validation `params` ask for when `eligible_rows` rows have a
// target: `folds` itself when given (0 or 1 = none), else for "auto" kAutoFolds when the
// non-test rows number at least kAutoFoldsMinRows and fewer than cv_below, valid_size is
// "auto" (a validation split given explicitly wins) and the split is not by time (whose
// validation rows, the most recent, are the honest estimate; k-fold would train on the
// future), and the task is not a regression (a regression keeps its validation split: the
// split-conformal intervals fitted on it hold their coverage exactly, while out-of-fold
// residuals come from models trained on fewer rows than the refit and give intervals that run
// wide: ames, 0.955 at 0.9 against 0.944 split); else 0. `why_not`, when not null, gets the
// reason "auto" gave 0 ("" otherwise).
int ResolvedFolds(const TrainParams& params, uint64_t eligible_rows, Task task,
                  std::string* why_not = nullptr);

// All parameters, in documentation order.
std::span<const ParamSpec> ParamTable();

// The CLI flags of a parameter, without the leading dashes: its flag, then its keel.yaml name
// with '-' for '_' when that differs ("trees", "num-trees"), so the name a user knows from
// keel.yaml works on the command line too.
std::vector<std::string> ParamFlags(const ParamSpec& spec);

// The spec called `name` (keel.yaml key) or with CLI flag `name` (any of ParamFlags); nullptr
// if unknown.
const ParamSpec* FindParam(std::string_view name);

// Parameters set to the table's defaults.
TrainParams DefaultParams();

// Parses `text` as the value of `spec` and stores it in `params`. Errors: InvalidArgument
// naming the parameter, the value and the allowed range or choices.
Status SetParam(const ParamSpec& spec, std::string_view text, TrainParams* params);
// Same, by name (keel.yaml key or CLI flag). Errors: NotFound for an unknown name, naming the
// nearest known one when it looks like a typo.
Status SetParam(std::string_view name, std::string_view text, TrainParams* params);

// Checks every parameter against its bounds and the cross-parameter rules (e.g.
// test_size + valid_size < 1). Errors: InvalidArgument naming the parameter.
Status ValidateParams(const TrainParams& params);

// True for an error about a parameter's value (InvalidArgument, message starting
// "parameter ", after any context), including those found only once the data is read (e.g. a
// monotone constraint naming no feature): a usage error on the command line.
bool IsParamError(const Status& status);

// The value of `spec` in `params` as text (shortest round-trip for doubles).
std::string ParamText(const ParamSpec& spec, const TrainParams& params);
// All parameters as a JSON object {name: value} (numbers as numbers).
nlohmann::json ParamsToJson(const TrainParams& params);

// The help line of a parameter for --help: help text, bounds or choices, and the default.
std::string ParamHelp(const ParamSpec& spec);

// docs/params.md, generated from the table (a test checks the committed file matches).
std::string RenderParamsMarkdown();

}  // namespace keel
