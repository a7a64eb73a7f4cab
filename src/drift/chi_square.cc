#include "drift/chi_square.h"

#include <boost/math/special_functions/gamma.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace keel::drift {

double ChiSquareSf(double x, double dof) {
  if (!(dof > 0) || std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
  if (x <= 0) return 1.0;
  if (std::isinf(x)) return 0.0;
  return boost::math::gamma_q(dof / 2, x / 2);
}

ChiSquareResult ChiSquareHomogeneity(std::span<const double> a, std::span<const double> b) {
  ChiSquareResult r;
  const size_t k = std::min(a.size(), b.size());
  std::vector<size_t> keep;
  double ta = 0, tb = 0;
  for (size_t i = 0; i < k; ++i) {
    if (a[i] + b[i] > 0) keep.push_back(i);
    ta += a[i];
    tb += b[i];
  }
  if (ta <= 0 || tb <= 0 || keep.size() < 2) return r;
  const double total = ta + tb;
  double chi2 = 0;
  for (size_t i : keep) {
    const double col = a[i] + b[i];
    const double ea = ta * col / total;
    const double eb = tb * col / total;
    chi2 += (a[i] - ea) * (a[i] - ea) / ea + (b[i] - eb) * (b[i] - eb) / eb;
  }
  r.statistic = chi2;
  r.dof = static_cast<int>(keep.size()) - 1;
  r.p_value = ChiSquareSf(chi2, r.dof);
  return r;
}

}  // namespace keel::drift
