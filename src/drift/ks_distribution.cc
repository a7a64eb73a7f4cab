#include "drift/ks_distribution.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <vector>

namespace keel::drift {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = std::numbers::pi;
constexpr double kSqrt2Pi = 2.5066282746310002;  // sqrt(2 pi)
// Intermediate results are rescaled by 2^128 to stay inside the double range.
constexpr int kScaleExp = 128;
const double kScaleUp = std::ldexp(1.0, kScaleExp);
const double kScaleDown = std::ldexp(1.0, -kScaleExp);

double Clip01(double p) { return std::clamp(p, 0.0, 1.0); }

// log(n! / n^n) by Stirling's series with n log n removed up front (no cancellation).
double LogFactorialOverPower(int64_t n) {
  static constexpr std::array<double, 8> kStirling = {
      -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
      8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
      -2.7777777777777777778e-3, 8.3333333333333333333e-2};
  const double dn = static_cast<double>(n);
  const double rn = 1.0 / dn;
  const double x = rn / dn;
  double poly = 0;
  for (double c : kStirling) poly = poly * x + c;
  return std::log(dn) / 2 - dn + std::log(2 * kPi) / 2 + rn * poly;
}

// Row-major square matrix product out = a * b.
void MatMul(const std::vector<double>& a, const std::vector<double>& b, int m,
            std::vector<double>* out) {
  out->assign(static_cast<size_t>(m) * m, 0.0);
  for (int i = 0; i < m; ++i) {
    double* orow = out->data() + static_cast<size_t>(i) * m;
    for (int k = 0; k < m; ++k) {
      const double aik = a[static_cast<size_t>(i) * m + k];
      if (aik == 0) continue;
      const double* brow = b.data() + static_cast<size_t>(k) * m;
      for (int j = 0; j < m; ++j) orow[j] += aik * brow[j];
    }
  }
}

// P(D_n <= d) by Durbin's matrix method in the Marsaglia-Tsang-Wang form: the k-th diagonal
// entry of (n!/n^n) H^n, with H of size 2k-1 where k = ceil(n d).
double DurbinCdf(int64_t n, double d) {
  if (d >= 1.0) return 1.0;
  const double nd = static_cast<double>(n) * d;
  if (nd <= 0.5) return 0.0;
  const int k = static_cast<int>(std::ceil(nd));
  const double h = k - nd;
  const int m = 2 * k - 1;
  const auto at = [m](int r, int c) { return static_cast<size_t>(r) * m + c; };

  std::vector<double> v(m), w(m);
  double fac = 1.0;
  for (int j = 1; j <= m; ++j) {
    v[j - 1] = 1.0 - std::pow(h, j);
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] *= fac;
  }
  const double tt = std::pow(std::max(2 * h - 1.0, 0.0), m) - 2 * std::pow(h, m);
  v[m - 1] = (1.0 + tt) * fac;

  std::vector<double> hm(static_cast<size_t>(m) * m, 0.0);
  for (int i = 1; i < m; ++i) {
    for (int r = i - 1; r < m; ++r) hm[at(r, i)] = w[r - (i - 1)];
  }
  for (int r = 0; r < m; ++r) hm[at(r, 0)] = v[r];
  for (int c = 0; c < m; ++c) hm[at(m - 1, c)] = v[m - 1 - c];

  std::vector<double> pw(static_cast<size_t>(m) * m, 0.0), tmp;
  for (int i = 0; i < m; ++i) pw[at(i, i)] = 1.0;
  int64_t nn = n;
  int expnt = 0;
  int hexpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      MatMul(pw, hm, m, &tmp);
      pw.swap(tmp);
      expnt += hexpnt;
    }
    MatMul(hm, hm, m, &tmp);
    hm.swap(tmp);
    hexpnt *= 2;
    if (std::fabs(hm[at(k - 1, k - 1)]) > kScaleUp) {
      for (double& x : hm) x /= kScaleUp;
      hexpnt += kScaleExp;
    }
    nn /= 2;
  }
  double p = pw[at(k - 1, k - 1)];
  const double dn = static_cast<double>(n);
  for (int64_t i = 1; i <= n; ++i) {
    p = static_cast<double>(i) * p / dn;
    if (std::fabs(p) < kScaleDown) {
      p *= kScaleUp;
      expnt -= kScaleExp;
    }
  }
  if (expnt != 0) p = std::ldexp(p, expnt);
  return Clip01(p);
}

// Row i's band [j1, j2] of the Pomeranz recursion.
void PomeranzBand(int64_t i, int64_t n, int64_t ll, int64_t ceilf, int64_t roundf, int64_t* j1,
                  int64_t* j2) {
  int64_t a = 0, b = 0;
  if (i == 0) {
    a = -ll - ceilf - 1;
    b = ll + ceilf - 1;
  } else {
    const int64_t half = (i + 1) / 2;
    if ((i + 1) % 2 == 0) {  // i is odd
      if (half == n + 1) {
        a = n - ll - ceilf - 1;
        b = n + ll + ceilf - 1;
      } else {
        a = half - 1 - ll - roundf - 1;
        b = half + ll - 1 + ceilf - 1;
      }
    } else {
      a = half - 1 - ll - 1;
      b = half + ll + roundf - 1;
    }
  }
  *j1 = std::max<int64_t>(a + 2, 0);
  *j2 = std::min<int64_t>(b, n);
}

// P(D_n <= x) by the Pomeranz recursion: rows are convolutions of the previous row with
// (unnormalised) Poisson probabilities; the answer is n! times the last entry.
double PomeranzCdf(int64_t n, double x) {
  const double t = static_cast<double>(n) * x;
  const auto ll = static_cast<int64_t>(std::floor(t));
  const double f = t - static_cast<double>(ll);
  const double g = std::min(f, 1.0 - f);
  const int64_t ceilf = f > 0 ? 1 : 0;
  const int64_t roundf = f > 0.5 ? 1 : 0;
  const int64_t npwrs = 2 * (ll + 1);
  const double dn = static_cast<double>(n);
  std::vector<double> gpow(npwrs), twogpow(npwrs), onem2gpow(npwrs);
  gpow[0] = twogpow[0] = onem2gpow[0] = 1.0;
  for (int64_t m = 1; m < npwrs; ++m) {
    const double dm = static_cast<double>(m);
    gpow[m] = gpow[m - 1] * (g / dn) / dm;
    twogpow[m] = twogpow[m - 1] * (2 * g / dn) / dm;
    onem2gpow[m] = onem2gpow[m - 1] * ((1 - 2 * g) / dn) / dm;
  }
  std::vector<double> v0(npwrs, 0.0), v1(npwrs, 0.0), conv;
  v1[0] = 1.0;
  int64_t v0s = 0, v1s = 0;
  int expnt = 0;
  int64_t j1 = 0, j2 = 0;
  PomeranzBand(0, n, ll, ceilf, roundf, &j1, &j2);
  for (int64_t i = 1; i < 2 * n + 2; ++i) {
    const int64_t k1 = j1;
    std::swap(v0, v1);
    std::swap(v0s, v1s);
    std::fill(v1.begin(), v1.end(), 0.0);
    PomeranzBand(i, n, ll, ceilf, roundf, &j1, &j2);
    const std::vector<double>& pw =
        (i == 1 || i == 2 * n + 1) ? gpow : ((i % 2) ? twogpow : onem2gpow);
    const int64_t ln2 = j2 - k1 + 1;
    if (ln2 <= 0) continue;
    const int64_t start = k1 - v0s;
    // The slice v0[start, start + ln2) truncated at the row's end, convolved with pw[0, ln2).
    const int64_t alen = std::clamp<int64_t>(npwrs - start, 0, ln2);
    const int64_t clen = alen + ln2 - 1;
    conv.assign(static_cast<size_t>(std::max<int64_t>(clen, 0)), 0.0);
    for (int64_t a = 0; a < alen; ++a) {
      const double va = start + a >= 0 ? v0[start + a] : 0.0;
      if (va == 0) continue;
      for (int64_t b = 0; b < ln2; ++b) conv[a + b] += va * pw[b];
    }
    const int64_t conv_start = j1 - k1;
    const int64_t conv_len = j2 - j1 + 1;
    double vmax = 0;
    for (int64_t c = 0; c < conv_len && c < npwrs; ++c) {
      const int64_t src = conv_start + c;
      v1[c] = (src >= 0 && src < clen) ? conv[src] : 0.0;
      vmax = std::max(vmax, v1[c]);
    }
    if (vmax > 0 && vmax < kScaleDown) {
      for (double& x2 : v1) x2 *= kScaleUp;
      expnt -= kScaleExp;
    }
    v1s = v0s + j1 - k1;
  }
  const int64_t idx = n - v1s;
  double ans = (idx >= 0 && idx < npwrs) ? v1[idx] : 0.0;
  for (int64_t m = 1; m <= n; ++m) {
    if (std::fabs(ans) > kScaleUp) {
      ans *= kScaleDown;
      expnt += kScaleExp;
    }
    ans *= static_cast<double>(m);
  }
  if (expnt != 0) ans = std::ldexp(ans, expnt);
  return Clip01(ans);
}

// Pelz-Good asymptotic series for P(D_n <= x) (the Li-Chien/Korolyuk expansion transformed
// with Jacobi theta identities so that it converges for small x sqrt(n)).
double PelzGoodCdf(int64_t n, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double dn = static_cast<double>(n);
  const double z = std::sqrt(dn) * x;
  const double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
  const double pi2 = kPi * kPi, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
  const double qlog = -pi2 / 8 / z2;
  if (qlog < -708) return 0.0;
  double q = std::exp(qlog);

  const double k1a = -z2, k1b = pi2 / 4;
  const double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4,
               k2c = pi4 * (1 - 2 * z2) / 16;
  const double k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16,
               k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * std::pow(z, 8);
  std::array<double, 4> k = {0, 0, 0, 0};
  const auto maxk = static_cast<int64_t>(std::ceil(16 * z / kPi));
  for (int64_t kk = maxk; kk >= 1; --kk) {
    const double m = static_cast<double>(2 * kk - 1);
    const double m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
    const double qpower = std::pow(q, static_cast<double>(8 * kk));
    const std::array<double, 4> c = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                                     k3a + k3b * m2 + k3c * m4 + k3d * m6};
    for (int i = 0; i < 4; ++i) k[i] = k[i] * qpower + c[i];
  }
  const std::array<double, 4> den = {z, 6 * z4, 72 * std::pow(z, 7), 6480 * std::pow(z, 10)};
  for (int i = 0; i < 4; ++i) k[i] = k[i] * q * kSqrt2Pi / den[i];

  q = std::exp(-pi2 / 2 / z2);
  double k2extra = 0, k3extra = 0;
  const double sqrt3z = std::sqrt(3.0) * z;
  for (int64_t kk = maxk; kk >= 1; --kk) {
    const double dk = static_cast<double>(kk);
    const double ksq = dk * dk;
    const double qp = std::pow(q, ksq);
    k2extra += ksq * qp;
    const double kspi = kPi * dk;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp;
  }
  k[2] += k2extra * (pi2 * kSqrt2Pi / (-36 * z3));
  k[3] += k3extra * (pi2 * kSqrt2Pi / (216 * z6));
  double sum = 0;
  for (int i = 0; i < 4; ++i) sum += k[i] / std::pow(dn, i / 2.0);
  return sum;
}

// Fraction of lattice paths from (0,0) to (n,n) that leave the band |x - y| < h.
double ProbOutsideSquare(int64_t n, int64_t h) {
  double p = 0.0;
  for (int64_t k = n / h; k >= 0; --k) {
    double p1 = 1.0;
    for (int64_t j = 0; j < h; ++j) {
      p1 = static_cast<double>(n - k * h - j) * p1 / static_cast<double>(n + k * h + j + 1);
    }
    p = p1 * (1.0 - p);
  }
  return 2 * p;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

// Fraction of lattice paths from (0,0) to (m,n) that do not stay strictly inside the band
// |x/m - y/n| < h/lcm, by Hodges' inside method with Viehmann's recursion for 1 - p (a single
// sliding column of the path-count table; every entry stays in [0, 1]).
double ProbOutsideBand(int64_t m, int64_t n, int64_t g, int64_t h) {
  if (m < n) std::swap(m, n);
  const int64_t mg = m / g;
  const int64_t ng = n / g;
  int64_t minj = 0;
  int64_t maxj = std::min(CeilDiv(h, mg), n + 1);
  int64_t curlen = maxj - minj;
  std::vector<double> a(static_cast<size_t>(n + 2), 1.0);
  for (int64_t j = minj; j < maxj; ++j) a[j] = 0.0;
  for (int64_t i = 1; i <= m; ++i) {
    const int64_t lastminj = minj;
    const int64_t lastlen = curlen;
    minj = std::min(std::max(FloorDiv(ng * i - h, mg) + 1, int64_t{0}), n);
    maxj = std::min(CeilDiv(ng * i + h, mg), n + 1);
    if (maxj <= minj) return 1.0;
    double val = minj == 0 ? 0.0 : 1.0;
    const double di = static_cast<double>(i);
    for (int64_t jj = 0; jj < maxj - minj; ++jj) {
      const int64_t j = jj + minj;
      val = (a[jj + minj - lastminj] * di + val * static_cast<double>(j)) /
            (di + static_cast<double>(j));
      a[jj] = val;
    }
    curlen = maxj - minj;
    for (int64_t j = curlen; j < curlen + (lastlen - curlen) && j < n + 2; ++j) a[j] = 1.0;
  }
  return a[maxj - minj - 1];
}

}  // namespace

double SmirnovSf(int64_t n, double e) {
  if (!(n > 0 && e >= 0.0 && e <= 1.0)) return kNaN;
  if (e == 0.0) return 1.0;
  const double dn = static_cast<double>(n);
  const auto nn = static_cast<int64_t>(std::floor(dn * (1.0 - e)));
  // Birnbaum-Tingey: e * sum_v C(n,v) (e + v/n)^(v-1) (1 - e - v/n)^(n-v), each term in logs.
  double p = 0.0;
  double log_binom = 0.0;  // log C(n, v), updated incrementally
  for (int64_t v = 0; v <= nn; ++v) {
    if (v > 0) log_binom += std::log(static_cast<double>(n - v + 1) / static_cast<double>(v));
    const double evn = e + static_cast<double>(v) / dn;
    const double omevn = 1.0 - evn;
    if (!(omevn > 0.0)) continue;  // (1 - e - v/n)^(n-v) with n - v >= 1 is zero
    const double t = log_binom + static_cast<double>(v - 1) * std::log(evn) +
                     static_cast<double>(n - v) * std::log1p(-evn);
    if (t > -745.0) p += std::exp(t);
  }
  return Clip01(p * e);
}

double KolmogorovSf(int64_t n, double x) {
  if (n <= 0 || std::isnan(x)) return kNaN;
  if (x >= 1.0) return 0.0;
  if (x <= 0.0) return 1.0;
  const double dn = static_cast<double>(n);
  const double t = dn * x;
  if (t <= 1.0) {  // Ruben-Gambino: the CDF is n!/n^n (2t - 1)^n
    if (t <= 0.5) return 1.0;
    double cdf = 0;
    if (n <= 140) {
      cdf = 1.0;
      for (int64_t i = 1; i <= n; ++i) cdf *= static_cast<double>(i) * (1.0 / dn) * (2 * t - 1);
    } else {
      cdf = std::exp(LogFactorialOverPower(n) + dn * std::log(2 * t - 1));
    }
    return Clip01(1.0 - cdf);
  }
  if (t >= dn - 1) return Clip01(2 * std::pow(1.0 - x, dn));  // Ruben-Gambino
  if (x >= 0.5) return Clip01(2 * SmirnovSf(n, x));           // the two tails cannot overlap
  const double nxsq = t * x;
  if (n <= 140) {
    if (nxsq <= 0.754693) return Clip01(1.0 - DurbinCdf(n, x));
    if (nxsq <= 4) return Clip01(1.0 - PomeranzCdf(n, x));
    return Clip01(2 * SmirnovSf(n, x));
  }
  if (nxsq >= 370.0) return 0.0;
  if (nxsq >= 2.2) return Clip01(2 * SmirnovSf(n, x));
  double cdf = 0;
  if (n <= 100000 && dn * std::pow(x, 1.5) <= 1.4) {
    cdf = DurbinCdf(n, x);
  } else {
    cdf = PelzGoodCdf(n, x);
  }
  return Clip01(1.0 - cdf);
}

std::optional<double> KsTwoSampleExactSf(int64_t n1, int64_t n2, double d, double* d_rounded) {
  const int64_t g = std::gcd(n1, n2);
  const int64_t lcm = (n1 / g) * n2;
  const auto h = static_cast<int64_t>(std::nearbyint(d * static_cast<double>(lcm)));
  if (d_rounded != nullptr) *d_rounded = static_cast<double>(h) / static_cast<double>(lcm);
  if (h == 0) return 1.0;
  const double p = n1 == n2 ? ProbOutsideSquare(n1, h) : ProbOutsideBand(n1, n2, g, h);
  if (!(p >= 0.0 && p <= 1.0)) return std::nullopt;
  return p;
}

KsPValue KsTwoSamplePValue(int64_t n1, int64_t n2, double d) {
  constexpr int64_t kMaxExactN = 10000;  // scipy's MAX_AUTO_N
  KsPValue out;
  out.statistic = d;
  if (std::max(n1, n2) <= kMaxExactN) {
    double rounded = d;
    auto p = KsTwoSampleExactSf(n1, n2, d, &rounded);
    out.statistic = rounded;
    if (p.has_value()) {
      out.p_value = Clip01(*p);
      out.method = KsMethod::kExact;
      return out;
    }
  }
  const double a = static_cast<double>(std::max(n1, n2));
  const double b = static_cast<double>(std::min(n1, n2));
  const double en = a * b / (a + b);
  out.p_value = Clip01(KolmogorovSf(static_cast<int64_t>(std::nearbyint(en)), out.statistic));
  out.method = KsMethod::kAsymptotic;
  return out;
}

}  // namespace keel::drift
