#include "train/params.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/nearest_name.h"
#include "core/number_format.h"
#include "model/model.h"
#include "train/constraints.h"
#include "train/objective.h"
#include "train/tune.h"

namespace keel {
namespace {

using T = ParamSpec::Type;
constexpr double kInf = std::numeric_limits<double>::infinity();

Status CheckMonotoneText(std::string_view text) {
  std::vector<std::pair<std::string, int>> unused;
  return ParseMonotone(text, &unused);
}

Status CheckQuantilesText(std::string_view text) {
  if (text.empty()) return Status::OK();  // none: one quantile (alpha) or another objective
  return ParseQuantileLevels(text).status();
}

Status CheckTuneText(std::string_view text) {
  return ParseTuneBudget(text).status();
}

Status CheckInteractionsText(std::string_view text) {
  std::vector<std::vector<std::string>> unused;
  return ParseInteractions(text, &unused);
}

// The one declaration of every training parameter. Order = documentation order.
const ParamSpec kParams[] = {
    // --- what to train ---------------------------------------------------------------
    {"algo", "algo", "task", T::kString, "gbdt", 0, 0, false, false, "gbdt|linear",
     "Model family: gradient-boosted trees, or the L2-regularised linear baseline (logistic "
     "regression for classification, linear regression for regression)",
     &TrainParams::algo},
    {"task", "task", "task", T::kString, "auto", 0, 0, false, false,
     "auto|binary|multiclass|regression",
     "What the target is. auto: two distinct values = binary, a text/categorical target with "
     "more = multiclass, a numeric target with more = regression",
     &TrainParams::task},
    {"objective", "objective", "task", T::kString, "auto", 0, 0, false, false,
     "auto|squared|absolute|huber|quantile|poisson|gamma|tweedie",
     "Regression loss (classification always uses log loss; docs/regression_objectives.md); "
     "auto = squared. quantile: the alpha-quantile (pinball loss; --quantiles fits several "
     "levels in one model). "
     "poisson (counts, target >= 0), gamma (positive costs, target > 0) and tweedie (target "
     ">= 0, zeros and positive amounts) fit log(mean): predictions are e^raw score, SHAP "
     "values stay in that log space",
     &TrainParams::objective},
    {"class_weight", "class-weight", "task", T::kString, "none", 0, 0, false, false,
     "none|balanced",
     "Class weights: balanced weighs each class by rows / (classes * rows of the class)",
     &TrainParams::class_weight},
    {"calibrate", "calibrate", "task", T::kString, "none", 0, 0, false, false,
     "none|isotonic|sigmoid",
     "Probability calibration fitted on the validation rows (never the training rows) and "
     "applied by every prediction path: isotonic (monotone steps) or sigmoid (Platt); "
     "multiclass calibrates each class against the rest, then renormalises. Needs validation "
     "rows (classification only)",
     &TrainParams::calibrate},
    // --- splits -----------------------------------------------------------------------
    {"split", "split", "split", T::kString, "auto", 0, 0, false, false,
     "auto|random|stratified|time:|group:",
     "How rows are split into train/validation/test. auto = stratified for classification, "
     "random for regression; time:COL trains on the past (earliest rows by COL) and tests on "
     "the future; group:COL keeps all rows of one COL value in one split",
     &TrainParams::split},
    {"test_size", "test-size", "split", T::kDouble, "0.2", 0, 1, false, true, "",
     "Fraction of rows held out for the test split (0 = none)", &TrainParams::test_size},
    {"valid_size", "valid-size", "split", T::kDouble, "auto", 0, 1, false, true, "auto",
     "Fraction of rows held out for validation (early stopping, calibration, conformal "
     "intervals); 0 = none. auto = 10% of the non-test rows when there are at least 500 of "
     "them and k-fold cross-validation (folds) is off, else none",
     &TrainParams::valid_size},
    // --- validation -------------------------------------------------------------------
    {"folds", "folds", "validation", T::kInt, "auto", 0, 100, false, false, "auto",
     "k-fold cross-validation of the non-test rows: each fold trains (stopping early) on the "
     "others and predicts its own rows; the metrics are the folds' (named cv), calibration "
     "and conformal scores are fitted on the out-of-fold predictions, and the model is refit "
     "on all non-test rows with the folds' mean number of trees times k/(k-1) "
     "(docs/calibration.md). 0 or 1 = off (a validation split instead). auto = 5 when there are at "
     "least 100 and fewer than "
     "cv_below non-test rows, valid_size is auto, the split is not by time and the task is "
     "not a regression (which keeps a validation split for its split-conformal intervals); "
     "else off",
     &TrainParams::folds},
    {"cv_below", "cv-below", "validation", T::kInt, "20000", 0, 1e9, false, false, "",
     "folds auto cross-validates data with fewer non-test rows than this (0 = never)",
     &TrainParams::cv_below},
    // --- gbdt ---------------------------------------------------------------------------
    {"num_trees", "trees", "gbdt", T::kInt, "100", 1, 100000, false, false, "",
     "Boosting iterations (trees per class)", &TrainParams::num_trees},
    {"num_leaves", "leaves", "gbdt", T::kInt, "31", 2, 65536, false, false, "",
     "Maximum leaves per tree (trees grow leaf-wise, best split first)", &TrainParams::num_leaves},
    {"max_depth", "depth", "gbdt", T::kInt, "0", 0, 64, false, false, "",
     "Maximum tree depth (0 = no limit beyond num_leaves)", &TrainParams::max_depth},
    {"learning_rate", "lr", "gbdt", T::kDouble, "0.1", 0, 1, true, false, "",
     "Shrinkage applied to every leaf value", &TrainParams::learning_rate},
    {"max_bins", "bins", "gbdt", T::kInt, "255", 2, 255, false, false, "",
     "Histogram bins per numeric feature (quantile edges); missing values get a bin of "
     "their own",
     &TrainParams::max_bins},
    {"lambda_l1", "l1", "gbdt", T::kDouble, "0", 0, kInf, false, false, "",
     "L1 regularisation of leaf values", &TrainParams::lambda_l1},
    {"lambda_l2", "l2", "gbdt", T::kDouble, "1", 0, kInf, false, false, "",
     "L2 regularisation of leaf values", &TrainParams::lambda_l2},
    {"min_data_in_leaf", "min-data-in-leaf", "gbdt", T::kInt, "20", 1, 1e9, false, false, "",
     "Minimum training rows in a leaf", &TrainParams::min_data_in_leaf},
    {"min_sum_hessian", "min-hessian", "gbdt", T::kDouble, "3", 0, kInf, false, false, "",
     "Minimum sum of hessians (weighted) in a leaf. For log loss a row adds p(1-p), so leaves "
     "of rows the model is already sure about stop splitting: the main guard against "
     "over-fitting small data (XGBoost's min_child_weight)",
     &TrainParams::min_sum_hessian},
    {"min_split_gain", "min-split-gain", "gbdt", T::kDouble, "0", 0, kInf, false, false, "",
     "Minimum loss reduction to make a split", &TrainParams::min_split_gain},
    {"subsample", "subsample", "gbdt", T::kDouble, "1", 0, 1, true, false, "",
     "Fraction of training rows sampled (without replacement) for each tree",
     &TrainParams::subsample},
    {"colsample", "colsample", "gbdt", T::kDouble, "1", 0, 1, true, false, "",
     "Fraction of features sampled for each tree", &TrainParams::colsample},
    {"quantized_grad", "quantized-grad", "gbdt", T::kInt, "0", 0, 254, false, false, "",
     "Quantized training: 0 = off (histograms of the exact gradients); L > 0 (1 counts as 2) = "
     "each tree is "
     "grown on gradients stochastically rounded to L + 1 integer levels (hessians likewise) "
     "with integer histograms, then its leaf values are refit from the exact gradients "
     "(faster histograms; the tree shapes can differ slightly; not with --distributed)",
     &TrainParams::quantized_grad},
    {"max_cat_bins", "max-cat-bins", "gbdt", T::kInt, "254", 1, 254, false, false, "",
     "Categories of a categorical feature that get a bin of their own (most frequent "
     "first); the rest share an 'other' bin",
     &TrainParams::max_cat_bins},
    {"max_cat_to_onehot", "max-cat-to-onehot", "gbdt", T::kInt, "4", 1, 256, false, false, "",
     "Categorical features with at most this many categories in a node split one category "
     "against the rest",
     &TrainParams::max_cat_to_onehot},
    {"max_cat_threshold", "max-cat-threshold", "gbdt", T::kInt, "32", 1, 256, false, false, "",
     "Most categories on the listed side of a many-vs-many categorical split",
     &TrainParams::max_cat_threshold},
    {"cat_smooth", "cat-smooth", "gbdt", T::kDouble, "10", 0, kInf, false, false, "",
     "Smoothing added to the hessian when categories are ordered by gradient/hessian",
     &TrainParams::cat_smooth},
    {"cat_l2", "cat-l2", "gbdt", T::kDouble, "10", 0, kInf, false, false, "",
     "Extra L2 regularisation for many-vs-many categorical splits", &TrainParams::cat_l2},
    {"min_data_per_group", "min-data-per-group", "gbdt", T::kInt, "20", 1, 1e9, false, false, "",
     "Minimum rows of a category for it to be ordered in a many-vs-many split",
     &TrainParams::min_data_per_group},
    {"huber_delta", "huber-delta", "gbdt", T::kDouble, "1", 0, kInf, true, false, "",
     "Residual size where the huber loss turns from squared to absolute",
     &TrainParams::huber_delta},
    {"alpha", "alpha", "gbdt", T::kDouble, "0.9", 0, 1, true, true, "",
     "Quantile level of --objective quantile: the model predicts the value the target stays "
     "at or below with this probability (as LightGBM's alpha, default 0.9)",
     &TrainParams::alpha},
    {"quantiles", "quantiles", "gbdt", T::kString, "", 0, 0, false, false, "",
     "Several quantile levels in one model of --objective quantile (e.g. 0.05,0.95): one "
     "output per level, predicted sorted so they never cross (columns quantile_<level>); "
     "--interval then gives conformalized quantile intervals (docs/regression_objectives.md). "
     "Repeat the flag or join with ','; keel.yaml takes a list",
     &TrainParams::quantiles, &CheckQuantilesText, "LEVEL,LEVEL,...", ','},
    {"tweedie_variance_power", "tweedie-variance-power", "gbdt", T::kDouble, "1.5", 1, 2, true,
     true, "",
     "Variance power rho of --objective tweedie (variance = phi * mean^rho): near 1 behaves "
     "like poisson, near 2 like gamma",
     &TrainParams::tweedie_variance_power},
    {"early_stopping_rounds", "early-stopping", "gbdt", T::kInt, "50", 0, 1e9, false, false, "",
     "Stop when the validation loss has not improved for this many iterations (needs "
     "validation rows, see valid_size; 0 = never stop early); the model keeps the best "
     "iteration",
     &TrainParams::early_stopping_rounds},
    {"tune", "tune", "gbdt", T::kString, "off", 0, 0, false, false, "",
     "Hyperparameter search before the final fit (docs/tuning.md): successive halving over "
     "learning_rate, num_leaves, min_data_in_leaf, lambda_l2, min_sum_hessian and colsample, "
     "seeded by seed, scored on the validation rows with early stopping; the caller's values are "
     "always one of the configurations tried, and num_trees is chosen by the search. Budget: "
     "off, Ntrials (deterministic), Ns or Nm of wall time, both joined by '/' (whichever runs out "
     "first), or auto (40trials/60s). keel run tunes its candidate with auto unless keel.yaml "
     "says otherwise",
     &TrainParams::tune, &CheckTuneText, "off, auto, Ntrials, Ns, Nm or Ntrials/Ns"},
    // --- constraints ------------------------------------------------------------------
    {"monotone", "monotone", "constraints", T::kString, "", 0, 0, false, false, "",
     "Monotone constraints (gbdt): NAME=+1 makes predictions (each class's score for multiclass) "
     "never decrease as "
     "numeric feature NAME grows (all else fixed), NAME=-1 never increase; 0 or absent = free. "
     "Repeat the flag or "
     "join with ','; keel.yaml takes a map {NAME: 1, OTHER: -1}. Rows with NAME missing are not "
     "on its scale and are not ordered against the others. The trained model is checked to obey "
     "them (docs/constraints.md)",
     &TrainParams::monotone, &CheckMonotoneText, "NAME=DIR,... (DIR: +1, 1, -1, 0)", ','},
    {"interactions", "interactions", "constraints", T::kString, "", 0, 0, false, false, "",
     "Interaction constraints (gbdt): groups of features separated by ';', names by ','; along "
     "any path of a tree all features split on belong to one group. Features in no group form "
     "one more group together. Repeat the flag for more groups; keel.yaml takes a list of "
     "lists. The trained model is checked to obey them (docs/constraints.md)",
     &TrainParams::interactions, &CheckInteractionsText, "a,b;c,d,e", ';'},
    // --- linear -------------------------------------------------------------------------
    {"linear_l2", "linear-l2", "linear", T::kDouble, "0.001", 0, kInf, false, false, "",
     "L2 penalty of the linear baseline: minimises mean loss + linear_l2/2 * |w|^2 over "
     "standardised inputs (the intercept is not penalised)",
     &TrainParams::linear_l2},
    {"linear_top_k", "linear-top-k", "linear", T::kInt, "20", 1, 10000, false, false, "",
     "Categories one-hot encoded per categorical feature (most frequent first); the rest "
     "share an 'other' indicator",
     &TrainParams::linear_top_k},
    {"linear_max_iter", "linear-max-iter", "linear", T::kInt, "1000", 1, 1e6, false, false, "",
     "Maximum L-BFGS iterations. A fit that runs out of them before linear_tol warns to raise "
     "this; one that stops earlier because its loss no longer falls measurably (10 iterations "
     "without progress: the precision limit) warns that more iterations would not help",
     &TrainParams::linear_max_iter},
    {"linear_tol", "linear-tol", "linear", T::kDouble, "1e-07", 0, 1, true, false, "",
     "Convergence tolerance: stop when the largest gradient component of the fitted objective "
     "is below it",
     &TrainParams::linear_tol},
    // --- runtime ------------------------------------------------------------------------
    {"threads", "threads", "runtime", T::kInt, "0", 0, 1024, false, false, "",
     "Worker threads (0 = all cores)", &TrainParams::threads},
    {"stream", "stream", "runtime", T::kString, "auto", 0, 0, false, false, "auto|on|off",
     "Train straight from a CSV file: read it three times piece by piece and keep only the "
     "binned rows (one byte per value), never the table of values. auto = when the file is at "
     "least 128 MiB and the run allows it (gbdt, one process, no --reweigh or "
     "--fair-attribute); on = whenever the run allows it. Edges of a feature with more than "
     "65,536 distinct training values come from a quantile summary (docs/large_data.md)",
     &TrainParams::stream},
    {"seed", "seed", "runtime", T::kInt, "42", 0, 9.2e18, false, false, "",
     "Seed of every random choice (splits, subsampling); equal seeds repeat runs exactly",
     &TrainParams::seed},
};

bool ParseInt(std::string_view text, int64_t* out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && p == text.data() + text.size() && !text.empty();
}

bool ParseDouble(std::string_view text, double* out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && p == text.data() + text.size() && !text.empty();
}

std::string BoundsText(const ParamSpec& s) {
  if (s.type == T::kString) return "";
  auto num = [&](double v) {
    if (std::isinf(v)) return std::string(v > 0 ? "inf" : "-inf");
    return FormatDouble(v);
  };
  return std::string(s.min_open ? "(" : "[") + num(s.min) + ", " + num(s.max) +
         (s.max_open ? ")" : "]");
}

Status CheckBounds(const ParamSpec& s, double v, std::string_view text) {
  const bool low_ok = s.min_open ? v > s.min : v >= s.min;
  const bool high_ok = s.max_open ? v < s.max : v <= s.max;
  if (!std::isfinite(v) || !low_ok || !high_ok) {
    return Status::InvalidArgument("parameter {} (--{}) = '{}' is outside its range {}", s.name,
                                   s.flag, text, BoundsText(s));
  }
  return Status::OK();
}

// True when `text` is one of the '|'-separated choices ("x:" accepts "x:<something>").
bool MatchesChoice(std::string_view choices, std::string_view text) {
  size_t start = 0;
  while (start <= choices.size()) {
    size_t end = choices.find('|', start);
    if (end == std::string_view::npos) end = choices.size();
    std::string_view c = choices.substr(start, end - start);
    if (!c.empty() && c.back() == ':') {
      if (text.size() > c.size() && text.substr(0, c.size()) == c) return true;
    } else if (c == text) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

}  // namespace

std::span<const ParamSpec> ParamTable() {
  return kParams;
}

std::vector<std::string> ParamFlags(const ParamSpec& spec) {
  std::vector<std::string> flags = {std::string(spec.flag)};
  std::string dashed(spec.name);
  std::replace(dashed.begin(), dashed.end(), '_', '-');
  if (dashed != spec.flag) flags.push_back(std::move(dashed));
  return flags;
}

const ParamSpec* FindParam(std::string_view name) {
  for (const ParamSpec& s : kParams) {
    if (s.name == name) return &s;
    for (const std::string& flag : ParamFlags(s)) {
      if (flag == name) return &s;
    }
  }
  return nullptr;
}

Status SetParam(const ParamSpec& spec, std::string_view text, TrainParams* params) {
  return std::visit(
      [&](auto member) -> Status {
        using M = decltype(member);
        if constexpr (std::is_same_v<M, std::string TrainParams::*>) {
          if (spec.check != nullptr) {
            KEEL_RETURN_IF_ERROR(spec.check(text));
          } else if (!MatchesChoice(spec.choices, text)) {
            return Status::InvalidArgument("parameter {} (--{}) = '{}' is not one of {}", spec.name,
                                           spec.flag, text, spec.choices);
          }
          params->*member = std::string(text);
        } else if constexpr (std::is_same_v<M, double TrainParams::*>) {
          double v = 0;
          if (!spec.choices.empty() && text == spec.choices) {
            params->*member = kAutoParam;
            return Status::OK();
          }
          if (!ParseDouble(text, &v)) {
            return Status::InvalidArgument("parameter {} (--{}) = '{}' is not a number", spec.name,
                                           spec.flag, text);
          }
          KEEL_RETURN_IF_ERROR(CheckBounds(spec, v, text));
          params->*member = v;
        } else {
          int64_t v = 0;
          if (!spec.choices.empty() && text == spec.choices) {
            params->*member = static_cast<int>(kAutoParam);
            return Status::OK();
          }
          if (!ParseInt(text, &v)) {
            return Status::InvalidArgument("parameter {} (--{}) = '{}' is not an integer",
                                           spec.name, spec.flag, text);
          }
          KEEL_RETURN_IF_ERROR(CheckBounds(spec, static_cast<double>(v), text));
          using V = std::remove_reference_t<decltype(params->*member)>;
          params->*member = static_cast<V>(v);
        }
        return Status::OK();
      },
      spec.member);
}

Status SetParam(std::string_view name, std::string_view text, TrainParams* params) {
  const ParamSpec* spec = FindParam(name);
  if (spec == nullptr) {
    std::vector<std::string> names;
    for (const ParamSpec& s : kParams) names.emplace_back(s.name);
    return Status::NotFound("unknown training parameter '{}'{}", name, DidYouMean(name, names));
  }
  return SetParam(*spec, text, params);
}

TrainParams DefaultParams() {
  TrainParams p;
  for (const ParamSpec& s : kParams) {
    Status st = SetParam(s, s.default_text, &p);
    // The table's own defaults are valid by construction; a failure is our bug.
    assert(st.ok());
    st.IgnoreError();
  }
  return p;
}

std::string ParamText(const ParamSpec& spec, const TrainParams& params) {
  return std::visit(
      [&](auto member) -> std::string {
        using M = decltype(member);
        if constexpr (std::is_same_v<M, std::string TrainParams::*>) {
          return params.*member;
        } else if constexpr (std::is_same_v<M, double TrainParams::*>) {
          if (!spec.choices.empty() && params.*member == kAutoParam) {
            return std::string(spec.choices);
          }
          return FormatDouble(params.*member);
        } else {
          if (!spec.choices.empty() && params.*member == static_cast<int>(kAutoParam)) {
            return std::string(spec.choices);
          }
          return std::to_string(params.*member);
        }
      },
      spec.member);
}

nlohmann::json ParamsToJson(const TrainParams& params) {
  nlohmann::json j = nlohmann::json::object();
  for (const ParamSpec& s : kParams) {
    std::visit(
        [&](auto member) {
          using M = decltype(member);
          if constexpr (std::is_same_v<M, double TrainParams::*> ||
                        std::is_same_v<M, int TrainParams::*>) {
            if (!s.choices.empty() && params.*member == static_cast<int>(kAutoParam)) {
              j[std::string(s.name)] = std::string(s.choices);
              return;
            }
          }
          j[std::string(s.name)] = params.*member;
        },
        s.member);
  }
  return j;
}

Status ValidateParams(const TrainParams& params) {
  // Re-parsing each value through its spec applies exactly the checks a user's text gets.
  TrainParams scratch = params;
  for (const ParamSpec& s : kParams) {
    KEEL_RETURN_IF_ERROR(SetParam(s, ParamText(s, params), &scratch));
  }
  if (params.valid_size != kAutoParam && params.test_size + params.valid_size >= 1.0) {
    return Status::InvalidArgument(
        "test_size ({}) + valid_size ({}) leaves no rows for training: their sum must be "
        "below 1",
        FormatDouble(params.test_size), FormatDouble(params.valid_size));
  }
  if (params.folds >= 2 && params.valid_size > 0) {
    return Status::InvalidArgument(
        "parameter folds (--folds) = {} and valid_size = {} both ask for held-out rows: "
        "cross-validation replaces the validation split (give one of them)",
        params.folds, FormatDouble(params.valid_size));
  }
  if (params.folds >= 2 && params.split.rfind("time:", 0) == 0) {
    return Status::InvalidArgument(
        "parameter folds (--folds) = {} cannot cross-validate a time split ({}): its folds "
        "would train on rows later than those they predict; a time split validates on its most "
        "recent non-test rows (--valid-size)",
        params.folds, params.split);
  }
  if (!params.quantiles.empty() && (params.objective != "quantile" || params.algo != "gbdt")) {
    return Status::InvalidArgument(
        "parameter quantiles (--quantiles) needs a gbdt model with objective quantile "
        "(--objective quantile); objective is {}, algo {}",
        params.objective, params.algo);
  }
  if (params.algo == "linear" && (!params.monotone.empty() || !params.interactions.empty())) {
    return Status::InvalidArgument(
        "parameter {} applies to gbdt models only (algo is linear)",
        params.monotone.empty() ? "interactions (--interactions)" : "monotone (--monotone)");
  }
  if (params.algo == "linear" && params.tune != "off") {
    return Status::InvalidArgument(
        "parameter tune (--tune) applies to gbdt models only (algo is linear)");
  }
  return Status::OK();
}

bool IsParamError(const Status& status) {
  // Context added on the way up (WithContext) comes first, as "<context>: ".
  const std::string& m = status.message();
  return status.code() == StatusCode::kInvalidArgument &&
         (m.rfind("parameter ", 0) == 0 || m.find(": parameter ") != std::string::npos);
}

int ResolvedFolds(const TrainParams& params, uint64_t eligible_rows, Task task,
                  std::string* why_not) {
  std::string reason;
  int folds = params.folds == static_cast<int>(kAutoParam) ? kAutoFolds : params.folds;
  if (params.folds == static_cast<int>(kAutoParam)) {
    const double non_test = static_cast<double>(eligible_rows) * (1.0 - params.test_size);
    if (params.valid_size != kAutoParam) {
      reason = "a validation split was given";
    } else if (params.split.rfind("time:", 0) == 0) {
      reason = "a time split validates on its most recent rows instead";
    } else if (task == Task::kRegression) {
      reason = "a regression keeps a validation split for its split-conformal intervals";
    } else if (non_test < static_cast<double>(kAutoFoldsMinRows)) {
      reason = "fewer than " + std::to_string(kAutoFoldsMinRows) + " non-test rows";
    } else if (non_test >= static_cast<double>(params.cv_below)) {
      reason = "cv_below is " + std::to_string(params.cv_below) + " non-test rows";
    }
    if (!reason.empty()) folds = 0;
  }
  if (why_not != nullptr) *why_not = reason;
  return folds >= 2 ? folds : 0;
}

double ResolvedValidSize(const TrainParams& params, uint64_t eligible_rows, Task task) {
  if (params.valid_size != kAutoParam) return params.valid_size;
  if (ResolvedFolds(params, eligible_rows, task) > 0) return 0;
  const double non_test = static_cast<double>(eligible_rows) * (1.0 - params.test_size);
  if (non_test < static_cast<double>(kAutoValidMinRows)) return 0;
  return kAutoValidShare * (1.0 - params.test_size);
}

std::string ParamHelp(const ParamSpec& spec) {
  std::string h(spec.help);
  if (spec.check != nullptr) {
    h += " (form: ";
    h += spec.syntax;
    h += ")";
  } else if (spec.type == T::kString) {
    h += " (one of: ";
    std::string c(spec.choices);
    for (char& ch : c) {
      if (ch == '|') ch = ',';
    }
    size_t pos = 0;
    while ((pos = c.find(":", pos)) != std::string::npos) {
      c.replace(pos, 1, ":COL");
      pos += 4;
    }
    h += c + ")";
  } else {
    h += " ";
    h += BoundsText(spec);
    if (!spec.choices.empty()) h += " or " + std::string(spec.choices);
  }
  h += "; default ";
  h += spec.default_text.empty() ? "none" : spec.default_text;
  return h;
}

std::string RenderParamsMarkdown() {
  std::string out =
      "# Training parameters\n\n"
      "Generated from the parameter table in `src/train/params.cc` (the one place each "
      "parameter is declared);\n"
      "`keel train` takes each as `--FLAG VALUE` (the first flag; the keel.yaml name with "
      "dashes, e.g. `--num-trees`, works too),\n"
      "and keel.yaml takes the names under `baseline:` and `candidate:` (except `split`, "
      "`test_size`, `valid_size` and `seed`,\n"
      "which go under `split:`, with `split` spelt `method`, so both models see the same "
      "rows).\n"
      "On the command line a value that is not a number, or outside its range or choices, is "
      "a usage error (exit 2).\n"
      "`monotone`, `interactions` and `quantiles` take several values: repeat the flag, or "
      "give one text joined as shown;\n"
      "in keel.yaml `monotone` is a map, `interactions` a list of lists and `quantiles` a "
      "list.\n"
      "Ranges use `[` `]` for inclusive and `(` `)` for exclusive bounds.\n";
  std::string_view group;
  for (const ParamSpec& s : kParams) {
    if (s.group != group) {
      group = s.group;
      out += "\n## ";
      out += group;
      out += "\n\n| name (keel.yaml) | flag | type | default | allowed | meaning |\n";
      out += "| --- | --- | --- | --- | --- | --- |\n";
    }
    std::string allowed;
    if (s.check != nullptr) {
      allowed = "`" + std::string(s.syntax) + "`";
    } else if (s.type == T::kString) {
      std::string c(s.choices);
      size_t pos = 0;
      while ((pos = c.find(":", pos)) != std::string::npos) {
        c.replace(pos, 1, ":COL");
        pos += 4;
      }
      for (char& ch : c) {
        if (ch == '|') ch = ',';
      }
      allowed = c;
    } else {
      allowed = BoundsText(s);
      if (!s.choices.empty()) allowed += " or " + std::string(s.choices);
    }
    const char* type = s.type == T::kString ? "text" : s.type == T::kInt ? "integer" : "number";
    std::string flags;
    for (const std::string& f : ParamFlags(s)) flags += (flags.empty() ? "`--" : ", `--") + f + "`";
    const std::string def =
        s.default_text.empty() ? "none" : "`" + std::string(s.default_text) + "`";
    out += "| `" + std::string(s.name) + "` | " + flags + " | " + type + " | " + def + " | " +
           allowed + " | " + std::string(s.help) + " |\n";
  }
  return out;
}

}  // namespace keel
