#include "train/fair_reduction.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/context.h"
#include "core/number_format.h"
#include "core/parallel.h"
#include "train/binning.h"
#include "train/feature_set.h"
#include "train/gbdt_trainer.h"
#include "train/linear_trainer.h"

namespace keel {
namespace {

// Margin of a constant best response (every row the same decision): a confident but finite
// log-odds, so averaging it with trained models shifts rather than swamps them.
constexpr double kConstantMargin = 4.6;  // logit(0.99)
// Decision thresholds tried per candidate: the margins' quantiles at steps of 1/kThresholdSteps.
constexpr int kThresholdSteps = 100;

// The GBDT configuration Train() builds from the parameters, without early stopping (the
// reduction's best responses have no validation set) and without a progress bar.
GbdtConfig GbdtConfigOf(const TrainParams& p, int threads) {
  GbdtConfig cfg;
  cfg.objective.objective = Objective::kBinaryLogistic;
  cfg.objective.num_outputs = 1;
  cfg.tree.num_leaves = p.num_leaves;
  cfg.tree.max_depth = p.max_depth;
  cfg.tree.split.lambda_l1 = p.lambda_l1;
  cfg.tree.split.lambda_l2 = p.lambda_l2;
  cfg.tree.split.min_data_in_leaf = p.min_data_in_leaf;
  cfg.tree.split.min_sum_hessian = p.min_sum_hessian;
  cfg.tree.split.min_split_gain = p.min_split_gain;
  cfg.tree.split.max_cat_to_onehot = p.max_cat_to_onehot;
  cfg.tree.split.max_cat_threshold = p.max_cat_threshold;
  cfg.tree.split.cat_smooth = p.cat_smooth;
  cfg.tree.split.cat_l2 = p.cat_l2;
  cfg.tree.split.min_data_per_group = p.min_data_per_group;
  cfg.num_trees = p.num_trees;
  cfg.learning_rate = p.learning_rate;
  cfg.subsample = p.subsample;
  cfg.colsample = p.colsample;
  cfg.early_stopping_rounds = 0;
  cfg.seed = static_cast<uint64_t>(p.seed);
  cfg.threads = threads;
  cfg.progress = false;
  return cfg;
}

// Sample weights of the table rows from the weight column, 1 without one.
Result<std::vector<double>> UserWeights(const Table& table, const std::string& name) {
  std::vector<double> w(table.num_rows(), 1.0);
  if (name.empty()) return w;
  const Column* col = table.Find(name);
  if (col == nullptr) return Status::NotFound("weight column '{}' is not in the data", name);
  for (size_t r = 0; r < table.num_rows(); ++r) {
    const double v = col->AsDouble(r);
    w[r] = std::isfinite(v) && v >= 0 ? v : 0.0;  // Train() has already rejected bad weights
  }
  return w;
}

// The audit metric the bound is on: demographic parity difference (max - min selection rate
// over groups) or equalized odds difference (max of the TPR and FPR spreads), over `rows`.
double Disparity(FairConstraint c, std::span<const uint8_t> decisions,
                 std::span<const uint8_t> labels, std::span<const int32_t> groups,
                 size_t num_groups) {
  // [group][label]: rows and selected rows.
  std::vector<double> n(num_groups * 2, 0), sel(num_groups * 2, 0);
  for (size_t i = 0; i < decisions.size(); ++i) {
    const size_t k = static_cast<size_t>(groups[i]) * 2 + labels[i];
    n[k] += 1;
    sel[k] += decisions[i];
  }
  auto spread = [&](auto rate_of) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (size_t g = 0; g < num_groups; ++g) {
      const double r = rate_of(g);
      if (std::isnan(r)) continue;
      lo = std::min(lo, r);
      hi = std::max(hi, r);
    }
    return hi >= lo ? hi - lo : 0.0;
  };
  if (c == FairConstraint::kDemographicParity) {
    return spread([&](size_t g) {
      const double m = n[2 * g] + n[2 * g + 1];
      return m > 0 ? (sel[2 * g] + sel[2 * g + 1]) / m : NAN;
    });
  }
  const double tpr =
      spread([&](size_t g) { return n[2 * g + 1] > 0 ? sel[2 * g + 1] / n[2 * g + 1] : NAN; });
  const double fpr = spread([&](size_t g) { return n[2 * g] > 0 ? sel[2 * g] / n[2 * g] : NAN; });
  return std::max(tpr, fpr);
}

double Accuracy(std::span<const uint8_t> decisions, std::span<const uint8_t> labels) {
  double correct = 0;
  for (size_t i = 0; i < decisions.size(); ++i) correct += decisions[i] == labels[i] ? 1 : 0;
  return decisions.empty() ? 0 : correct / static_cast<double>(decisions.size());
}

std::vector<uint8_t> Decide(std::span<const double> margins) {
  std::vector<uint8_t> d(margins.size());
  for (size_t i = 0; i < margins.size(); ++i) d[i] = margins[i] >= 0 ? 1 : 0;
  return d;
}

// One best response: its margins on the training and selection rows, and its model part.
struct Response {
  bool constant = false;
  double constant_margin = 0;
  std::vector<double> train_margins, select_margins;
  Forest forest;
  std::vector<double> base_margin;
  LinearModel linear;
};

}  // namespace

std::string_view FairConstraintName(FairConstraint c) {
  return c == FairConstraint::kDemographicParity ? "demographic_parity" : "equalized_odds";
}

bool ParseFairConstraint(std::string_view text, FairConstraint* c) {
  if (text == "demographic_parity" || text == "dp") {
    *c = FairConstraint::kDemographicParity;
  } else if (text == "equalized_odds" || text == "eo") {
    *c = FairConstraint::kEqualizedOdds;
  } else {
    return false;
  }
  return true;
}

Result<TrainResult> TrainFairReduction(const Table& table, const Schema& schema,
                                       const TrainOptions& options, std::span<const int32_t> groups,
                                       const FairReductionOptions& fair,
                                       FairReductionReport* report) {
  if (!(fair.bound > 0 && fair.bound <= 1)) {
    return Status::InvalidArgument("fairness bound must be in (0, 1] (got {})", fair.bound);
  }
  if (fair.iterations < 1) {
    return Status::InvalidArgument("the reduction needs at least 1 iteration (got {})",
                                   fair.iterations);
  }
  if (options.params.class_weight == "balanced") {
    return Status::InvalidArgument(
        "class_weight balanced cannot be combined with the fairness reduction, which sets the "
        "row weights itself");
  }
  if (groups.size() != table.num_rows()) {
    return Status::InvalidArgument("fairness reduction: {} group codes for {} rows", groups.size(),
                                   table.num_rows());
  }
  KEEL_ASSIGN_OR_RETURN(TrainResult result, Train(table, schema, options));
  if (result.model.task != Task::kBinary) {
    return Status::InvalidArgument(
        "the fairness reduction needs a binary target; '{}' is a {} target", options.target,
        TaskName(result.model.task));
  }
  const TrainParams& p = options.params;
  const int threads = p.threads > 0 ? p.threads : HardwareThreads();
  const std::vector<uint32_t>& train = result.split.train;
  const std::vector<uint32_t>& select =
      result.split.valid.empty() ? result.split.train : result.split.valid;

  // Group codes of the training and selection rows, compacted.
  int32_t max_group = -1;
  for (const auto* rows : {&train, &select}) {
    for (uint32_t r : *rows) {
      if (groups[r] < 0) {
        return Status::InvalidArgument("fairness reduction: row on line {} has no group",
                                       table.SourceLine(r));
      }
      max_group = std::max(max_group, groups[r]);
    }
  }
  const size_t num_groups = static_cast<size_t>(max_group) + 1;
  std::vector<uint8_t> train_has(num_groups, 0);
  for (uint32_t r : train) train_has[static_cast<size_t>(groups[r])] = 1;
  if (std::count(train_has.begin(), train_has.end(), 1) < 2) {
    return Status::InvalidArgument(
        "fairness reduction: the training rows hold fewer than two groups of the attribute");
  }

  // The features exactly as Train() built them.
  std::string weight_col = options.weight_column;
  if (weight_col.empty()) {
    const std::string w = schema.FirstWithRole(Role::kWeight);
    if (!w.empty() && table.Find(w) != nullptr) weight_col = w;
  }
  FeatureOptions fopt;
  fopt.target = options.target;
  fopt.weight_column = weight_col;
  fopt.exclude = options.exclude;
  fopt.include_sensitive = options.include_sensitive;
  KEEL_ASSIGN_OR_RETURN(FeatureSet fs, BuildFeatures(table, schema, fopt, train));
  if (fs.specs.size() != result.model.features.size()) {
    return Status::Internal("fairness reduction: features differ from the trained model's");
  }
  KEEL_ASSIGN_OR_RETURN(std::vector<double> user_w, UserWeights(table, weight_col));

  const size_t n = train.size();
  std::vector<uint8_t> y(n), y_sel(select.size());
  std::vector<int32_t> g(n), g_sel(select.size());
  double w_total = 0;
  for (size_t i = 0; i < n; ++i) {
    y[i] = result.labels[train[i]] == 1 ? 1 : 0;
    g[i] = groups[train[i]];
    w_total += user_w[train[i]];
  }
  for (size_t i = 0; i < select.size(); ++i) {
    y_sel[i] = result.labels[select[i]] == 1 ? 1 : 0;
    g_sel[i] = groups[select[i]];
  }
  if (!(w_total > 0)) return Status::InvalidArgument("fairness reduction: all weights are 0");

  // Constraint cells: (event, group) with event = 0 (parity) or the label (equalized odds).
  const bool eo = fair.constraint == FairConstraint::kEqualizedOdds;
  const size_t num_events = eo ? 2 : 1;
  std::vector<double> cell_n(num_events * num_groups, 0), event_n(num_events, 0);
  std::vector<size_t> cell_of(n), event_of(n);
  for (size_t i = 0; i < n; ++i) {
    event_of[i] = eo ? y[i] : 0;
    cell_of[i] = event_of[i] * num_groups + static_cast<size_t>(g[i]);
    cell_n[cell_of[i]] += 1;
    event_n[event_of[i]] += 1;
  }
  std::vector<size_t> cells;  // the cells that hold rows: each gives two constraints
  for (size_t c = 0; c < cell_n.size(); ++c) {
    if (cell_n[c] > 0) cells.push_back(c);
  }
  const size_t k = 2 * cells.size();
  const double eps = fair.bound / 2;
  const double big_b = 1 / eps;
  const double eta = fair.eta0 / big_b;

  // Learner inputs.
  std::vector<BinMapper> mappers;
  BinnedMatrix train_bins, select_bins;
  const bool gbdt = p.algo == "gbdt";
  if (gbdt) {
    mappers.resize(fs.raw.size());
    KEEL_RETURN_IF_ERROR(ParallelFor(threads, fs.raw.size(), [&](size_t f) {
      mappers[f] = fs.raw[f].categorical
                       ? BinMapper::FitCategorical(fs.raw[f], train, p.max_cat_bins)
                       : BinMapper::FitNumeric(fs.raw[f], train, p.max_bins);
    }));
    KEEL_ASSIGN_OR_RETURN(train_bins, BinRows(fs.raw, mappers, train, threads));
    if (&select != &train) {
      KEEL_ASSIGN_OR_RETURN(select_bins, BinRows(fs.raw, mappers, select, threads));
    }
  }
  const GbdtConfig gcfg = GbdtConfigOf(p, threads);
  LinearConfig lcfg;
  lcfg.l2 = p.linear_l2;
  lcfg.top_k = p.linear_top_k;
  lcfg.max_iterations = p.linear_max_iter;
  lcfg.tolerance = p.linear_tol;
  lcfg.threads = threads;

  // Best response to the multipliers: label each row by its cheaper decision, weigh it by the
  // cost difference, and train.
  auto best_response = [&](const std::vector<double>& net) -> Result<Response> {
    std::vector<double> ytil(n), w(n);
    double w_sum = 0;
    size_t ones = 0;
    for (size_t i = 0; i < n; ++i) {
      const size_t e = event_of[i];
      double moment = net[cell_of[i]] / cell_n[cell_of[i]];
      for (size_t a = 0; a < num_groups; ++a) moment -= net[e * num_groups + a] / event_n[e];
      // Cost of deciding 1 minus cost of deciding 0.
      const double s = user_w[train[i]] * (1.0 - 2.0 * y[i]) / w_total + moment;
      ytil[i] = s < 0 ? 1 : 0;
      w[i] = std::abs(s);
      w_sum += w[i];
      ones += s < 0 ? 1 : 0;
    }
    Response r;
    if (ones == 0 || ones == n || !(w_sum > 0)) {
      r.constant = true;
      r.constant_margin = ones == n ? kConstantMargin : -kConstantMargin;
      r.train_margins.assign(n, r.constant_margin);
      r.select_margins.assign(select.size(), r.constant_margin);
      return r;
    }
    // Weights scaled to mean 1, so min_sum_hessian and the regularisation keep their meaning.
    const double scale = static_cast<double>(n) / w_sum;
    if (gbdt) {
      std::vector<float> wf(n);
      for (size_t i = 0; i < n; ++i) wf[i] = static_cast<float>(w[i] * scale);
      const BinnedMatrix empty;
      KEEL_ASSIGN_OR_RETURN(GbdtResult res,
                            TrainGbdt({&train_bins, ytil, wf}, {&empty, {}, {}}, mappers, gcfg));
      r.train_margins = std::move(res.train_margins);
      r.select_margins = &select == &train
                             ? r.train_margins
                             : PredictBinned(select_bins, res.binned_trees, res.base_margin,
                                             gcfg.learning_rate, threads);
      r.forest = std::move(res.forest);
      r.base_margin = std::move(res.base_margin);
    } else {
      std::vector<double> labels_full(table.num_rows(), 0.0);
      std::vector<float> w_full(table.num_rows(), 0.0f);
      for (size_t i = 0; i < n; ++i) {
        labels_full[train[i]] = ytil[i];
        w_full[train[i]] = static_cast<float>(w[i] * scale);
      }
      KEEL_ASSIGN_OR_RETURN(LinearFit fit, TrainLinear(fs.raw, train, labels_full, w_full,
                                                       Objective::kBinaryLogistic, 1, lcfg));
      r.train_margins = PredictLinear(fit.model, fit.intercepts, fs.raw, train);
      r.select_margins = PredictLinear(fit.model, fit.intercepts, fs.raw, select);
      r.linear = std::move(fit.model);
      r.base_margin = std::move(fit.intercepts);
    }
    return r;
  };

  FairReductionReport rep;
  std::vector<double> theta(k, 0.0);
  std::vector<Response> responses;
  for (int t = 0; t < fair.iterations; ++t) {
    double exp_sum = 1;
    std::vector<double> lambda(k);
    for (size_t j = 0; j < k; ++j) exp_sum += std::exp(theta[j]);
    for (size_t j = 0; j < k; ++j) lambda[j] = big_b * std::exp(theta[j]) / exp_sum;
    std::vector<double> net(cell_n.size(), 0.0);
    for (size_t c = 0; c < cells.size(); ++c) net[cells[c]] = lambda[2 * c] - lambda[2 * c + 1];
    KEEL_ASSIGN_OR_RETURN(Response r, best_response(net));

    // Constraint values of h_t on the training rows: mean in the cell minus mean in its event.
    const std::vector<uint8_t> d = Decide(r.train_margins);
    std::vector<double> cell_sel(cell_n.size(), 0), event_sel(num_events, 0);
    double err = 0;
    for (size_t i = 0; i < n; ++i) {
      cell_sel[cell_of[i]] += d[i];
      event_sel[event_of[i]] += d[i];
      err += user_w[train[i]] * (d[i] != y[i] ? 1 : 0);
    }
    for (size_t c = 0; c < cells.size(); ++c) {
      const size_t cell = cells[c];
      const size_t e = cell / num_groups;
      const double mu = cell_sel[cell] / cell_n[cell] - event_sel[e] / event_n[e];
      theta[2 * c] += eta * (mu - eps);
      theta[2 * c + 1] += eta * (-mu - eps);
    }
    FairReductionStep step;
    step.error = err / w_total;
    step.disparity = Disparity(fair.constraint, d, y, g, num_groups);
    step.max_lambda = lambda.empty() ? 0 : *std::max_element(lambda.begin(), lambda.end());
    rep.steps.push_back(step);
    responses.push_back(std::move(r));
  }

  // Candidates on the selection rows: each h_t and the margin average of all of them, each
  // with its decision threshold at 0 and moved to quantiles of its selection margins. Moving
  // the threshold is one intercept shift (still one model without the group); it trades
  // accuracy for parity along a path the multipliers alone explore only coarsely in a few
  // iterations, and its far end (everyone or no one selected) has no disparity at all.
  const size_t T = responses.size();
  std::vector<double> avg(select.size(), 0.0);
  for (const auto& r : responses) {
    for (size_t i = 0; i < select.size(); ++i)
      avg[i] += r.select_margins[i] / static_cast<double>(T);
  }
  struct Candidate {
    int index;     // -1 = the average
    double shift;  // decisions are margin - shift >= 0
    double accuracy, disparity;
  };
  std::vector<Candidate> cands;
  std::vector<uint8_t> d(select.size());
  auto add_candidates = [&](int index, std::span<const double> m) {
    std::vector<double> shifts = {0.0};
    std::vector<double> sorted(m.begin(), m.end());
    std::sort(sorted.begin(), sorted.end());
    // Thresholds midway between neighbouring margins, so rounding in the final model's sum
    // cannot move a row across it; the ends select everyone / no one.
    const size_t len = sorted.size();
    for (int q = 0; q <= kThresholdSteps && len > 0; ++q) {
      const size_t at = len * static_cast<size_t>(q) / static_cast<size_t>(kThresholdSteps);
      shifts.push_back(at == 0     ? sorted[0] - 1
                       : at == len ? sorted[len - 1] + 1
                                   : 0.5 * (sorted[at - 1] + sorted[at]));
    }
    for (double shift : shifts) {
      for (size_t i = 0; i < m.size(); ++i) d[i] = m[i] - shift >= 0 ? 1 : 0;
      cands.push_back({index, shift, Accuracy(d, y_sel),
                       Disparity(fair.constraint, d, y_sel, g_sel, num_groups)});
    }
  };
  for (size_t t = 0; t < T; ++t) add_candidates(static_cast<int>(t), responses[t].select_margins);
  add_candidates(-1, avg);
  const double tol = 1e-12;
  const Candidate* best = nullptr;
  for (const auto& c : cands) {
    if (c.disparity > fair.bound + tol) continue;
    if (best == nullptr || c.accuracy > best->accuracy ||
        (c.accuracy == best->accuracy && c.disparity < best->disparity) ||
        (c.accuracy == best->accuracy && c.disparity == best->disparity &&
         std::abs(c.shift) < std::abs(best->shift))) {
      best = &c;
    }
  }
  rep.bound_met = best != nullptr;
  if (best == nullptr) {
    for (const auto& c : cands) {
      if (best == nullptr || c.disparity < best->disparity ||
          (c.disparity == best->disparity && c.accuracy > best->accuracy)) {
        best = &c;
      }
    }
  }
  rep.selected_on = &select == &train ? "train" : "valid";
  // cands[0] is h_1 at threshold 0: the unconstrained fit (all multipliers equal).
  rep.accuracy_before = cands[0].accuracy;
  rep.disparity_before = cands[0].disparity;
  rep.accuracy_after = best->accuracy;
  rep.disparity_after = best->disparity;

  // The chosen candidate as one model.
  Model& model = result.model;
  auto set_constant = [&](double margin) {
    model.base_margin = {margin};
    model.forest.trees.clear();
    if (!gbdt) {
      for (auto& w : model.linear.weights) w = 0;
    }
  };
  if (best->index >= 0) {
    Response& r = responses[static_cast<size_t>(best->index)];
    rep.chosen = fmt::format("model of iteration {}", best->index + 1);
    if (r.constant) {
      set_constant(r.constant_margin);
    } else if (gbdt) {
      model.forest = std::move(r.forest);
      model.base_margin = r.base_margin;
    } else {
      model.linear = std::move(r.linear);
      model.base_margin = r.base_margin;
    }
  } else {
    rep.chosen = fmt::format("margin average of {} models", T);
    const double inv = 1.0 / static_cast<double>(T);
    double base = 0;
    Forest forest;
    LinearModel linear;
    bool have_linear = false;
    for (auto& r : responses) {
      base += (r.constant ? r.constant_margin : r.base_margin[0]) * inv;
      if (r.constant) continue;
      if (gbdt) {
        for (auto& tree : r.forest.trees) {
          for (auto& node : tree.nodes) node.value *= inv;
          forest.trees.push_back(std::move(tree));
        }
      } else if (!have_linear) {
        linear = r.linear;
        for (auto& w : linear.weights) w *= inv;
        have_linear = true;
      } else {
        if (r.linear.weights.size() != linear.weights.size()) {
          return Status::Internal("fairness reduction: linear fits with different terms");
        }
        for (size_t j = 0; j < linear.weights.size(); ++j)
          linear.weights[j] += r.linear.weights[j] * inv;
      }
    }
    model.base_margin = {base};
    if (gbdt) {
      model.forest = std::move(forest);
    } else if (have_linear) {
      model.linear = std::move(linear);
    } else {
      set_constant(base);
    }
  }
  model.base_margin[0] -= best->shift;
  if (best->shift != 0) {
    rep.chosen +=
        fmt::format(" with its decision threshold moved by {}", FormatDouble(best->shift));
  }
  KEEL_RETURN_IF_ERROR(ValidateModel(model).WithContext("fairness-reduced model"));

  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : rep.steps) {
    steps.push_back({{"error", s.error}, {"disparity", s.disparity}, {"max_lambda", s.max_lambda}});
  }
  nlohmann::json& section = model.sections["fairness"];
  if (!section.is_object()) section = nlohmann::json::object();
  section["fair_reduction"] = {{"method", "exponentiated gradient (Agarwal et al. 2018)"},
                               {"constraint", std::string(FairConstraintName(fair.constraint))},
                               {"bound", fair.bound},
                               {"iterations", fair.iterations},
                               {"chosen", rep.chosen},
                               {"selected_on", rep.selected_on},
                               {"bound_met", rep.bound_met},
                               {"accuracy_before", rep.accuracy_before},
                               {"accuracy_after", rep.accuracy_after},
                               {"disparity_before", rep.disparity_before},
                               {"disparity_after", rep.disparity_after},
                               {"steps", std::move(steps)}};
  if (report != nullptr) *report = std::move(rep);
  return result;
}

}  // namespace keel
