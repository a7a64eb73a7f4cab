#include "model/calibration.h"

#include <algorithm>
#include <cmath>

#include "model/link_function.h"

namespace keel {
namespace {

double Clip(double p) {
  return std::clamp(p, kCalibratedMin, 1.0 - kCalibratedMin);
}

double Logit(double p) {
  const double q = std::clamp(p, 1e-15, 1.0 - 1e-15);
  return std::log(q / (1.0 - q));
}

double Isotonic(const Calibration::Map& m, double p) {
  if (m.x.empty()) return p;
  if (!(p > m.x.front())) return m.y.front();  // NaN reads as the lowest knot
  if (p >= m.x.back()) return m.y.back();
  const auto it = std::upper_bound(m.x.begin(), m.x.end(), p);
  const size_t hi = static_cast<size_t>(it - m.x.begin());
  const size_t lo = hi - 1;
  const double span = m.x[hi] - m.x[lo];
  if (span <= 0) return m.y[hi];
  return m.y[lo] + (m.y[hi] - m.y[lo]) * (p - m.x[lo]) / span;
}

Status CheckMap(const Calibration& c, const Calibration::Map& m, size_t i) {
  if (c.method == Calibration::Method::kSigmoid) {
    if (!std::isfinite(m.a) || !std::isfinite(m.b)) {
      return Status::Corrupt("calibration map {}: sigmoid parameters must be finite", i);
    }
    return Status::OK();
  }
  if (m.x.empty() || m.x.size() != m.y.size()) {
    return Status::Corrupt("calibration map {}: {} knot x values for {} y values", i, m.x.size(),
                           m.y.size());
  }
  for (size_t k = 0; k < m.x.size(); ++k) {
    const bool in_range =
        m.x[k] >= 0 && m.x[k] <= 1 && m.y[k] >= 0 && m.y[k] <= 1;  // false for NaN
    if (!in_range) return Status::Corrupt("calibration map {}: knot {} outside [0, 1]", i, k);
    if (k > 0 && (m.x[k] < m.x[k - 1] || m.y[k] < m.y[k - 1])) {
      return Status::Corrupt("calibration map {}: knots not ascending at {}", i, k);
    }
  }
  return Status::OK();
}

}  // namespace

std::string_view CalibrationMethodName(Calibration::Method method) {
  switch (method) {
    case Calibration::Method::kNone:
      return "none";
    case Calibration::Method::kIsotonic:
      return "isotonic";
    case Calibration::Method::kSigmoid:
      return "sigmoid";
  }
  return "none";
}

Result<Calibration::Method> ParseCalibrationMethod(std::string_view text) {
  for (auto m : {Calibration::Method::kNone, Calibration::Method::kIsotonic,
                 Calibration::Method::kSigmoid}) {
    if (text == CalibrationMethodName(m)) return m;
  }
  return Status::InvalidArgument("calibration method '{}' is not one of none, isotonic, sigmoid",
                                 text);
}

Result<Calibration> CalibrationOf(const Model& model) {
  Calibration c;
  const auto it = model.sections.find("calibration");
  if (it == model.sections.end()) return c;
  const nlohmann::json& j = it->second;
  try {
    auto method = ParseCalibrationMethod(j.at("method").get<std::string>());
    if (!method.ok()) return Status::Corrupt("calibration section: {}", method.status().message());
    c.method = *method;
    c.rows = j.value("rows", uint64_t{0});
    for (const nlohmann::json& m : j.at("maps")) {
      Calibration::Map map;
      if (c.method == Calibration::Method::kSigmoid) {
        map.a = m.at("a").get<double>();
        map.b = m.at("b").get<double>();
      } else {
        map.x = m.at("x").get<std::vector<double>>();
        map.y = m.at("y").get<std::vector<double>>();
      }
      c.maps.push_back(std::move(map));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Corrupt("calibration section is malformed: {}", e.what());
  }
  if (!c.enabled()) return c;
  if (model.task == Task::kRegression) {
    return Status::Corrupt("calibration section on a regression model");
  }
  const size_t want = model.task == Task::kBinary ? 1 : static_cast<size_t>(model.num_outputs);
  if (c.maps.size() != want) {
    return Status::Corrupt("calibration section has {} maps; a {} model with {} outputs needs {}",
                           c.maps.size(), TaskName(model.task), model.num_outputs, want);
  }
  for (size_t i = 0; i < c.maps.size(); ++i) KEEL_RETURN_IF_ERROR(CheckMap(c, c.maps[i], i));
  return c;
}

nlohmann::json CalibrationToJson(const Calibration& c) {
  nlohmann::json maps = nlohmann::json::array();
  for (const Calibration::Map& m : c.maps) {
    if (c.method == Calibration::Method::kSigmoid) {
      maps.push_back({{"a", m.a}, {"b", m.b}});
    } else {
      maps.push_back({{"x", m.x}, {"y", m.y}});
    }
  }
  return {{"method", std::string(CalibrationMethodName(c.method))},
          {"rows", c.rows},
          {"maps", std::move(maps)}};
}

double CalibrateOne(const Calibration& c, size_t map, double p) {
  const Calibration::Map& m = c.maps[map];
  switch (c.method) {
    case Calibration::Method::kNone:
      return p;
    case Calibration::Method::kIsotonic:
      return Clip(Isotonic(m, p));
    case Calibration::Method::kSigmoid:
      return Clip(Sigmoid(m.a * Logit(p) + m.b));
  }
  return p;
}

void ApplyCalibration(const Calibration& c, int num_outputs, double* probs) {
  if (!c.enabled()) return;
  if (num_outputs == 1) {
    probs[0] = CalibrateOne(c, 0, probs[0]);
    return;
  }
  double sum = 0;
  for (int k = 0; k < num_outputs; ++k) {
    probs[k] = CalibrateOne(c, static_cast<size_t>(k), probs[k]);
    sum += probs[k];
  }
  for (int k = 0; k < num_outputs; ++k) probs[k] /= sum;
}

}  // namespace keel
