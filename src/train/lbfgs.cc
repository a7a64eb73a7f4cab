#include "train/lbfgs.h"

#include <algorithm>
#include <cmath>

namespace keel {
namespace {

// Line search constants (Nocedal and Wright; Hager and Zhang 2005).
constexpr double kArmijo = 1e-4;     // c1 of the sufficient-decrease condition
constexpr double kWolfeSigma = 0.9;  // curvature: phi'(a) >= sigma phi'(0)
constexpr double kWolfeDelta = 0.1;  // approximate Wolfe: phi'(a) <= (2 delta - 1) phi'(0)
// How much f may rise, relative to |f|, in an approximate-Wolfe step: about the rounding
// error of a loss summed over many rows, far below any decrease that still matters.
constexpr double kApproxWolfeEps = 1e-9;
constexpr int kMaxLineSearchSteps = 40;
// Iterations in a row that neither lower f measurably (below its value when progress was last
// seen) nor the best gradient seen before stopping: the solver is then at the precision limit
// of f and its gradient.
constexpr int kMaxStalled = 10;
// f has fallen measurably once it is this fraction of |f| below its value at the last
// progress: thousands of units in the last place, above the rounding error of a loss summed
// over many rows. It is measured from the last progress, not per iteration, because an
// ill-conditioned fit that is still converging lowers f by tiny steps while its largest
// gradient component wanders (1e-10 of f per iteration near the end of a logistic fit on
// collinear one-hot columns; less on harder problems). Testing each step against the
// approximate-Wolfe slack instead (1e-9 of f) stopped such fits short of the tolerance.
constexpr double kProgressEps = 1e-12;

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

// The (s, y) pairs of the last `history` steps in a ring, allocated once.
class Memory {
 public:
  Memory(size_t n, int history)
      : cap_(static_cast<size_t>(std::max(history, 1))),
        s_(cap_, std::vector<double>(n)),
        y_(cap_, std::vector<double>(n)),
        rho_(cap_),
        alpha_(cap_) {}

  size_t size() const { return size_; }
  void Clear() { size_ = 0; }
  // Slot for the next pair (overwrites the oldest when full); Commit() makes it current.
  std::vector<double>& next_s() { return s_[(head_ + size_) % cap_]; }
  std::vector<double>& next_y() { return y_[(head_ + size_) % cap_]; }
  void Commit(double rho) {
    rho_[(head_ + size_) % cap_] = rho;
    if (size_ < cap_) {
      ++size_;
    } else {
      head_ = (head_ + 1) % cap_;
    }
  }

  // d = -H g by the two-loop recursion, H scaled by s'y / y'y of the newest pair.
  void Direction(std::span<const double> g, std::span<double> d) {
    const size_t n = g.size();
    for (size_t i = 0; i < n; ++i) d[i] = -g[i];
    for (size_t j = size_; j-- > 0;) {
      const size_t k = (head_ + j) % cap_;
      alpha_[k] = rho_[k] * Dot(s_[k], d);
      for (size_t i = 0; i < n; ++i) d[i] -= alpha_[k] * y_[k][i];
    }
    const size_t last = (head_ + size_ - 1) % cap_;
    const double gamma = Dot(s_[last], y_[last]) / Dot(y_[last], y_[last]);
    for (double& v : d) v *= gamma;
    for (size_t j = 0; j < size_; ++j) {
      const size_t k = (head_ + j) % cap_;
      const double beta = rho_[k] * Dot(y_[k], d);
      for (size_t i = 0; i < n; ++i) d[i] += s_[k][i] * (alpha_[k] - beta);
    }
  }

 private:
  size_t cap_;
  size_t head_ = 0;
  size_t size_ = 0;
  std::vector<std::vector<double>> s_, y_;
  std::vector<double> rho_, alpha_;
};

}  // namespace

Result<LbfgsResult> MinimizeLbfgs(const LbfgsFunction& f, std::vector<double>* x,
                                  const LbfgsOptions& options) {
  const size_t n = x->size();
  std::vector<double> g(n), g_new(n), x_new(n), d(n);
  KEEL_ASSIGN_OR_RETURN(double fx, f(*x, g));
  LbfgsResult res;
  res.evaluations = 1;
  if (!std::isfinite(fx)) return Status::InvalidArgument("the loss is not finite at the start");
  Memory mem(n, options.history);
  res.value = fx;
  res.gradient_max = MaxAbs(g);
  double best_gradient = res.gradient_max;
  int stalled = 0;
  double f_progress = fx;  // f when progress was last seen
  for (int it = 0; it < options.max_iterations; ++it) {
    if (res.gradient_max <= options.tolerance) break;
    double slope = 0;
    if (mem.size() > 0) {
      mem.Direction(g, d);
      slope = Dot(g, d);
    }
    if (mem.size() == 0 || !(slope < 0)) {
      // First step, or not a descent direction (numerical trouble): steepest descent scaled
      // to unit length, so the first trial step is scale-free.
      mem.Clear();
      const double gn = std::sqrt(Dot(g, g));
      for (size_t i = 0; i < n; ++i) d[i] = -g[i] / gn;
      slope = Dot(g, d);
    }
    const double f_slack = kApproxWolfeEps * std::abs(fx);
    double step = 1.0;
    double f_new = 0;
    bool accepted = false;
    for (int ls = 0; ls < kMaxLineSearchSteps; ++ls) {
      for (size_t i = 0; i < n; ++i) x_new[i] = (*x)[i] + step * d[i];
      KEEL_ASSIGN_OR_RETURN(f_new, f(x_new, g_new));
      ++res.evaluations;
      if (!std::isfinite(f_new)) {
        step *= 0.1;  // overflow far out along d
        continue;
      }
      const double dphi = Dot(g_new, d);
      const bool armijo = f_new <= fx + kArmijo * step * slope;
      const bool approx_wolfe = f_new <= fx + f_slack && dphi >= kWolfeSigma * slope &&
                                dphi <= (2 * kWolfeDelta - 1) * slope;
      if (armijo || approx_wolfe) {
        accepted = true;
        break;
      }
      // Next trial: where the directional derivative's secant crosses zero when the step
      // overshot the minimum along d, else half; kept within [0.1, 0.5] of the step.
      double next = 0.5 * step;
      if (dphi > 0) next = step * slope / (slope - dphi);
      step = std::clamp(next, 0.1 * step, 0.5 * step);
    }
    res.iterations = it + 1;
    if (!accepted) {  // no acceptable step: at the precision limit of f and its gradient
      res.stop = LbfgsStop::kNoProgress;
      break;
    }
    std::vector<double>& s = mem.next_s();
    std::vector<double>& y = mem.next_y();
    double s_max = 0;
    for (size_t i = 0; i < n; ++i) {
      s[i] = x_new[i] - (*x)[i];
      y[i] = g_new[i] - g[i];
      s_max = std::max(s_max, std::abs(s[i]));
    }
    const double sy = Dot(s, y);
    const double yy = Dot(y, y);
    x->swap(x_new);
    g.swap(g_new);
    fx = f_new;
    res.value = fx;
    res.gradient_max = MaxAbs(g);
    // Keep the pair only when it carries positive curvature information.
    if (sy > 1e-16 * yy && yy > 0) mem.Commit(1.0 / sy);
    if (s_max == 0) {  // the step no longer moves x at all
      res.stop = LbfgsStop::kNoProgress;
      break;
    }
    if (f_progress - fx > kProgressEps * std::abs(fx) || res.gradient_max < best_gradient) {
      stalled = 0;
      f_progress = fx;
    } else if (++stalled >= kMaxStalled) {
      res.stop = LbfgsStop::kNoProgress;
      break;
    }
    best_gradient = std::min(best_gradient, res.gradient_max);
  }
  res.converged = res.gradient_max <= options.tolerance;
  if (res.converged) res.stop = LbfgsStop::kConverged;
  return res;
}

}  // namespace keel
