#include "train/cross_validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "core/log.h"
#include "core/random.h"
#include "core/stopwatch.h"
#include "train/metrics.h"
#include "train/objective.h"

namespace keel {
namespace {

// The folds' own stream of random numbers: the split's seed, forked so that the folds do not
// repeat the shuffle that made the split.
constexpr uint64_t kFoldStream = 0x666f6c6473;  // "folds"

// Deals `order` over the folds round-robin, starting at fold *next (which moves on), so that
// dealing several lists in turn keeps every fold within one row of the others.
void Deal(const std::vector<uint32_t>& order, std::vector<std::vector<uint32_t>>* folds,
          size_t* next) {
  for (uint32_t r : order) {
    (*folds)[*next].push_back(r);
    *next = (*next + 1) % folds->size();
  }
}

Status AssignGroupFolds(const Table& table, std::span<const uint32_t> rows, const SplitSpec& spec,
                        Rng* rng, std::vector<std::vector<uint32_t>>* folds) {
  KEEL_ASSIGN_OR_RETURN(const std::vector<uint32_t> group_of,
                        GroupOfRows(table, spec.column, rows));
  const size_t groups =
      group_of.empty() ? 0 : *std::max_element(group_of.begin(), group_of.end()) + 1;
  const size_t k = folds->size();
  if (groups < k) {
    return Status::InvalidArgument(
        "{}-fold cross-validation by group '{}' needs at least {} groups in the training rows; "
        "they have {} (use fewer --folds)",
        k, spec.column, k, groups);
  }
  std::vector<size_t> size(groups, 0);
  for (uint32_t g : group_of) ++size[g];
  // Shuffled (seeded), then largest first, each to the fold with the fewest rows so far.
  std::vector<uint32_t> order(groups);
  std::iota(order.begin(), order.end(), 0u);
  rng->Shuffle(order.data(), groups);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return size[a] > size[b]; });
  std::vector<size_t> fold_of(groups), fold_rows(k, 0);
  for (uint32_t g : order) {
    const size_t f = static_cast<size_t>(std::min_element(fold_rows.begin(), fold_rows.end()) -
                                         fold_rows.begin());
    fold_of[g] = f;
    fold_rows[f] += size[g];
  }
  for (size_t i = 0; i < rows.size(); ++i) (*folds)[fold_of[group_of[i]]].push_back(rows[i]);
  return Status::OK();
}

// Mean and standard deviation (n - 1) of each metric over the folds, skipping non-finite values.
void Summarise(CvResult* cv) {
  if (cv->fold.empty()) return;
  for (size_t m = 0; m < cv->fold[0].metrics.size(); ++m) {
    std::vector<double> v;
    for (const CvFold& f : cv->fold) {
      if (m < f.metrics.size() && std::isfinite(f.metrics[m].second)) {
        v.push_back(f.metrics[m].second);
      }
    }
    const double n = static_cast<double>(v.size());
    const double mean = v.empty() ? NAN : std::accumulate(v.begin(), v.end(), 0.0) / n;
    double ss = 0;
    for (double x : v) ss += (x - mean) * (x - mean);
    const std::string& name = cv->fold[0].metrics[m].first;
    cv->mean.emplace_back(name, mean);
    cv->std.emplace_back(name, v.size() > 1 ? std::sqrt(ss / (n - 1)) : NAN);
  }
}

}  // namespace

Result<std::vector<std::vector<uint32_t>>> AssignFolds(const Table& table,
                                                       std::span<const uint32_t> rows,
                                                       std::span<const double> strata,
                                                       const SplitSpec& spec, int k) {
  if (k < 2) return Status::InvalidArgument("cross-validation needs at least 2 folds, not {}", k);
  if (spec.kind == SplitSpec::Kind::kTime) {
    return Status::InvalidArgument(
        "a time split (time:{}) has no k-fold cross-validation: its folds would train on rows "
        "later than those they predict; it validates on its most recent rows instead",
        spec.column);
  }
  if (rows.size() < static_cast<size_t>(k)) {
    return Status::InvalidArgument(
        "{}-fold cross-validation needs at least {} training rows; "
        "there are {}",
        k, k, rows.size());
  }
  std::vector<std::vector<uint32_t>> folds(static_cast<size_t>(k));
  Rng rng = Rng(spec.seed).Fork(kFoldStream);
  size_t next = 0;
  switch (spec.kind) {
    case SplitSpec::Kind::kStratified: {
      // Classes in a fixed order (rows without a class last) so a seed gives the same folds.
      std::map<double, std::vector<uint32_t>> by_class;
      std::vector<uint32_t> no_class;
      for (uint32_t r : rows) {
        const double c = r < strata.size() ? strata[r] : NAN;
        (std::isnan(c) ? no_class : by_class[c]).push_back(r);
      }
      for (auto& [c, members] : by_class) {
        rng.Shuffle(members.data(), members.size());
        Deal(members, &folds, &next);
      }
      rng.Shuffle(no_class.data(), no_class.size());
      Deal(no_class, &folds, &next);
      break;
    }
    case SplitSpec::Kind::kGroup:
      KEEL_RETURN_IF_ERROR(AssignGroupFolds(table, rows, spec, &rng, &folds));
      break;
    default: {
      std::vector<uint32_t> order(rows.begin(), rows.end());
      rng.Shuffle(order.data(), order.size());
      Deal(order, &folds, &next);
      break;
    }
  }
  for (auto& f : folds) std::sort(f.begin(), f.end());
  return folds;
}

Result<CvResult> CrossValidate(const TrainingData& data, const TrainOptions& options,
                               const Context& ctx) {
  if (data.folds.empty()) {
    return Status::InvalidArgument("cross-validation without folds (params.folds resolved to 0)");
  }
  Stopwatch clock;
  CvResult cv;
  cv.folds = static_cast<int>(data.folds.size());
  cv.rows = data.split.train;
  const auto outputs = static_cast<size_t>(data.target.num_outputs);
  cv.oof_margins.assign(cv.rows.size() * outputs, NAN);
  // Where each table row sits in cv.rows (for the OOF margins).
  std::vector<uint32_t> position(data.target.label.size(), UINT32_MAX);
  for (size_t i = 0; i < cv.rows.size(); ++i) position[cv.rows[i]] = static_cast<uint32_t>(i);
  log::Info("cross-validating {} ({} folds of {} rows)", options.params.algo, cv.folds,
            cv.rows.size());
  const Context quiet = ctx.Quiet();
  ObjectiveConfig objective;
  for (size_t f = 0; f < data.folds.size(); ++f) {
    SplitRows split;
    split.valid = data.folds[f];
    for (size_t g = 0; g < data.folds.size(); ++g) {
      if (g != f) split.train.insert(split.train.end(), data.folds[g].begin(), data.folds[g].end());
    }
    std::sort(split.train.begin(), split.train.end());
    Model model;
    TrainReport report;
    auto fitted = FitModel(options, data, split, quiet, &model, &report);
    if (!fitted.ok()) {
      return fitted.status().WithContext(fmt::format("fold {} of {}", f + 1, cv.folds));
    }
    CvFold fold;
    fold.held_out = split.valid;
    fold.trees = options.params.algo == "gbdt" ? report.iterations : 0;
    objective = ObjectiveConfigOf(model);  // the same for every fold
    fold.metrics =
        SplitMetrics(objective, fitted->valid, GatherRows(data.target.label, split.valid));
    for (size_t i = 0; i < split.valid.size(); ++i) {
      const size_t at = position[split.valid[i]];
      if (at == UINT32_MAX) return Status::Internal("fold {} holds a row outside training", f + 1);
      std::copy_n(&fitted->valid[i * outputs], outputs, &cv.oof_margins[at * outputs]);
    }
    log::Debug("fold {}: {} held-out rows, {} trees", f + 1, fold.held_out.size(), fold.trees);
    cv.fold.push_back(std::move(fold));
  }
  cv.oof_metrics = SplitMetrics(objective, cv.oof_margins, GatherRows(data.target.label, cv.rows));
  Summarise(&cv);
  if (options.params.algo == "gbdt") cv.refit_trees = RefitTrees(cv.fold, options.params.num_trees);
  cv.seconds = clock.Seconds();
  return cv;
}

int RefitTrees(std::span<const CvFold> folds, int max_trees) {
  if (folds.size() < 2) return std::max(1, max_trees);
  double sum = 0;
  for (const CvFold& f : folds) sum += f.trees;
  const double k = static_cast<double>(folds.size());
  const auto trees = static_cast<int>(std::lround(sum / k * k / (k - 1)));
  return std::clamp(trees, 1, std::max(1, max_trees));
}

std::string CvSummary(const CvResult& cv, const std::string& algo) {
  std::string s = fmt::format("{}-fold CV on {} rows, refit on all {} rows", cv.folds,
                              cv.rows.size(), cv.rows.size());
  if (algo == "gbdt") s += fmt::format(", {} trees", cv.refit_trees);
  return s;
}

nlohmann::json CvToJson(const CvResult& cv, const std::string& algo) {
  nlohmann::json folds = nlohmann::json::array();
  for (const CvFold& f : cv.fold) {
    nlohmann::json j = MetricsToJson(f.metrics);
    j["rows"] = f.held_out.size();
    if (algo == "gbdt") j["trees"] = f.trees;
    folds.push_back(std::move(j));
  }
  nlohmann::json j = {{"summary", CvSummary(cv, algo)}, {"folds", cv.folds},
                      {"rows", cv.rows.size()},         {"oof", MetricsToJson(cv.oof_metrics)},
                      {"mean", MetricsToJson(cv.mean)}, {"std", MetricsToJson(cv.std)},
                      {"fold", std::move(folds)},       {"seconds", cv.seconds}};
  if (algo == "gbdt") j["refit_trees"] = cv.refit_trees;
  return j;
}

}  // namespace keel
