#include "drift/distances.h"

#include <algorithm>
#include <cmath>

namespace keel::drift {
namespace {

double Sum(std::span<const double> x) {
  double s = 0;
  for (double v : x) s += v;
  return s;
}

// x ln(x / y) with the conventions of scipy.special.rel_entr (0 when x = 0).
double RelEntr(double x, double y) {
  if (x == 0 && y >= 0) return 0.0;
  if (x > 0 && y > 0) return x * std::log(x / y);
  return std::numeric_limits<double>::infinity();
}

}  // namespace

double PopulationStabilityIndex(std::span<const double> reference, std::span<const double> current) {
  const size_t k = std::min(reference.size(), current.size());
  const double tr = Sum(reference.first(k));
  const double tc = Sum(current.first(k));
  if (tr <= 0 || tc <= 0) return 0.0;
  double psi = 0;
  for (size_t i = 0; i < k; ++i) {
    double r = reference[i] / tr;
    double c = current[i] / tc;
    if (r == 0) r = kPsiEmptyBin;
    if (c == 0) c = kPsiEmptyBin;
    psi += (c - r) * std::log(c / r);
  }
  return psi;
}

double JensenShannonDistance(std::span<const double> p, std::span<const double> q) {
  const size_t k = std::min(p.size(), q.size());
  const double tp = Sum(p.first(k));
  const double tq = Sum(q.first(k));
  if (tp <= 0 || tq <= 0) return 0.0;
  double left = 0, right = 0;
  for (size_t i = 0; i < k; ++i) {
    const double pi = p[i] / tp;
    const double qi = q[i] / tq;
    const double m = (pi + qi) / 2.0;
    left += RelEntr(pi, m);
    right += RelEntr(qi, m);
  }
  const double js = (left + right) / std::log(2.0);
  return std::sqrt(std::max(js / 2.0, 0.0));
}

double Wasserstein1(const StepDistribution& u, const StepDistribution& v) {
  if (u.empty() || v.empty() || u.total <= 0 || v.total <= 0) return 0.0;
  double cu = 0, cv = 0, sum = 0;
  size_t i = 0, j = 0;
  bool have_prev = false;
  double prev = 0, prev_gap = 0;
  while (i < u.values.size() || j < v.values.size()) {
    double x = 0;
    if (j >= v.values.size() || (i < u.values.size() && u.values[i] <= v.values[j])) {
      x = u.values[i];
    } else {
      x = v.values[j];
    }
    if (have_prev) sum += prev_gap * (x - prev);
    while (i < u.values.size() && u.values[i] == x) cu += u.weights[i++];
    while (j < v.values.size() && v.values[j] == x) cv += v.weights[j++];
    prev_gap = std::fabs(cu / u.total - cv / v.total);
    prev = x;
    have_prev = true;
  }
  return sum;
}

}  // namespace keel::drift
