#include "drift/probability_bins.h"

#include <algorithm>
#include <cmath>

namespace keel::drift {
namespace {

constexpr double kScale = 4294967296.0;  // 2^32

}  // namespace

void ProbabilityBins::Allocate() {
  if (count_.empty()) {
    count_.assign(kBins, 0);
    sum_.assign(kBins, 0);
  }
}

void ProbabilityBins::Add(double p) {
  if (std::isnan(p)) return;
  p = std::clamp(p, 0.0, 1.0);
  Allocate();
  const auto bin = std::min(kBins - 1, static_cast<int>(p * kBins));
  ++count_[static_cast<size_t>(bin)];
  sum_[static_cast<size_t>(bin)] += static_cast<uint64_t>(std::llround(p * kScale));
  ++rows_;
}

void ProbabilityBins::Merge(const ProbabilityBins& other) {
  if (other.empty()) return;
  Allocate();
  for (size_t b = 0; b < count_.size(); ++b) {
    count_[b] += other.count_[b];
    sum_[b] += other.sum_[b];
  }
  rows_ += other.rows_;
}

BinaryPerformance ProbabilityBins::Estimate(double threshold) const {
  std::vector<double> rows, sums;
  std::vector<uint8_t> positive;
  for (size_t b = count_.size(); b-- > 0;) {  // descending probability
    if (count_[b] == 0) continue;
    rows.push_back(static_cast<double>(count_[b]));
    sums.push_back(static_cast<double>(sum_[b]) / kScale);
    // The bin's lower edge against the threshold (with a little room for 0.001 * b's
    // rounding): exact for thresholds on the bin grid.
    positive.push_back(static_cast<double>(b) / kBins >= threshold - 1e-12 ? 1 : 0);
  }
  return EstimateBinaryPerformanceGrouped(rows, sums, positive);
}

nlohmann::json ProbabilityBins::ToJson() const {
  nlohmann::json bins = nlohmann::json::array();
  for (size_t b = 0; b < count_.size(); ++b) {
    if (count_[b] != 0) bins.push_back({b, count_[b], sum_[b]});
  }
  return {{"rows", rows_}, {"bins", std::move(bins)}};
}

Result<ProbabilityBins> ProbabilityBins::FromJson(const nlohmann::json& j) {
  auto rows = j.find("rows");
  auto bins = j.find("bins");
  if (!j.is_object() || rows == j.end() || !rows->is_number_unsigned() || bins == j.end() ||
      !bins->is_array()) {
    return Status::Corrupt("probability bins: expected {\"rows\": n, \"bins\": [...]}");
  }
  ProbabilityBins out;
  uint64_t total = 0;
  for (const auto& e : *bins) {
    if (!e.is_array() || e.size() != 3 || !e[0].is_number_unsigned() ||
        !e[1].is_number_unsigned() || !e[2].is_number_unsigned() ||
        e[0].get<uint64_t>() >= static_cast<uint64_t>(kBins)) {
      return Status::Corrupt("probability bins: {} is no [bin, count, sum] entry", e.dump());
    }
    out.Allocate();
    const auto b = e[0].get<size_t>();
    out.count_[b] += e[1].get<uint64_t>();
    out.sum_[b] += e[2].get<uint64_t>();
    total += e[1].get<uint64_t>();
  }
  if (total != rows->get<uint64_t>()) {
    return Status::Corrupt("probability bins: the bins hold {} rows, not {}", total,
                           rows->get<uint64_t>());
  }
  out.rows_ = total;
  return out;
}

}  // namespace keel::drift
