#include "train/linear_trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/parallel.h"
#include "core/readable_number.h"
#include "train/lbfgs.h"

namespace keel {
namespace {

// Row blocks are fixed (not per thread) so sums are added in the same order whatever the
// thread count: equal seeds and data give bit-identical models.
constexpr size_t kRowsPerBlock = 2048;

// Per feature: which codes have a kCategory term (for the "other" indicator).
std::vector<std::vector<uint8_t>> ListedCodes(std::span<const LinearTerm> terms,
                                              std::span<const RawFeature> features) {
  std::vector<std::vector<uint8_t>> listed(features.size());
  for (size_t f = 0; f < features.size(); ++f) {
    listed[f].assign(static_cast<size_t>(std::max(features[f].num_codes, 0)), 0);
  }
  for (const LinearTerm& t : terms) {
    if (t.kind == LinearTerm::Kind::kCategory) {
      listed[static_cast<size_t>(t.feature)][static_cast<size_t>(t.category)] = 1;
    }
  }
  return listed;
}

double TermValue(const LinearTerm& t, const RawFeature& f, const std::vector<uint8_t>& listed,
                 uint32_t r) {
  switch (t.kind) {
    case LinearTerm::Kind::kNumeric: {
      const float v = f.values[r];
      return std::isnan(v) ? 0.0 : (static_cast<double>(v) - t.center) / t.scale;
    }
    case LinearTerm::Kind::kMissingIndicator:
      return (f.categorical ? f.codes[r] < 0 : std::isnan(f.values[r])) ? 1.0 : 0.0;
    case LinearTerm::Kind::kCategory:
      return f.codes[r] == t.category ? 1.0 : 0.0;
    case LinearTerm::Kind::kOtherCategory: {
      const int32_t c = f.codes[r];
      return (c >= 0 && !listed[static_cast<size_t>(c)]) ? 1.0 : 0.0;
    }
  }
  return 0.0;
}

// Dense design matrix, rows x terms, row-major.
std::vector<double> DesignMatrix(std::span<const LinearTerm> terms,
                                 std::span<const RawFeature> features,
                                 std::span<const uint32_t> rows, int threads) {
  const size_t p = terms.size();
  const auto listed = ListedCodes(terms, features);
  std::vector<double> x(rows.size() * p);
  const size_t blocks = (rows.size() + kRowsPerBlock - 1) / kRowsPerBlock;
  Status st = ParallelFor(threads, blocks, [&](size_t b) {
    const size_t end = std::min(rows.size(), (b + 1) * kRowsPerBlock);
    for (size_t i = b * kRowsPerBlock; i < end; ++i) {
      for (size_t t = 0; t < p; ++t) {
        const auto f = static_cast<size_t>(terms[t].feature);
        x[i * p + t] = TermValue(terms[t], features[f], listed[f], rows[i]);
      }
    }
  });
  st.IgnoreError();  // the body cannot fail
  return x;
}

// Solves the symmetric positive definite system a x = b in place (Cholesky). False when a
// is not positive definite.
bool CholeskySolve(std::vector<double> a, std::vector<double>* b, size_t n) {
  for (size_t j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (size_t k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 1e-12 * std::max(1.0, std::abs(a[j * n + j])))) return false;
    d = std::sqrt(d);
    a[j * n + j] = d;
    for (size_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (size_t k = 0; k < j; ++k) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / d;
    }
  }
  auto& y = *b;
  for (size_t i = 0; i < n; ++i) {
    double s = y[i];
    for (size_t k = 0; k < i; ++k) s -= a[i * n + k] * y[k];
    y[i] = s / a[i * n + i];
  }
  for (size_t i = n; i-- > 0;) {
    double s = y[i];
    for (size_t k = i + 1; k < n; ++k) s -= a[k * n + i] * y[k];
    y[i] = s / a[i * n + i];
  }
  return true;
}

}  // namespace

std::vector<LinearTerm> BuildLinearTerms(std::span<const RawFeature> features,
                                         std::span<const uint32_t> rows, int top_k) {
  std::vector<LinearTerm> terms;
  for (size_t f = 0; f < features.size(); ++f) {
    const RawFeature& feat = features[f];
    const auto fi = static_cast<int32_t>(f);
    uint64_t missing = 0;
    if (!feat.categorical) {
      double sum = 0, sum2 = 0;
      uint64_t cnt = 0;
      for (uint32_t r : rows) {
        const float v = feat.values[r];
        if (std::isnan(v)) {
          ++missing;
          continue;
        }
        sum += v;
        ++cnt;
      }
      const double mean = cnt > 0 ? sum / static_cast<double>(cnt) : 0.0;
      for (uint32_t r : rows) {
        const float v = feat.values[r];
        if (!std::isnan(v)) sum2 += (v - mean) * (v - mean);
      }
      double sd = cnt > 0 ? std::sqrt(sum2 / static_cast<double>(cnt)) : 0.0;
      if (!(sd > 0) || !std::isfinite(sd)) sd = 1.0;
      if (cnt > 0) {
        LinearTerm t;
        t.feature = fi;
        t.kind = LinearTerm::Kind::kNumeric;
        t.center = mean;
        t.scale = sd;
        terms.push_back(t);
      }
    } else {
      std::vector<uint64_t> count(static_cast<size_t>(std::max(feat.num_codes, 0)), 0);
      for (uint32_t r : rows) {
        const int32_t c = feat.codes[r];
        if (c < 0) {
          ++missing;
        } else {
          ++count[static_cast<size_t>(c)];
        }
      }
      std::vector<int32_t> seen;
      for (size_t c = 0; c < count.size(); ++c) {
        if (count[c] > 0) seen.push_back(static_cast<int32_t>(c));
      }
      std::stable_sort(seen.begin(), seen.end(),
                       [&](int32_t a, int32_t b) { return count[a] > count[b]; });
      const size_t own = std::min(seen.size(), static_cast<size_t>(std::max(top_k, 1)));
      std::vector<int32_t> kept(seen.begin(), seen.begin() + static_cast<std::ptrdiff_t>(own));
      std::sort(kept.begin(), kept.end());
      for (int32_t c : kept) {
        LinearTerm t;
        t.feature = fi;
        t.kind = LinearTerm::Kind::kCategory;
        t.category = c;
        terms.push_back(t);
      }
      if (seen.size() > own) {
        LinearTerm t;
        t.feature = fi;
        t.kind = LinearTerm::Kind::kOtherCategory;
        terms.push_back(t);
      }
    }
    if (missing > 0) {
      LinearTerm t;
      t.feature = fi;
      t.kind = LinearTerm::Kind::kMissingIndicator;
      terms.push_back(t);
    }
  }
  return terms;
}

Result<LinearFit> TrainLinear(std::span<const RawFeature> features, std::span<const uint32_t> rows,
                              std::span<const double> labels, std::span<const float> weights,
                              Objective objective, int num_outputs, const LinearConfig& config,
                              const Context& ctx) {
  if (objective != Objective::kBinaryLogistic && objective != Objective::kMultiSoftmax &&
      objective != Objective::kSquaredError) {
    return Status::Unsupported(
        "the linear baseline fits log loss or squared error; objective {} is for --algo gbdt",
        ObjectiveName(objective));
  }
  if (rows.empty()) return Status::InvalidArgument("no training rows");
  LinearFit fit;
  fit.model.terms = BuildLinearTerms(features, rows, config.top_k);
  fit.model.l2 = config.l2;
  const size_t p = fit.model.terms.size();
  const size_t n = rows.size();
  const auto k_out = static_cast<size_t>(num_outputs);
  const int threads = ctx.threads();
  const std::vector<double> x = DesignMatrix(fit.model.terms, features, rows, threads);
  std::vector<double> w(n, 1.0);
  if (!weights.empty()) {
    for (size_t i = 0; i < n; ++i) w[i] = weights[rows[i]];
  }
  const double w_total = std::accumulate(w.begin(), w.end(), 0.0);
  if (!(w_total > 0)) return Status::InvalidArgument("the training rows' weights sum to 0");
  const size_t blocks = (n + kRowsPerBlock - 1) / kRowsPerBlock;

  if (objective == Objective::kSquaredError) {
    // Normal equations over [terms, intercept]: (Z'WZ/W + l2 I') beta = Z'Wy/W.
    const size_t q = p + 1;
    std::vector<std::vector<double>> part_a(blocks, std::vector<double>(q * q, 0.0));
    std::vector<std::vector<double>> part_b(blocks, std::vector<double>(q, 0.0));
    KEEL_RETURN_IF_ERROR(ParallelFor(threads, blocks, [&](size_t b) {
      std::vector<double> z(q);
      auto& a = part_a[b];
      auto& rhs = part_b[b];
      const size_t end = std::min(n, (b + 1) * kRowsPerBlock);
      for (size_t i = b * kRowsPerBlock; i < end; ++i) {
        for (size_t t = 0; t < p; ++t) z[t] = x[i * p + t];
        z[p] = 1.0;
        const double wi = w[i];
        const double y = labels[rows[i]];
        for (size_t s = 0; s < q; ++s) {
          const double ws = wi * z[s];
          if (ws == 0) continue;
          rhs[s] += ws * y;
          for (size_t t = 0; t <= s; ++t) a[s * q + t] += ws * z[t];
        }
      }
    }));
    std::vector<double> a(q * q, 0.0), rhs(q, 0.0);
    for (size_t b = 0; b < blocks; ++b) {
      for (size_t i = 0; i < q * q; ++i) a[i] += part_a[b][i];
      for (size_t i = 0; i < q; ++i) rhs[i] += part_b[b][i];
    }
    for (size_t s = 0; s < q; ++s) {
      for (size_t t = 0; t <= s; ++t) {
        a[s * q + t] /= w_total;
        a[t * q + s] = a[s * q + t];
      }
      rhs[s] /= w_total;
    }
    for (size_t s = 0; s < p; ++s) a[s * q + s] += config.l2;
    if (!CholeskySolve(std::move(a), &rhs, q)) {
      return Status::FailedPrecondition(
          "the linear regression's normal equations are singular (collinear inputs and "
          "linear_l2 = {}): set --linear-l2 above 0",
          config.l2);
    }
    fit.model.weights.assign(rhs.begin(), rhs.begin() + static_cast<std::ptrdiff_t>(p));
    fit.intercepts = {rhs[p]};
    fit.converged = true;
    fit.iterations = 1;
    return fit;
  }

  // Logistic / softmax: parameters [beta (p x K, row-major), intercepts (K)].
  const size_t np = p * k_out + k_out;
  std::vector<double> theta(np, 0.0);
  {
    // Start the intercepts at the (weighted) log class priors: the optimum with beta = 0.
    std::vector<double> prior(k_out == 1 ? 2 : k_out, 0.0);
    for (size_t i = 0; i < n; ++i) prior[static_cast<size_t>(labels[rows[i]])] += w[i];
    if (k_out == 1) {
      const double pr = std::clamp(prior[1] / w_total, 1e-12, 1 - 1e-12);
      theta[p] = std::log(pr / (1 - pr));
    } else {
      for (size_t k = 0; k < k_out; ++k) {
        theta[p * k_out + k] = std::log(std::max(prior[k] / w_total, 1e-12));
      }
    }
  }
  std::vector<std::vector<double>> part_g(blocks, std::vector<double>(np, 0.0));
  std::vector<double> part_f(blocks, 0.0);
  auto f = [&](std::span<const double> th, std::span<double> grad) -> Result<double> {
    // Each evaluation is a pass over the rows: cancelling stops the solver within one pass.
    KEEL_RETURN_IF_ERROR(ctx.CheckCancelled("training"));
    KEEL_RETURN_IF_ERROR(ParallelFor(threads, blocks, [&](size_t b) {
      auto& g = part_g[b];
      std::fill(g.begin(), g.end(), 0.0);
      double loss = 0;
      std::vector<double> m(k_out);
      const size_t end = std::min(n, (b + 1) * kRowsPerBlock);
      for (size_t i = b * kRowsPerBlock; i < end; ++i) {
        const double* xi = x.data() + i * p;
        for (size_t k = 0; k < k_out; ++k) m[k] = th[p * k_out + k];
        for (size_t t = 0; t < p; ++t) {
          if (xi[t] == 0) continue;
          for (size_t k = 0; k < k_out; ++k) m[k] += xi[t] * th[t * k_out + k];
        }
        const double y = labels[rows[i]];
        const double wi = w[i];
        if (k_out == 1) {
          const double s = y > 0.5 ? m[0] : -m[0];
          loss += wi * (s > 0 ? std::log1p(std::exp(-s)) : -s + std::log1p(std::exp(s)));
          m[0] = wi * (1.0 / (1.0 + std::exp(-m[0])) - y);  // now the residual
        } else {
          double mx = m[0];
          for (size_t k = 1; k < k_out; ++k) mx = std::max(mx, m[k]);
          double sum = 0;
          for (size_t k = 0; k < k_out; ++k) sum += std::exp(m[k] - mx);
          const auto yk = static_cast<size_t>(y);
          loss += wi * (std::log(sum) + mx - m[yk]);
          for (size_t k = 0; k < k_out; ++k) {
            m[k] = wi * (std::exp(m[k] - mx) / sum - (k == yk ? 1.0 : 0.0));
          }
        }
        for (size_t t = 0; t < p; ++t) {
          if (xi[t] == 0) continue;
          for (size_t k = 0; k < k_out; ++k) g[t * k_out + k] += xi[t] * m[k];
        }
        for (size_t k = 0; k < k_out; ++k) g[p * k_out + k] += m[k];
      }
      part_f[b] = loss;
    }));
    double value = 0;
    std::fill(grad.begin(), grad.end(), 0.0);
    for (size_t b = 0; b < blocks; ++b) {
      value += part_f[b];
      for (size_t j = 0; j < np; ++j) grad[j] += part_g[b][j];
    }
    value /= w_total;
    for (double& gj : grad) gj /= w_total;
    for (size_t j = 0; j < p * k_out; ++j) {
      value += 0.5 * config.l2 * th[j] * th[j];
      grad[j] += config.l2 * th[j];
    }
    return value;
  };
  LbfgsOptions opt;
  opt.max_iterations = config.max_iterations;
  opt.tolerance = config.tolerance;
  KEEL_ASSIGN_OR_RETURN(LbfgsResult r, MinimizeLbfgs(f, &theta, opt));
  fit.iterations = r.iterations;
  fit.converged = r.converged;
  fit.hit_max_iterations = r.stop == LbfgsStop::kMaxIterations;
  fit.gradient_max = r.gradient_max;
  fit.model.weights.assign(theta.begin(), theta.begin() + static_cast<std::ptrdiff_t>(p * k_out));
  fit.intercepts.assign(theta.begin() + static_cast<std::ptrdiff_t>(p * k_out), theta.end());
  return fit;
}

std::string LinearFitWarning(const LinearFit& fit, const LinearConfig& config) {
  if (fit.converged) return "";
  const std::string where = fmt::format(
      "the linear solver stopped after {} iterations with its largest gradient component at {}, "
      "above its tolerance {} (--linear-tol)",
      fit.iterations, ReadableNumber(fit.gradient_max, 2), ReadableNumber(config.tolerance, 2));
  if (fit.hit_max_iterations) {
    return where + ": the iteration limit (--linear-max-iter " +
           std::to_string(config.max_iterations) + ") ran out first; raise it";
  }
  return where +
         ": the loss no longer falls measurably (the limit of double precision on these inputs, "
         "often nearly collinear columns), so more iterations would not help; the fit is as "
         "close to the optimum as this data allows (raise --linear-tol to accept it, or "
         "--linear-l2 to make the problem better conditioned)";
}

std::vector<double> PredictLinear(const LinearModel& model, std::span<const double> intercepts,
                                  std::span<const RawFeature> features,
                                  std::span<const uint32_t> rows) {
  const size_t k_out = intercepts.size();
  const size_t p = model.terms.size();
  const auto listed = ListedCodes(model.terms, features);
  std::vector<double> m(rows.size() * k_out);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t k = 0; k < k_out; ++k) m[i * k_out + k] = intercepts[k];
    for (size_t t = 0; t < p; ++t) {
      const LinearTerm& term = model.terms[t];
      const auto f = static_cast<size_t>(term.feature);
      const double v = TermValue(term, features[f], listed[f], rows[i]);
      if (v == 0) continue;
      for (size_t k = 0; k < k_out; ++k) m[i * k_out + k] += v * model.weights[t * k_out + k];
    }
  }
  return m;
}

}  // namespace keel
