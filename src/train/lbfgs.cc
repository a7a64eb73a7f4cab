#include "train/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <deque>

namespace keel {
namespace {

double Dot(std::span<const double> a, std::span<const double> b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double MaxAbs(std::span<const double> a) {
  double m = 0;
  for (double v : a) m = std::max(m, std::abs(v));
  return m;
}

}  // namespace

Result<LbfgsResult> MinimizeLbfgs(const LbfgsFunction& f, std::vector<double>* x,
                                  const LbfgsOptions& options) {
  const size_t n = x->size();
  std::vector<double> g(n), g_new(n), x_new(n), d(n);
  KEEL_ASSIGN_OR_RETURN(double fx, f(*x, g));
  if (!std::isfinite(fx)) return Status::InvalidArgument("the loss is not finite at the start");
  struct Pair {
    std::vector<double> s, y;
    double rho;
  };
  std::deque<Pair> mem;
  std::vector<double> alpha(static_cast<size_t>(options.history));
  LbfgsResult res;
  res.value = fx;
  res.gradient_max = MaxAbs(g);
  int stalled = 0;
  for (int it = 0; it < options.max_iterations; ++it) {
    if (res.gradient_max <= options.tolerance) {
      res.converged = true;
      break;
    }
    // Two-loop recursion: d = -H g.
    for (size_t i = 0; i < n; ++i) d[i] = -g[i];
    for (size_t j = mem.size(); j-- > 0;) {
      alpha[j] = mem[j].rho * Dot(mem[j].s, d);
      for (size_t i = 0; i < n; ++i) d[i] -= alpha[j] * mem[j].y[i];
    }
    double gamma = 1.0;
    if (!mem.empty()) {
      gamma = Dot(mem.back().s, mem.back().y) / Dot(mem.back().y, mem.back().y);
    } else {
      // First step: move a unit length along -g (scale-free start).
      const double gn = std::sqrt(Dot(g, g));
      gamma = gn > 0 ? 1.0 / gn : 1.0;
    }
    for (double& v : d) v *= gamma;
    for (size_t j = 0; j < mem.size(); ++j) {
      const double beta = mem[j].rho * Dot(mem[j].y, d);
      for (size_t i = 0; i < n; ++i) d[i] += mem[j].s[i] * (alpha[j] - beta);
    }
    double slope = Dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      mem.clear();
      const double gn = std::sqrt(Dot(g, g));
      for (size_t i = 0; i < n; ++i) d[i] = -g[i] / std::max(gn, 1e-300);
      slope = Dot(g, d);
    }
    // Backtracking line search with the Armijo condition.
    double step = 1.0;
    double f_new = 0;
    bool accepted = false;
    for (int ls = 0; ls < 60; ++ls) {
      for (size_t i = 0; i < n; ++i) x_new[i] = (*x)[i] + step * d[i];
      KEEL_ASSIGN_OR_RETURN(f_new, f(x_new, g_new));
      if (std::isfinite(f_new) && f_new <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    res.iterations = it + 1;
    if (!accepted) break;  // no decrease possible at machine precision: at the optimum
    Pair p;
    p.s.resize(n);
    p.y.resize(n);
    for (size_t i = 0; i < n; ++i) {
      p.s[i] = x_new[i] - (*x)[i];
      p.y[i] = g_new[i] - g[i];
    }
    const double sy = Dot(p.s, p.y);
    const double decrease = fx - f_new;
    x->swap(x_new);
    g.swap(g_new);
    fx = f_new;
    res.value = fx;
    res.gradient_max = MaxAbs(g);
    if (sy > 1e-300) {
      p.rho = 1.0 / sy;
      mem.push_back(std::move(p));
      if (static_cast<int>(mem.size()) > options.history) mem.pop_front();
    }
    // Stop when f no longer moves at all for a few steps (flat at machine precision).
    stalled = decrease <= 1e-16 * std::max(1.0, std::abs(fx)) ? stalled + 1 : 0;
    if (stalled >= 5) break;
  }
  res.converged = res.gradient_max <= options.tolerance;
  return res;
}

}  // namespace keel
