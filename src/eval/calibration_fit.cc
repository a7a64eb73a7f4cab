#include "eval/calibration_fit.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "model/link_function.h"

namespace keel {
namespace {

double Logit(double p) {
  const double q = std::clamp(p, 1e-15, 1.0 - 1e-15);
  return std::log(q / (1.0 - q));
}

// Mean Platt log loss of sigmoid(a * f + b) against targets t.
double PlattLoss(std::span<const double> f, std::span<const double> t, double a, double b) {
  double loss = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    const double z = a * f[i] + b;
    // log(1 + e^z) - t z, stable for both signs of z.
    loss += (z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z))) - t[i] * z;
  }
  return loss / static_cast<double>(f.size());
}

}  // namespace

Calibration::Map FitIsotonicMap(std::span<const double> p, std::span<const double> y) {
  std::vector<size_t> order(p.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  struct Block {
    double lo, hi, sum, count;
    double mean() const { return sum / count; }
  };
  std::vector<Block> blocks;
  for (size_t i : order) {
    const double x = std::isnan(p[i]) ? 0.0 : p[i];
    if (!blocks.empty() && blocks.back().hi == x) {
      // Ties share one fitted value.
      blocks.back().sum += y[i];
      blocks.back().count += 1;
    } else {
      blocks.push_back({x, x, y[i], 1});
    }
    while (blocks.size() > 1 && blocks[blocks.size() - 2].mean() >= blocks.back().mean()) {
      const Block last = blocks.back();
      blocks.pop_back();
      Block& prev = blocks.back();
      prev.hi = last.hi;
      prev.sum += last.sum;
      prev.count += last.count;
    }
  }
  Calibration::Map m;
  for (const Block& b : blocks) {
    m.x.push_back(b.lo);
    m.y.push_back(b.mean());
    if (b.hi > b.lo) {
      m.x.push_back(b.hi);
      m.y.push_back(b.mean());
    }
  }
  return m;
}

Calibration::Map FitSigmoidMap(std::span<const double> p, std::span<const double> y) {
  const size_t n = p.size();
  std::vector<double> f(n), t(n);
  double pos = 0;
  for (size_t i = 0; i < n; ++i) pos += y[i] > 0.5 ? 1 : 0;
  const double neg = static_cast<double>(n) - pos;
  const double t_pos = (pos + 1) / (pos + 2);
  const double t_neg = 1 / (neg + 2);
  for (size_t i = 0; i < n; ++i) {
    f[i] = Logit(p[i]);
    t[i] = y[i] > 0.5 ? t_pos : t_neg;
  }
  double a = 1, b = 0;
  double loss = PlattLoss(f, t, a, b);
  for (int it = 0; it < 100; ++it) {
    double ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
    for (size_t i = 0; i < n; ++i) {
      const double q = Sigmoid(a * f[i] + b);
      const double r = q - t[i];
      const double w = q * (1 - q);
      ga += r * f[i];
      gb += r;
      haa += w * f[i] * f[i];
      hab += w * f[i];
      hbb += w;
    }
    const double det = haa * hbb - hab * hab;
    if (!(std::abs(det) > 0)) break;
    const double da = (hbb * ga - hab * gb) / det;
    const double db = (haa * gb - hab * ga) / det;
    // Backtracking: halve the Newton step until the loss does not rise.
    double step = 1;
    double next = loss;
    for (int k = 0; k < 30; ++k, step /= 2) {
      next = PlattLoss(f, t, a - step * da, b - step * db);
      if (next <= loss) break;
    }
    if (!(next <= loss)) break;
    a -= step * da;
    b -= step * db;
    const bool done = loss - next < 1e-12;
    loss = next;
    if (done) break;
  }
  Calibration::Map m;
  m.a = a;
  m.b = b;
  return m;
}

Result<Calibration> FitCalibration(Calibration::Method method, const Model& model,
                                   std::span<const double> outputs,
                                   std::span<const double> labels) {
  if (method == Calibration::Method::kNone) {
    return Status::InvalidArgument("no calibration method to fit");
  }
  if (model.task == Task::kRegression) {
    return Status::InvalidArgument(
        "calibration needs classes; a regression model gives values, not probabilities");
  }
  if (labels.empty())
    return Status::InvalidArgument("calibration needs held-out rows; there are none");
  const auto k = static_cast<size_t>(model.num_outputs);
  const size_t rows = labels.size();
  Calibration c;
  c.method = method;
  c.rows = rows;
  std::vector<double> p(rows), y(rows);
  const size_t maps = model.task == Task::kBinary ? 1 : k;
  for (size_t m = 0; m < maps; ++m) {
    const double cls = model.task == Task::kBinary ? 1.0 : static_cast<double>(m);
    for (size_t r = 0; r < rows; ++r) {
      p[r] = outputs[r * k + m];
      y[r] = labels[r] == cls ? 1.0 : 0.0;
    }
    c.maps.push_back(method == Calibration::Method::kIsotonic ? FitIsotonicMap(p, y)
                                                              : FitSigmoidMap(p, y));
  }
  return c;
}

}  // namespace keel
