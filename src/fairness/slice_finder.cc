#include "fairness/slice_finder.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>

#include "core/parallel.h"
#include "eval/binary_metrics.h"

namespace keel::fairness {
namespace {

// Sufficient statistics of the per-row loss over a set of rows.
struct LossSums {
  double n = 0, sum = 0, sum_sq = 0, errors = 0;
  void Add(double loss, double error) {
    n += 1;
    sum += loss;
    sum_sq += loss * loss;
    errors += error;
  }
};

struct Candidate {
  int f1 = -1, c1 = -1, f2 = -1, c2 = -1;  // feature and condition indices; f2 < 0 for one
  LossSums in;
  double z = 0, p = 1;
};

double SampleVariance(double n, double sum, double sum_sq) {
  if (n < 2) return 0;
  const double mean = sum / n;
  return std::max(0.0, (sum_sq - n * mean * mean) / (n - 1));
}

// One-sided Welch test of "the slice's mean loss is larger than the rest's".
void Test(const LossSums& all, Candidate* c) {
  const LossSums& in = c->in;
  const double n_out = all.n - in.n;
  const double sum_out = all.sum - in.sum;
  const double sq_out = all.sum_sq - in.sum_sq;
  const double mean_in = in.sum / in.n;
  const double mean_out = n_out > 0 ? sum_out / n_out : 0;
  const double se = std::sqrt(SampleVariance(in.n, in.sum, in.sum_sq) / in.n +
                              (n_out > 1 ? SampleVariance(n_out, sum_out, sq_out) / n_out : 0));
  const double diff = mean_in - mean_out;
  if (se > 0) {
    c->z = diff / se;
    c->p = 0.5 * std::erfc(c->z / std::sqrt(2.0));
  } else {
    // Constant losses on both sides: the difference is exact.
    c->z = diff > 0 ? INFINITY : (diff < 0 ? -INFINITY : 0);
    c->p = diff > 0 ? 0 : 1;
  }
}

}  // namespace

std::string_view SliceLossName(SliceLoss loss) {
  return loss == SliceLoss::kLogLoss ? "logloss" : "error_rate";
}

bool ParseSliceLoss(std::string_view text, SliceLoss* loss) {
  if (text == "logloss") {
    *loss = SliceLoss::kLogLoss;
  } else if (text == "error_rate" || text == "error") {
    *loss = SliceLoss::kErrorRate;
  } else {
    return false;
  }
  return true;
}

Result<SliceReport> FindWorstSlices(const Table& table, std::span<const std::string> columns,
                                    const BinaryOutcomes& outcomes, const SliceOptions& options,
                                    const Context& ctx) {
  const size_t n = outcomes.scores.size();
  if (table.num_rows() != n || outcomes.labels.size() != n || outcomes.decisions.size() != n) {
    return Status::InvalidArgument("slice search: {} table rows but {} predictions",
                                   table.num_rows(), n);
  }
  if (options.max_conditions < 1 || options.max_conditions > 2) {
    return Status::InvalidArgument("slices combine 1 or 2 conditions (got {})",
                                   options.max_conditions);
  }
  if (options.min_rows < 2) {
    return Status::InvalidArgument("slices need at least 2 rows (got {})", options.min_rows);
  }
  if (!(options.alpha > 0 && options.alpha < 1)) {
    return Status::InvalidArgument("slice false discovery rate must be in (0, 1) (got {})",
                                   options.alpha);
  }
  SliceReport report;
  report.loss = options.loss;

  std::vector<BinnedFeature> features;
  for (const auto& name : columns) {
    const Column* col = table.Find(name);
    if (col == nullptr) return Status::NotFound("slice search: no column '{}' in the data", name);
    auto binned = BinFeature(*col, options.binning);
    if (!binned.ok()) {
      if (binned.status().code() == StatusCode::kUnsupported) {
        report.skipped_columns.push_back(name + ": " + binned.status().message());
        continue;
      }
      return binned.status();
    }
    features.push_back(std::move(binned).value());
  }

  std::vector<double> loss(n), error(n);
  LossSums all;
  for (size_t i = 0; i < n; ++i) {
    error[i] = outcomes.decisions[i] != outcomes.labels[i] ? 1 : 0;
    loss[i] = options.loss == SliceLoss::kLogLoss
                  ? ClippedBinaryLogLoss(outcomes.labels[i] ? 1 : 0, outcomes.scores[i])
                  : error[i];
    all.Add(loss[i], error[i]);
  }
  report.overall_loss = n > 0 ? all.sum / all.n : NAN;
  report.overall_error_rate = n > 0 ? all.errors / all.n : NAN;

  // Work items: each feature alone, then each pair of features; every item fills a small
  // table of sums per condition (or condition pair) in one pass over the rows.
  const size_t nf = features.size();
  std::vector<std::pair<int, int>> items;
  for (size_t f = 0; f < nf; ++f) items.emplace_back(static_cast<int>(f), -1);
  if (options.max_conditions == 2) {
    for (size_t f = 0; f < nf; ++f) {
      for (size_t g = f + 1; g < nf; ++g) {
        items.emplace_back(static_cast<int>(f), static_cast<int>(g));
      }
    }
  }
  std::vector<std::vector<Candidate>> found(items.size());
  KEEL_RETURN_IF_ERROR(ParallelFor(ctx.threads(), items.size(), [&](size_t item) {
    const auto [f, g] = items[item];
    const BinnedFeature& a = features[static_cast<size_t>(f)];
    const size_t ka = a.conditions.size();
    const size_t kb = g < 0 ? 1 : features[static_cast<size_t>(g)].conditions.size();
    std::vector<LossSums> cells(ka * kb);
    if (g < 0) {
      for (size_t i = 0; i < n; ++i) cells[static_cast<size_t>(a.codes[i])].Add(loss[i], error[i]);
    } else {
      const auto& b_codes = features[static_cast<size_t>(g)].codes;
      for (size_t i = 0; i < n; ++i) {
        cells[static_cast<size_t>(a.codes[i]) * kb + static_cast<size_t>(b_codes[i])].Add(loss[i],
                                                                                          error[i]);
      }
    }
    for (size_t c = 0; c < cells.size(); ++c) {
      if (cells[c].n < static_cast<double>(options.min_rows)) continue;
      Candidate cand;
      cand.f1 = f;
      cand.c1 = static_cast<int>(c / kb);
      if (g >= 0) {
        cand.f2 = g;
        cand.c2 = static_cast<int>(c % kb);
      }
      cand.in = cells[c];
      Test(all, &cand);
      found[item].push_back(cand);
    }
  }));

  std::vector<Candidate> cands;
  for (auto& v : found) cands.insert(cands.end(), v.begin(), v.end());
  report.slices_tested = cands.size();

  // Benjamini-Hochberg: q_(i) = min over j >= i of p_(j) * m / j.
  const size_t m = cands.size();
  std::vector<size_t> by_p(m);
  std::iota(by_p.begin(), by_p.end(), size_t{0});
  std::stable_sort(by_p.begin(), by_p.end(),
                   [&](size_t x, size_t y) { return cands[x].p < cands[y].p; });
  std::vector<double> q(m, 1.0);
  double running = 1.0;
  for (size_t r = m; r-- > 0;) {
    const double adj = cands[by_p[r]].p * static_cast<double>(m) / static_cast<double>(r + 1);
    running = std::min(running, adj);
    q[by_p[r]] = std::min(1.0, running);
  }

  // Mean loss of each one-condition slice, to drop pairs no worse than a parent. A parent
  // below min_rows cannot exist (it holds the pair), but look it up defensively.
  std::vector<std::vector<double>> single_loss(nf);
  for (size_t f = 0; f < nf; ++f) single_loss[f].assign(features[f].conditions.size(), NAN);
  for (const auto& c : cands) {
    if (c.f2 < 0) {
      single_loss[static_cast<size_t>(c.f1)][static_cast<size_t>(c.c1)] = c.in.sum / c.in.n;
    }
  }

  std::vector<Slice> listed;
  for (size_t i = 0; i < m; ++i) {
    const Candidate& c = cands[i];
    const double mean = c.in.sum / c.in.n;
    const bool significant = q[i] <= options.alpha && mean > report.overall_loss;
    if (significant) ++report.slices_significant;
    if (!significant) continue;
    if (c.f2 >= 0) {
      const double p1 = single_loss[static_cast<size_t>(c.f1)][static_cast<size_t>(c.c1)];
      const double p2 = single_loss[static_cast<size_t>(c.f2)][static_cast<size_t>(c.c2)];
      if (!(mean > p1) || !(mean > p2)) continue;
    }
    Slice s;
    s.conditions.push_back(
        features[static_cast<size_t>(c.f1)].conditions[static_cast<size_t>(c.c1)]);
    if (c.f2 >= 0) {
      s.conditions.push_back(
          features[static_cast<size_t>(c.f2)].conditions[static_cast<size_t>(c.c2)]);
    }
    s.rows = static_cast<size_t>(c.in.n);
    s.loss = mean;
    const double n_out = all.n - c.in.n;
    s.rest_loss = n_out > 0 ? (all.sum - c.in.sum) / n_out : NAN;
    s.effect = s.loss - s.rest_loss;
    s.error_rate = c.in.errors / c.in.n;
    s.z = c.z;
    s.p_value = c.p;
    s.q_value = q[i];
    s.significant = true;
    listed.push_back(std::move(s));
  }
  std::stable_sort(listed.begin(), listed.end(), [](const Slice& x, const Slice& y) {
    if (x.effect != y.effect) return x.effect > y.effect;
    return x.rows > y.rows;
  });
  if (listed.size() > options.top_k) listed.resize(options.top_k);
  report.worst = std::move(listed);
  return report;
}

}  // namespace keel::fairness
