#include "train/fair_reduction.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/number_format.h"
#include "core/parallel.h"
#include "core/stopwatch.h"
#include "train/binning.h"
#include "train/constraints.h"
#include "train/feature_set.h"
#include "train/gbdt_trainer.h"
#include "train/learner_config.h"
#include "train/linear_trainer.h"

namespace keel {
namespace {

// Margin of a constant best response (every row the same decision): a confident but finite
// log-odds, so averaging it with trained models shifts rather than swamps them.
constexpr double kConstantMargin = 4.6;  // logit(0.99)
// Decision thresholds tried per candidate: the margins' quantiles at steps of 1/kThresholdSteps.
constexpr int kThresholdSteps = 100;

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

// The rows the reduction works on: the training split (where the game is played) and the
// selection rows (the validation split when there is one, else the training rows), with their
// labels and compacted group codes, and the user's sample weights of the training rows.
struct ReductionRows {
  const std::vector<uint32_t>* train = nullptr;
  const std::vector<uint32_t>* select = nullptr;
  bool select_is_train = false;
  size_t num_groups = 0;
  std::vector<uint8_t> y, y_sel;
  std::vector<int32_t> g, g_sel;
  std::vector<double> user_w;  // per table row
  double w_total = 0;          // over the training rows
};

Result<ReductionRows> ReductionRowsOf(const Table& table, const TrainResult& plain,
                                      std::span<const int32_t> groups,
                                      const std::string& weight_column) {
  ReductionRows rr;
  rr.train = &plain.split.train;
  rr.select_is_train = plain.split.valid.empty();
  rr.select = rr.select_is_train ? &plain.split.train : &plain.split.valid;
  const std::vector<uint32_t>& train = *rr.train;
  const std::vector<uint32_t>& select = *rr.select;

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
  rr.num_groups = static_cast<size_t>(max_group) + 1;
  std::vector<uint8_t> train_has(rr.num_groups, 0);
  for (uint32_t r : train) train_has[static_cast<size_t>(groups[r])] = 1;
  if (std::count(train_has.begin(), train_has.end(), 1) < 2) {
    return Status::InvalidArgument(
        "fairness reduction: the training rows hold fewer than two groups of the attribute");
  }
  KEEL_ASSIGN_OR_RETURN(rr.user_w, UserWeights(table, weight_column));

  const size_t n = train.size();
  rr.y.resize(n);
  rr.g.resize(n);
  rr.y_sel.resize(select.size());
  rr.g_sel.resize(select.size());
  for (size_t i = 0; i < n; ++i) {
    rr.y[i] = plain.labels[train[i]] == 1 ? 1 : 0;
    rr.g[i] = groups[train[i]];
    rr.w_total += rr.user_w[train[i]];
  }
  for (size_t i = 0; i < select.size(); ++i) {
    rr.y_sel[i] = plain.labels[select[i]] == 1 ? 1 : 0;
    rr.g_sel[i] = groups[select[i]];
  }
  if (!(rr.w_total > 0)) return Status::InvalidArgument("fairness reduction: all weights are 0");
  return rr;
}

// The constraints of the game. Cells are (event, group) with event = 0 (parity) or the label
// (equalized odds); every cell that holds rows gives two constraints (both directions).
struct Constraints {
  bool eo = false;
  size_t num_events = 1;
  std::vector<double> cell_n, event_n;    // training rows per cell and per event
  std::vector<size_t> cell_of, event_of;  // per training row
  std::vector<size_t> cells;              // the cells that hold rows
  size_t k = 0;                           // constraints: 2 * cells.size()
  double eps = 0, big_b = 0, eta = 0;
};

Constraints ConstraintsOf(const ReductionRows& rr, const FairReductionOptions& fair) {
  Constraints c;
  const size_t n = rr.y.size();
  c.eo = fair.constraint == FairConstraint::kEqualizedOdds;
  c.num_events = c.eo ? 2 : 1;
  c.cell_n.assign(c.num_events * rr.num_groups, 0);
  c.event_n.assign(c.num_events, 0);
  c.cell_of.resize(n);
  c.event_of.resize(n);
  for (size_t i = 0; i < n; ++i) {
    c.event_of[i] = c.eo ? rr.y[i] : 0;
    c.cell_of[i] = c.event_of[i] * rr.num_groups + static_cast<size_t>(rr.g[i]);
    c.cell_n[c.cell_of[i]] += 1;
    c.event_n[c.event_of[i]] += 1;
  }
  for (size_t cell = 0; cell < c.cell_n.size(); ++cell) {
    if (c.cell_n[cell] > 0) c.cells.push_back(cell);
  }
  c.k = 2 * c.cells.size();
  c.eps = fair.bound / 2;
  c.big_b = 1 / c.eps;
  c.eta = fair.eta0 / c.big_b;
  return c;
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

// The learner of the game: trains the best response to a set of multipliers with the plain
// model's algorithm and parameters on the plain model's features (binned once for GBDT),
// without early stopping (the best responses have no validation set) and without a progress
// bar.
class BestResponder {
 public:
  static Result<BestResponder> Create(const Table& table, const TrainOptions& options,
                                      const FeatureSet& fs, const ReductionRows& rr,
                                      const Constraints& cons, const Context& ctx) {
    BestResponder b(table, fs, rr, cons, ctx);
    const TrainParams& p = options.params;
    const int threads = ctx.threads();
    const std::vector<uint32_t>& train = *rr.train;
    b.gbdt_ = p.algo == "gbdt";
    if (b.gbdt_) {
      b.mappers_.resize(fs.raw.size());
      KEEL_RETURN_IF_ERROR(ParallelFor(threads, fs.raw.size(), [&](size_t f) {
        b.mappers_[f] = fs.raw[f].categorical
                            ? BinMapper::FitCategorical(fs.raw[f], train, p.max_cat_bins)
                            : BinMapper::FitNumeric(fs.raw[f], train, p.max_bins);
      }));
      KEEL_ASSIGN_OR_RETURN(b.train_bins_, BinRows(fs.raw, b.mappers_, train, threads));
      if (!rr.select_is_train) {
        KEEL_ASSIGN_OR_RETURN(b.select_bins_, BinRows(fs.raw, b.mappers_, *rr.select, threads));
      }
    }
    b.gcfg_ = GbdtConfigOf(p, Objective::kBinaryLogistic, 1);
    b.gcfg_.early_stopping_rounds = 0;
    // The reduction's models obey the plain model's constraints (FitPrepared checked them).
    KEEL_ASSIGN_OR_RETURN(const ModelConstraints mc,
                          ResolveConstraints(p.monotone, p.interactions, fs.specs, fs.excluded));
    SetTreeConstraints(mc, fs.specs.size(), &b.gcfg_.tree);
    b.lcfg_ = LinearConfigOf(p);
    return b;
  }

  bool gbdt() const { return gbdt_; }

  // Best response to the multipliers' net values per cell: label each row by its cheaper
  // decision, weigh it by the cost difference, and train.
  Result<Response> Respond(const std::vector<double>& net) const {
    const ReductionRows& rr = *rr_;
    const Constraints& c = *cons_;
    const std::vector<uint32_t>& train = *rr.train;
    const std::vector<uint32_t>& select = *rr.select;
    const size_t n = train.size();
    std::vector<double> ytil(n), w(n);
    double w_sum = 0;
    size_t ones = 0;
    for (size_t i = 0; i < n; ++i) {
      const size_t e = c.event_of[i];
      double moment = net[c.cell_of[i]] / c.cell_n[c.cell_of[i]];
      for (size_t a = 0; a < rr.num_groups; ++a)
        moment -= net[e * rr.num_groups + a] / c.event_n[e];
      // Cost of deciding 1 minus cost of deciding 0.
      const double s = rr.user_w[train[i]] * (1.0 - 2.0 * rr.y[i]) / rr.w_total + moment;
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
    if (gbdt_) {
      std::vector<float> wf(n);
      for (size_t i = 0; i < n; ++i) wf[i] = static_cast<float>(w[i] * scale);
      const BinnedMatrix empty;
      KEEL_ASSIGN_OR_RETURN(GbdtResult res, TrainGbdt({&train_bins_, ytil, wf}, {&empty, {}, {}},
                                                      mappers_, gcfg_, ctx_.Quiet()));
      r.train_margins = std::move(res.train_margins);
      r.select_margins = rr.select_is_train
                             ? r.train_margins
                             : PredictBinned(select_bins_, res.binned_trees, res.base_margin,
                                             gcfg_.learning_rate, ctx_.threads());
      r.forest = std::move(res.forest);
      r.base_margin = std::move(res.base_margin);
    } else {
      std::vector<double> labels_full(table_->num_rows(), 0.0);
      std::vector<float> w_full(table_->num_rows(), 0.0f);
      for (size_t i = 0; i < n; ++i) {
        labels_full[train[i]] = ytil[i];
        w_full[train[i]] = static_cast<float>(w[i] * scale);
      }
      KEEL_ASSIGN_OR_RETURN(LinearFit fit,
                            TrainLinear(fs_->raw, train, labels_full, w_full,
                                        Objective::kBinaryLogistic, 1, lcfg_, ctx_.Quiet()));
      r.train_margins = PredictLinear(fit.model, fit.intercepts, fs_->raw, train);
      r.select_margins = PredictLinear(fit.model, fit.intercepts, fs_->raw, select);
      r.linear = std::move(fit.model);
      r.base_margin = std::move(fit.intercepts);
    }
    return r;
  }

 private:
  BestResponder(const Table& table, const FeatureSet& fs, const ReductionRows& rr,
                const Constraints& cons, const Context& ctx)
      : table_(&table), fs_(&fs), rr_(&rr), cons_(&cons), ctx_(ctx) {}

  const Table* table_;
  const FeatureSet* fs_;
  const ReductionRows* rr_;
  const Constraints* cons_;
  Context ctx_;
  bool gbdt_ = false;
  std::vector<BinMapper> mappers_;
  BinnedMatrix train_bins_, select_bins_;
  GbdtConfig gcfg_;
  LinearConfig lcfg_;
};

// The exponentiated-gradient game: `fair.iterations` best responses, the multipliers moved
// after each by the constraint values of the response on the training rows. Records each
// step in rep->steps.
Result<std::vector<Response>> PlayGame(const ReductionRows& rr, const Constraints& c,
                                       const BestResponder& learner,
                                       const FairReductionOptions& fair, FairReductionReport* rep) {
  const size_t n = rr.y.size();
  const std::vector<uint32_t>& train = *rr.train;
  std::vector<double> theta(c.k, 0.0);
  std::vector<Response> responses;
  for (int t = 0; t < fair.iterations; ++t) {
    double exp_sum = 1;
    std::vector<double> lambda(c.k);
    for (size_t j = 0; j < c.k; ++j) exp_sum += std::exp(theta[j]);
    for (size_t j = 0; j < c.k; ++j) lambda[j] = c.big_b * std::exp(theta[j]) / exp_sum;
    std::vector<double> net(c.cell_n.size(), 0.0);
    for (size_t j = 0; j < c.cells.size(); ++j) {
      net[c.cells[j]] = lambda[2 * j] - lambda[2 * j + 1];
    }
    KEEL_ASSIGN_OR_RETURN(Response r, learner.Respond(net));

    // Constraint values of h_t on the training rows: mean in the cell minus mean in its event.
    const std::vector<uint8_t> d = Decide(r.train_margins);
    std::vector<double> cell_sel(c.cell_n.size(), 0), event_sel(c.num_events, 0);
    double err = 0;
    for (size_t i = 0; i < n; ++i) {
      cell_sel[c.cell_of[i]] += d[i];
      event_sel[c.event_of[i]] += d[i];
      err += rr.user_w[train[i]] * (d[i] != rr.y[i] ? 1 : 0);
    }
    for (size_t j = 0; j < c.cells.size(); ++j) {
      const size_t cell = c.cells[j];
      const size_t e = cell / rr.num_groups;
      const double mu = cell_sel[cell] / c.cell_n[cell] - event_sel[e] / c.event_n[e];
      theta[2 * j] += c.eta * (mu - c.eps);
      theta[2 * j + 1] += c.eta * (-mu - c.eps);
    }
    FairReductionStep step;
    step.error = err / rr.w_total;
    step.disparity = Disparity(fair.constraint, d, rr.y, rr.g, rr.num_groups);
    step.max_lambda = lambda.empty() ? 0 : *std::max_element(lambda.begin(), lambda.end());
    rep->steps.push_back(step);
    responses.push_back(std::move(r));
  }
  return responses;
}

// A deterministic candidate for the returned model: one response (or the margin average of
// all of them) with its decision threshold moved by `shift`, judged on the selection rows.
struct Candidate {
  int index;     // -1 = the average
  double shift;  // decisions are margin - shift >= 0
  double accuracy, disparity;
};

// Candidates on the selection rows: each h_t and the margin average of all of them, each
// with its decision threshold at 0 and moved to quantiles of its selection margins. Moving
// the threshold is one intercept shift (still one model without the group); it trades
// accuracy for parity along a path the multipliers alone explore only coarsely in a few
// iterations, and its far end (everyone or no one selected) has no disparity at all.
std::vector<Candidate> Candidates(const ReductionRows& rr, const std::vector<Response>& responses,
                                  const FairReductionOptions& fair) {
  const size_t n_sel = rr.select->size();
  const size_t T = responses.size();
  std::vector<double> avg(n_sel, 0.0);
  for (const auto& r : responses) {
    for (size_t i = 0; i < n_sel; ++i) avg[i] += r.select_margins[i] / static_cast<double>(T);
  }
  std::vector<Candidate> cands;
  std::vector<uint8_t> d(n_sel);
  auto add_candidates = [&](int index, std::span<const double> m) {
    std::vector<double> shifts = {0.0};
    std::vector<double> sorted(m.begin(), m.end());
    std::sort(sorted.begin(), sorted.end());
    // Thresholds midway between neighbouring *distinct* margins, so rounding in the final
    // model's sum (base margin and shift first, then the trees) cannot move a row across
    // one: many rows share a margin (the same leaves), and a threshold on a tie would put a
    // whole block of rows on it. The ends select everyone / no one.
    const size_t len = sorted.size();
    for (int q = 0; q <= kThresholdSteps && len > 0; ++q) {
      const size_t at = len * static_cast<size_t>(q) / static_cast<size_t>(kThresholdSteps);
      if (at == 0) {
        shifts.push_back(sorted[0] - 1);
        continue;
      }
      const auto above = std::upper_bound(sorted.begin(), sorted.end(), sorted[at - 1]);
      shifts.push_back(above == sorted.end() ? sorted[len - 1] + 1
                                             : 0.5 * (sorted[at - 1] + *above));
    }
    for (double shift : shifts) {
      for (size_t i = 0; i < m.size(); ++i) d[i] = m[i] - shift >= 0 ? 1 : 0;
      cands.push_back({index, shift, Accuracy(d, rr.y_sel),
                       Disparity(fair.constraint, d, rr.y_sel, rr.g_sel, rr.num_groups)});
    }
  };
  for (size_t t = 0; t < T; ++t) add_candidates(static_cast<int>(t), responses[t].select_margins);
  add_candidates(-1, avg);
  return cands;
}

// The most accurate candidate within the bound (ties: less disparity, then the smaller
// shift), or the least unfair one when none is; fills the report's choice figures.
const Candidate& Choose(const std::vector<Candidate>& cands, const ReductionRows& rr,
                        const FairReductionOptions& fair, FairReductionReport* rep) {
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
  rep->bound_met = best != nullptr;
  if (best == nullptr) {
    for (const auto& c : cands) {
      if (best == nullptr || c.disparity < best->disparity ||
          (c.disparity == best->disparity && c.accuracy > best->accuracy)) {
        best = &c;
      }
    }
  }
  rep->selected_on = rr.select_is_train ? "train" : "valid";
  // cands[0] is h_1 at threshold 0: the unconstrained fit (all multipliers equal).
  rep->accuracy_before = cands[0].accuracy;
  rep->disparity_before = cands[0].disparity;
  rep->accuracy_after = best->accuracy;
  rep->disparity_after = best->disparity;
  return *best;
}

// Makes `model` the chosen candidate: one response, or the margin average of all of them (one
// forest holding every tree with its leaf values divided by T, or one linear model with the
// averaged weights), with the threshold shift taken into the base margin.
Status SetChosenModel(const Candidate& best, bool gbdt, std::vector<Response>& responses,
                      Model* model, FairReductionReport* rep) {
  auto set_constant = [&](double margin) {
    model->base_margin = {margin};
    model->forest.trees.clear();
    if (!gbdt) {
      for (auto& w : model->linear.weights) w = 0;
    }
  };
  if (best.index >= 0) {
    Response& r = responses[static_cast<size_t>(best.index)];
    rep->chosen = fmt::format("model of iteration {}", best.index + 1);
    if (r.constant) {
      set_constant(r.constant_margin);
    } else if (gbdt) {
      model->forest = std::move(r.forest);
      model->base_margin = r.base_margin;
    } else {
      model->linear = std::move(r.linear);
      model->base_margin = r.base_margin;
    }
  } else {
    const size_t T = responses.size();
    rep->chosen = fmt::format("margin average of {} models", T);
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
        for (size_t j = 0; j < linear.weights.size(); ++j) {
          linear.weights[j] += r.linear.weights[j] * inv;
        }
      }
    }
    model->base_margin = {base};
    if (gbdt) {
      model->forest = std::move(forest);
    } else if (have_linear) {
      model->linear = std::move(linear);
    } else {
      set_constant(base);
    }
  }
  model->base_margin[0] -= best.shift;
  if (best.shift != 0) {
    rep->chosen +=
        fmt::format(" with its decision threshold moved by {}", FormatDouble(best.shift));
  }
  return Status::OK();
}

// The "fair_reduction" entry of the model's "fairness" section.
nlohmann::json ReductionJson(const FairReductionOptions& fair, const FairReductionReport& rep) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : rep.steps) {
    steps.push_back({{"error", s.error}, {"disparity", s.disparity}, {"max_lambda", s.max_lambda}});
  }
  return {{"method", "exponentiated gradient (Agarwal et al. 2018)"},
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
}

Status CheckReductionInputs(const Table& table, const TrainOptions& options,
                            std::span<const int32_t> groups, const FairReductionOptions& fair) {
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
  return Status::OK();
}

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
                                       const FairReductionOptions& fair, const Context& ctx,
                                       FairReductionReport* report) {
  KEEL_RETURN_IF_ERROR(CheckReductionInputs(table, options, groups, fair));
  // The plain model first: its report, split and lineage are the result's.
  Stopwatch clock;
  TrainReport plain_report;
  KEEL_ASSIGN_OR_RETURN(TrainingData data,
                        PrepareTraining(table, schema, options, ctx, &plain_report));
  plain_report.seconds = clock.Seconds();
  KEEL_ASSIGN_OR_RETURN(TrainResult result,
                        FitPrepared(table, schema, options, data, std::move(plain_report), ctx));
  if (result.model.task != Task::kBinary) {
    return Status::InvalidArgument(
        "the fairness reduction needs a binary target; '{}' is a {} target", options.target,
        TaskName(result.model.task));
  }

  KEEL_ASSIGN_OR_RETURN(ReductionRows rr,
                        ReductionRowsOf(table, result, groups, data.weight_column));
  const Constraints cons = ConstraintsOf(rr, fair);
  KEEL_ASSIGN_OR_RETURN(BestResponder learner,
                        BestResponder::Create(table, options, data.features, rr, cons, ctx));
  FairReductionReport rep;
  KEEL_ASSIGN_OR_RETURN(std::vector<Response> responses, PlayGame(rr, cons, learner, fair, &rep));
  const std::vector<Candidate> cands = Candidates(rr, responses, fair);
  const Candidate& best = Choose(cands, rr, fair, &rep);

  Model& model = result.model;
  KEEL_RETURN_IF_ERROR(SetChosenModel(best, learner.gbdt(), responses, &model, &rep));
  // A margin average of models that obey the constraints obeys them too; prove it on the trees.
  KEEL_ASSIGN_OR_RETURN(const ModelConstraints mc,
                        ResolveConstraints(options.params.monotone, options.params.interactions,
                                           data.features.specs, data.features.excluded));
  KEEL_RETURN_IF_ERROR(VerifyTrainedConstraints(mc, &model));
  KEEL_RETURN_IF_ERROR(ValidateModel(model).WithContext("fairness-reduced model"));
  nlohmann::json& section = model.sections["fairness"];
  if (!section.is_object()) section = nlohmann::json::object();
  section["fair_reduction"] = ReductionJson(fair, rep);
  if (report != nullptr) *report = std::move(rep);
  return result;
}

}  // namespace keel
