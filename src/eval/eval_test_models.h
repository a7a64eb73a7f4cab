// Test-only: small hand-built models and tables for the comparison and labeling tests.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "core/random.h"
#include "keel/table.h"
#include "model/model.h"

namespace keel::testing {

// A logistic model on one numeric feature: P(yes) = sigmoid(weight * x + bias).
inline Model LogisticOn(const std::string& feature, double weight, double bias = 0) {
  Model m;
  m.task = Task::kBinary;
  m.objective = Objective::kBinaryLogistic;
  m.kind = Model::Kind::kLinear;
  m.num_outputs = 1;
  m.base_margin = {bias};
  m.features.push_back({feature, FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  m.linear.terms.push_back({0, LinearTerm::Kind::kNumeric, -1, 0.0, 1.0});
  m.linear.weights = {weight};
  m.target = "y";
  m.labels.classes = {"no", "yes"};
  return m;
}

// A regression model on one numeric feature: prediction = weight * x + bias.
inline Model LinearOn(const std::string& feature, double weight, double bias = 0) {
  Model m = LogisticOn(feature, weight, bias);
  m.task = Task::kRegression;
  m.objective = Objective::kSquaredError;
  m.labels = {};
  return m;
}

// `n` rows: `signal` strongly predicts the label y ("yes"/"no"), `noise` weakly; `value` is a
// regression target of 2 * signal plus noise.
inline Table SignalTable(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> signal(n), noise(n), value(n);
  std::vector<int32_t> y(n);
  for (size_t i = 0; i < n; ++i) {
    const bool positive = rng.Uniform() < 0.4;
    y[i] = positive ? 1 : 0;
    const double u1 = 1.0 - rng.Uniform(), u2 = rng.Uniform();
    const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
    signal[i] = (positive ? 1.2 : 0.0) + z;
    noise[i] = (positive ? 0.25 : 0.0) + (rng.Uniform() - 0.5) * 3;
    value[i] = 2 * signal[i] + (rng.Uniform() - 0.5);
  }
  Table t;
  (void)t.AddColumn(Column::Numeric("signal", signal));
  (void)t.AddColumn(Column::Numeric("noise", noise));
  (void)t.AddColumn(Column::Categorical("y", y, {"no", "yes"}));
  (void)t.AddColumn(Column::Numeric("value", value));
  return t;
}

}  // namespace keel::testing
