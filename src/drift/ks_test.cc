#include "drift/ks_test.h"

#include <algorithm>
#include <cmath>

namespace keel::drift {

KsResult KsTwoSample(const StepDistribution& a, const StepDistribution& b) {
  KsResult r;
  r.exact = a.exact && b.exact;
  r.n1 = static_cast<int64_t>(std::llround(a.total));
  r.n2 = static_cast<int64_t>(std::llround(b.total));
  if (a.empty() || b.empty() || r.n1 <= 0 || r.n2 <= 0) return r;
  // Merge-walk the union of values; the CDF difference only changes at those points.
  double ca = 0, cb = 0;
  double max_diff = -1, min_diff = 1;
  double max_loc = 0, min_loc = 0;
  size_t i = 0, j = 0;
  while (i < a.values.size() || j < b.values.size()) {
    double x = 0;
    if (j >= b.values.size() || (i < a.values.size() && a.values[i] <= b.values[j])) {
      x = a.values[i];
    } else {
      x = b.values[j];
    }
    while (i < a.values.size() && a.values[i] == x) ca += a.weights[i++];
    while (j < b.values.size() && b.values[j] == x) cb += b.weights[j++];
    const double diff = ca / a.total - cb / b.total;
    if (diff > max_diff) {
      max_diff = diff;
      max_loc = x;
    }
    if (diff < min_diff) {
      min_diff = diff;
      min_loc = x;
    }
  }
  const double min_s = std::clamp(-min_diff, 0.0, 1.0);
  double d = max_diff;
  r.location = max_loc;
  if (min_s > max_diff) {
    d = min_s;
    r.location = min_loc;
  }
  const KsPValue p = KsTwoSamplePValue(r.n1, r.n2, d);
  r.statistic = p.statistic;
  r.p_value = p.p_value;
  r.method = p.method;
  return r;
}

}  // namespace keel::drift
