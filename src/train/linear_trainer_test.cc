// The linear baseline against closed forms and scikit-learn (tests/fixtures/train, made by
// make_linear_fixture.py).
#include "train/linear_trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "core/random.h"
#include "train/lbfgs.h"
#include "train/learner_config.h"

namespace keel {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

struct LinearFixture {
  std::vector<RawFeature> raw;  // x1, x2, c
  std::vector<double> yb, ym, yr;
  nlohmann::json ref;
  std::vector<uint32_t> rows;
};

LinearFixture LoadFixture() {
  LinearFixture f;
  std::ifstream csv(std::string(KEEL_FIXTURES_DIR) + "/train/linear_data.csv");
  EXPECT_TRUE(csv.good());
  std::string line;
  std::getline(csv, line);  // header
  RawFeature x1, x2, c;
  c.categorical = true;
  c.num_codes = 3;
  while (std::getline(csv, line)) {
    std::stringstream ss(line);
    std::string cell[6];
    for (auto& s : cell) std::getline(ss, s, ',');
    x1.values.push_back(static_cast<float>(std::stod(cell[0])));
    x2.values.push_back(cell[1] == "NA" ? kNaN : static_cast<float>(std::stod(cell[1])));
    c.codes.push_back(std::stoi(cell[2]));
    f.yb.push_back(std::stod(cell[3]));
    f.ym.push_back(std::stod(cell[4]));
    f.yr.push_back(std::stod(cell[5]));
  }
  f.raw.push_back(std::move(x1));
  f.raw.push_back(std::move(x2));
  f.raw.push_back(std::move(c));
  std::ifstream js(std::string(KEEL_FIXTURES_DIR) + "/train/linear_reference.json");
  f.ref = nlohmann::json::parse(js);
  f.rows.resize(f.yb.size());
  std::iota(f.rows.begin(), f.rows.end(), 0u);
  return f;
}

LinearConfig TightConfig(double l2) {
  LinearConfig c = LinearConfigOf(DefaultParams());
  c.l2 = l2;
  c.top_k = 10;
  c.tolerance = 1e-10;
  c.max_iterations = 5000;
  return c;
}

// Two threads, no progress bar.
const Context& Ctx() {
  static const Context ctx = Context{}.WithThreads(2).Quiet();
  return ctx;
}

TEST(LinearTerms, StandardisedNumericsIndicatorsAndOneHot) {
  LinearFixture f = LoadFixture();
  const auto terms = BuildLinearTerms(f.raw, f.rows, 10);
  ASSERT_EQ(terms.size(), 6u);
  EXPECT_EQ(terms[0].kind, LinearTerm::Kind::kNumeric);
  EXPECT_NEAR(terms[0].center, f.ref["centers"][0].get<double>(), 1e-12);
  EXPECT_NEAR(terms[0].scale, f.ref["scales"][0].get<double>(), 1e-12);
  EXPECT_EQ(terms[1].kind, LinearTerm::Kind::kNumeric);
  EXPECT_NEAR(terms[1].center, f.ref["centers"][1].get<double>(), 1e-12);
  EXPECT_EQ(terms[2].kind, LinearTerm::Kind::kMissingIndicator);
  EXPECT_EQ(terms[2].feature, 1);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(terms[3 + static_cast<size_t>(k)].kind, LinearTerm::Kind::kCategory);
    EXPECT_EQ(terms[3 + static_cast<size_t>(k)].category, k);
  }
}

TEST(LinearTerms, TopKKeepsFrequentCategoriesAndAddsOther) {
  RawFeature c;
  c.categorical = true;
  c.num_codes = 5;
  c.codes = {0, 0, 0, 1, 1, 2, 3, 4};
  std::vector<RawFeature> feats;
  feats.push_back(std::move(c));
  std::vector<uint32_t> rows(8);
  std::iota(rows.begin(), rows.end(), 0u);
  const auto terms = BuildLinearTerms(feats, rows, 2);
  ASSERT_EQ(terms.size(), 3u);
  EXPECT_EQ(terms[0].category, 0);
  EXPECT_EQ(terms[1].category, 1);
  EXPECT_EQ(terms[2].kind, LinearTerm::Kind::kOtherCategory);
}

TEST(LinearTrainer, BinaryLogisticMatchesScikitLearn) {
  LinearFixture f = LoadFixture();
  const double l2 = f.ref["l2"];
  auto fit =
      TrainLinear(f.raw, f.rows, f.yb, {}, Objective::kBinaryLogistic, 1, TightConfig(l2), Ctx());
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_TRUE(fit->converged);
  const auto& coef = f.ref["binary"]["coef"];
  for (size_t t = 0; t < coef.size(); ++t) {
    EXPECT_NEAR(fit->model.weights[t], coef[t].get<double>(), 1e-6) << "term " << t;
  }
  EXPECT_NEAR(fit->intercepts[0], f.ref["binary"]["intercept"].get<double>(), 1e-6);
  const auto m = PredictLinear(fit->model, fit->intercepts, f.raw, f.rows);
  for (size_t i = 0; i < m.size(); ++i) {
    EXPECT_NEAR(1 / (1 + std::exp(-m[i])), f.ref["binary"]["prob"][i].get<double>(), 1e-7);
  }
}

TEST(LinearTrainer, MultinomialLogisticMatchesScikitLearn) {
  LinearFixture f = LoadFixture();
  const double l2 = f.ref["l2"];
  auto fit =
      TrainLinear(f.raw, f.rows, f.ym, {}, Objective::kMultiSoftmax, 3, TightConfig(l2), Ctx());
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_TRUE(fit->converged);
  const auto& coef = f.ref["multiclass"]["coef"];
  for (size_t t = 0; t < coef.size(); ++t) {
    for (size_t k = 0; k < 3; ++k) {
      EXPECT_NEAR(fit->model.weights[t * 3 + k], coef[t][k].get<double>(), 1e-6)
          << "term " << t << " class " << k;
    }
  }
  // Intercepts are unpenalised, so only their differences are identified: compare the
  // probabilities instead.
  const auto m = PredictLinear(fit->model, fit->intercepts, f.raw, f.rows);
  for (size_t i = 0; i < f.rows.size(); ++i) {
    double mx = std::max({m[i * 3], m[i * 3 + 1], m[i * 3 + 2]});
    double s = 0;
    for (size_t k = 0; k < 3; ++k) s += std::exp(m[i * 3 + k] - mx);
    for (size_t k = 0; k < 3; ++k) {
      EXPECT_NEAR(std::exp(m[i * 3 + k] - mx) / s, f.ref["multiclass"]["prob"][i][k].get<double>(),
                  1e-7);
    }
  }
}

TEST(LinearTrainer, RidgeRegressionMatchesScikitLearn) {
  LinearFixture f = LoadFixture();
  const double l2 = f.ref["l2"];
  auto fit =
      TrainLinear(f.raw, f.rows, f.yr, {}, Objective::kSquaredError, 1, TightConfig(l2), Ctx());
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  const auto& coef = f.ref["regression"]["coef"];
  for (size_t t = 0; t < coef.size(); ++t) {
    EXPECT_NEAR(fit->model.weights[t], coef[t].get<double>(), 1e-8) << "term " << t;
  }
  EXPECT_NEAR(fit->intercepts[0], f.ref["regression"]["intercept"].get<double>(), 1e-8);
}

// One standardised input z (mean 0, variance 1) and y: the ridge optimum of
// mean(0.5 (y - b - w z)^2) + l2/2 w^2 is b = mean(y), w = mean(z y) / (1 + l2).
TEST(LinearTrainer, RidgeMatchesTheOneVariableClosedForm) {
  Rng rng(3);
  RawFeature x;
  std::vector<double> y;
  for (int i = 0; i < 500; ++i) {
    x.values.push_back(static_cast<float>(rng.Uniform() * 10));
    y.push_back(2.5 * x.values.back() + rng.Uniform());
  }
  std::vector<RawFeature> feats;
  feats.push_back(x);
  std::vector<uint32_t> rows(500);
  std::iota(rows.begin(), rows.end(), 0u);
  const double l2 = 0.3;
  auto fit = TrainLinear(feats, rows, y, {}, Objective::kSquaredError, 1, TightConfig(l2), Ctx());
  ASSERT_TRUE(fit.ok());
  double mean = 0, sd = 0, ymean = 0, zy = 0;
  for (float v : x.values) mean += v / 500.0;
  for (float v : x.values) sd += (v - mean) * (v - mean) / 500.0;
  sd = std::sqrt(sd);
  for (double v : y) ymean += v / 500.0;
  for (size_t i = 0; i < 500; ++i) zy += (x.values[i] - mean) / sd * y[i] / 500.0;
  EXPECT_NEAR(fit->intercepts[0], ymean, 1e-9);
  EXPECT_NEAR(fit->model.weights[0], zy / (1 + l2), 1e-9);
}

TEST(LinearTrainer, WeightsActLikeRepeatedRows) {
  LinearFixture f = LoadFixture();
  std::vector<float> w(f.rows.size(), 1.0f);
  std::vector<uint32_t> repeated = f.rows;
  for (uint32_t r = 0; r < 40; ++r) {
    w[r] = 2.0f;
    repeated.push_back(r);
  }
  std::sort(repeated.begin(), repeated.end());
  // Unpenalised, so the different term centres and scales (repeated rows shift them) do not
  // change the optimum's margins.
  auto a =
      TrainLinear(f.raw, f.rows, f.yb, w, Objective::kBinaryLogistic, 1, TightConfig(0.0), Ctx());
  auto b = TrainLinear(f.raw, repeated, f.yb, {}, Objective::kBinaryLogistic, 1, TightConfig(0.0),
                       Ctx());
  ASSERT_TRUE(a.ok() && b.ok());
  const auto ma = PredictLinear(a->model, a->intercepts, f.raw, f.rows);
  const auto mb = PredictLinear(b->model, b->intercepts, f.raw, f.rows);
  for (size_t i = 0; i < ma.size(); ++i) EXPECT_NEAR(ma[i], mb[i], 1e-5);
}

TEST(LinearTrainer, SingularWithoutPenaltyIsAClearError) {
  RawFeature a, b;
  for (int i = 0; i < 50; ++i) {
    a.values.push_back(static_cast<float>(i));
    b.values.push_back(static_cast<float>(2 * i));  // collinear with a
  }
  std::vector<RawFeature> feats = {a, b};
  std::vector<uint32_t> rows(50);
  std::iota(rows.begin(), rows.end(), 0u);
  std::vector<double> y(50, 1.0);
  y[3] = 2;
  auto fit = TrainLinear(feats, rows, y, {}, Objective::kSquaredError, 1, TightConfig(0.0), Ctx());
  ASSERT_FALSE(fit.ok());
  EXPECT_EQ(fit.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(fit.status().message().find("--linear-l2"), std::string::npos);
}

TEST(LinearTrainer, AbsoluteLossIsUnsupported) {
  LinearFixture f = LoadFixture();
  auto fit =
      TrainLinear(f.raw, f.rows, f.yr, {}, Objective::kAbsoluteError, 1, TightConfig(0.1), Ctx());
  ASSERT_FALSE(fit.ok());
  EXPECT_EQ(fit.status().code(), StatusCode::kUnsupported);
}

// f(x) = 1 + 1/2 (x - a)' Q D Q' (x - a) in n dimensions: eigenvalues D from 1e-4 to 1, rotated
// by three Householder reflections so that every gradient component mixes all directions, and
// f near 1 like a mean log loss. `noise` adds a deterministic wobble of that size to the
// gradient, as rounding does on a real loss.
struct RotatedQuadratic {
  explicit RotatedQuadratic(size_t n, double noise = 0) : n(n), noise(noise), a(n), d(n) {
    Rng rng(1);
    u.assign(3, std::vector<double>(n));
    for (auto& v : u) {
      double norm = 0;
      for (double& e : v) {
        e = rng.Uniform() - 0.5;
        norm += e * e;
      }
      for (double& e : v) e /= std::sqrt(norm);
    }
    for (size_t i = 0; i < n; ++i) {
      a[i] = rng.Uniform() * 4 - 2;
      d[i] = std::pow(10.0, -4.0 * static_cast<double>(i) / static_cast<double>(n - 1));
    }
  }
  void Reflect(std::vector<double>& v, bool reverse) const {
    for (size_t k = 0; k < u.size(); ++k) {
      const auto& h = u[reverse ? u.size() - 1 - k : k];
      double dot = 0;
      for (size_t i = 0; i < n; ++i) dot += h[i] * v[i];
      for (size_t i = 0; i < n; ++i) v[i] -= 2 * dot * h[i];
    }
  }
  Result<double> operator()(std::span<const double> x, std::span<double> g) const {
    std::vector<double> r(n);
    for (size_t i = 0; i < n; ++i) r[i] = x[i] - a[i];
    Reflect(r, true);  // Q' r
    double v = 1;
    for (size_t i = 0; i < n; ++i) {
      v += 0.5 * d[i] * r[i] * r[i];
      r[i] *= d[i];
    }
    Reflect(r, false);  // Q D Q' r
    for (size_t i = 0; i < n; ++i)
      g[i] = r[i] + noise * std::sin(1e7 * x[i] + static_cast<double>(i));
    return v;
  }
  size_t n;
  double noise;
  std::vector<double> a, d;
  std::vector<std::vector<double>> u;
};

// Near the end of an ill-conditioned fit the loss falls by tiny steps (here below 1e-9 of
// itself per iteration) while the largest gradient component wanders above its best for
// more than 10 iterations. That is progress, not a stall: the solver must go on to the
// tolerance. (It used to stop after 261 iterations with the largest component at 4e-6.)
TEST(Lbfgs, KeepsGoingWhileTheLossFallsByTinySteps) {
  const RotatedQuadratic f(30);
  std::vector<double> x(f.n, 0.0);
  LbfgsOptions opt;  // the linear baseline's defaults: tolerance 1e-7, 1000 iterations
  auto r = MinimizeLbfgs(std::cref(f), &x, opt);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->converged) << "stopped after " << r->iterations << " iterations at largest "
                            << "gradient component " << r->gradient_max;
  EXPECT_EQ(r->stop, LbfgsStop::kConverged);
  EXPECT_LE(r->gradient_max, opt.tolerance);
}

// The stop reasons: the iteration limit, and the precision limit (a gradient wobbling at 1e-9
// never gets below a 1e-12 tolerance; the solver notices instead of running to the limit).
TEST(Lbfgs, SaysWhyItStoppedShortOfTheTolerance) {
  const RotatedQuadratic f(30);
  std::vector<double> x(f.n, 0.0);
  LbfgsOptions opt;
  opt.max_iterations = 20;
  auto few = MinimizeLbfgs(std::cref(f), &x, opt);
  ASSERT_TRUE(few.ok());
  EXPECT_FALSE(few->converged);
  EXPECT_EQ(few->stop, LbfgsStop::kMaxIterations);
  EXPECT_EQ(few->iterations, 20);

  const RotatedQuadratic noisy(30, 1e-9);
  x.assign(noisy.n, 0.0);
  opt.max_iterations = 5000;
  opt.tolerance = 1e-12;
  auto stuck = MinimizeLbfgs(std::cref(noisy), &x, opt);
  ASSERT_TRUE(stuck.ok());
  EXPECT_FALSE(stuck->converged);
  EXPECT_EQ(stuck->stop, LbfgsStop::kNoProgress);
  EXPECT_LT(stuck->iterations, 5000);
  EXPECT_LT(stuck->gradient_max, 1e-7);  // as close as the wobble allows
}

// The warning names the parameter that would help: --linear-max-iter only when the
// iterations ran out (it used to advise it whatever the reason).
TEST(LinearTrainer, NotConvergedWarningSaysWhatWouldHelp) {
  const LinearConfig config = LinearConfigOf(DefaultParams());
  LinearFit fit;
  fit.iterations = 91;
  fit.gradient_max = 1.3e-6;
  fit.converged = true;
  EXPECT_EQ(LinearFitWarning(fit, config), "");
  fit.converged = false;
  fit.hit_max_iterations = true;
  std::string w = LinearFitWarning(fit, config);
  EXPECT_NE(w.find("after 91 iterations"), std::string::npos) << w;
  EXPECT_NE(w.find("1.3e-06"), std::string::npos) << w;
  EXPECT_NE(w.find("--linear-max-iter 1000"), std::string::npos) << w;
  fit.hit_max_iterations = false;
  w = LinearFitWarning(fit, config);
  EXPECT_EQ(w.find("--linear-max-iter"), std::string::npos) << w;
  EXPECT_NE(w.find("would not help"), std::string::npos) << w;
  EXPECT_NE(w.find("--linear-tol"), std::string::npos) << w;
}

TEST(Lbfgs, MinimisesAnIllConditionedQuadratic) {
  // f(x) = sum_i c_i (x_i - i)^2 with condition number 1e4.
  const size_t n = 20;
  auto f = [&](std::span<const double> x, std::span<double> g) -> Result<double> {
    double v = 0;
    for (size_t i = 0; i < n; ++i) {
      const double c = std::pow(10.0, 4.0 * i / (n - 1));
      v += c * (x[i] - i) * (x[i] - i);
      g[i] = 2 * c * (x[i] - i);
    }
    return v;
  };
  std::vector<double> x(n, 0.0);
  LbfgsOptions opt;
  opt.tolerance = 1e-9;
  auto r = MinimizeLbfgs(f, &x, opt);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->converged);
  for (size_t i = 0; i < n; ++i) EXPECT_NEAR(x[i], static_cast<double>(i), 1e-9);
}

}  // namespace
}  // namespace keel
