#include "drift/quantile_sketch.h"

#include <algorithm>
#include <cmath>

#include "drift/json_count.h"

namespace keel::drift {
namespace {
constexpr uint32_t kMinLevelCapacity = 8;
constexpr double kCapacityRatio = 2.0 / 3.0;
constexpr uint64_t kSketchSeed = 0x4b4c4c5f6b65656cULL;  // fixed: same input, same sketch
}  // namespace

QuantileSketch::QuantileSketch(uint32_t k)
    : k_(std::clamp(k, kMinK, kMaxK)), levels_(1), rng_(kSketchSeed) {
  UpdateTotalCapacity();
}

uint32_t QuantileSketch::Capacity(size_t level) const {
  const size_t depth = levels_.size() - 1 - level;  // 0 for the top level
  const double cap = std::ceil(static_cast<double>(k_) * std::pow(kCapacityRatio, depth));
  return std::max(kMinLevelCapacity, static_cast<uint32_t>(cap));
}

void QuantileSketch::Add(double v) {
  if (!std::isfinite(v)) return;
  ++n_;
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
  levels_[0].push_back(v);
  if (num_retained_ >= total_capacity_) CompactOnce();
  ++num_retained_;
}

void QuantileSketch::CompactLevel(size_t h) {
  if (h + 1 == levels_.size()) {
    levels_.emplace_back();
    UpdateTotalCapacity();
  }
  auto& level = levels_[h];
  std::sort(level.begin(), level.end());
  // An odd item stays behind so that the promoted items carry exactly twice their weight.
  double leftover = 0;
  const bool odd = level.size() % 2 == 1;
  if (odd) {
    leftover = level.back();
    level.pop_back();
  }
  const size_t offset = rng_.Next() & 1;
  auto& up = levels_[h + 1];
  for (size_t i = offset; i < level.size(); i += 2) up.push_back(level[i]);
  num_retained_ -= level.size() / 2;
  level.clear();
  if (odd) level.push_back(leftover);
}

void QuantileSketch::UpdateTotalCapacity() {
  total_capacity_ = 0;
  for (size_t h = 0; h < levels_.size(); ++h) total_capacity_ += Capacity(h);
}

void QuantileSketch::CompactOnce() {
  // Lazy KLL: only when the whole sketch is full, compact the lowest level at capacity, so
  // lower levels may borrow room the upper ones do not use yet (fewer, cheaper errors).
  for (size_t h = 0; h < levels_.size(); ++h) {
    if (levels_[h].size() >= Capacity(h)) {
      CompactLevel(h);
      return;
    }
  }
  CompactLevel(levels_.size() - 1);
}

void QuantileSketch::Merge(const QuantileSketch& other) {
  if (other.n_ == 0) return;
  k_ = std::min(k_, other.k_);
  if (levels_.size() < other.levels_.size()) levels_.resize(other.levels_.size());
  for (size_t h = 0; h < other.levels_.size(); ++h) {
    levels_[h].insert(levels_[h].end(), other.levels_[h].begin(), other.levels_[h].end());
  }
  n_ += other.n_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  num_retained_ = RecountRetained();
  UpdateTotalCapacity();
  while (num_retained_ >= total_capacity_) CompactOnce();
}

size_t QuantileSketch::RecountRetained() const {
  size_t n = 0;
  for (const auto& l : levels_) n += l.size();
  return n;
}

StepDistribution QuantileSketch::ToDistribution() const {
  std::vector<double> values, weights;
  values.reserve(num_retained());
  weights.reserve(num_retained());
  for (size_t h = 0; h < levels_.size(); ++h) {
    const double w = std::ldexp(1.0, static_cast<int>(h));
    for (double v : levels_[h]) {
      values.push_back(v);
      weights.push_back(w);
    }
  }
  return StepDistribution::FromWeighted(values, weights, is_exact());
}

double QuantileSketch::Rank(double x) const {
  if (n_ == 0) return 0;
  double w = 0;
  for (size_t h = 0; h < levels_.size(); ++h) {
    const double weight = std::ldexp(1.0, static_cast<int>(h));
    for (double v : levels_[h]) {
      if (v <= x) w += weight;
    }
  }
  return std::clamp(w / static_cast<double>(n_), 0.0, 1.0);
}

double QuantileSketch::Quantile(double q) const {
  if (n_ == 0) return std::numeric_limits<double>::quiet_NaN();
  if (q <= 0) return min_;
  if (q >= 1) return max_;
  const StepDistribution d = ToDistribution();
  const double target = q * d.total;
  double cum = 0;
  for (size_t i = 0; i < d.values.size(); ++i) {
    cum += d.weights[i];
    if (cum >= target) return d.values[i];
  }
  return max_;
}

nlohmann::json QuantileSketch::ToJson() const {
  nlohmann::json levels = nlohmann::json::array();
  for (const auto& l : levels_) {
    std::vector<double> sorted(l);
    std::sort(sorted.begin(), sorted.end());
    levels.push_back(std::move(sorted));
  }
  nlohmann::json j = {{"k", k_}, {"n", n_}, {"levels", std::move(levels)}};
  if (n_ > 0) {
    j["min"] = min_;
    j["max"] = max_;
  }
  return j;
}

Result<QuantileSketch> QuantileSketch::FromJson(const nlohmann::json& j, std::string_view context) {
  auto bad = [&](std::string_view what) {
    return Status::Corrupt("{}: quantile sketch {}", context, what);
  };
  if (!j.is_object()) return bad("is not a JSON object");
  if (!j.contains("k") || !IsCount(j["k"])) return bad("has no integer 'k'");
  if (!j.contains("n") || !IsCount(j["n"])) return bad("has no integer 'n'");
  if (!j.contains("levels") || !j["levels"].is_array()) return bad("has no 'levels' array");
  const uint64_t k = j["k"].get<uint64_t>();
  if (k < kMinK || k > kMaxK) return bad(fmt::format("has k = {} outside [{}, {}]", k, kMinK, kMaxK));
  QuantileSketch s(static_cast<uint32_t>(k));
  s.n_ = j["n"].get<uint64_t>();
  const auto& levels = j["levels"];
  if (levels.size() > 64) return bad("has more than 64 levels");
  s.levels_.assign(std::max<size_t>(levels.size(), 1), {});
  double weight = 0;
  for (size_t h = 0; h < levels.size(); ++h) {
    if (!levels[h].is_array()) return bad(fmt::format("level {} is not an array", h));
    for (const auto& v : levels[h]) {
      if (!v.is_number()) return bad(fmt::format("level {} holds a non-number", h));
      const double x = v.get<double>();
      if (!std::isfinite(x)) return bad(fmt::format("level {} holds a non-finite value", h));
      s.levels_[h].push_back(x);
      s.min_ = std::min(s.min_, x);
      s.max_ = std::max(s.max_, x);
    }
    weight += std::ldexp(static_cast<double>(levels[h].size()), static_cast<int>(h));
  }
  if (weight != static_cast<double>(s.n_)) {
    return bad(fmt::format("levels weigh {} but n is {}", weight, s.n_));
  }
  if (s.n_ > 0) {
    // The exact extremes, when stored, are tighter than the retained items.
    if (j.contains("min") && j["min"].is_number()) s.min_ = std::min(s.min_, j["min"].get<double>());
    if (j.contains("max") && j["max"].is_number()) s.max_ = std::max(s.max_, j["max"].get<double>());
  }
  s.rng_.Seed(kSketchSeed ^ s.n_);
  s.num_retained_ = s.RecountRetained();
  s.UpdateTotalCapacity();
  while (s.num_retained_ >= s.total_capacity_) s.CompactOnce();
  return s;
}

}  // namespace keel::drift
