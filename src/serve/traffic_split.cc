#include "serve/traffic_split.h"

#include <charconv>
#include <cmath>

#include "core/hash.h"
#include "core/number_format.h"

namespace keel::serve {
namespace {

// Hash buckets: percentages resolve to 1/10000 of a percent.
constexpr uint64_t kScale = 1000000;
// A fixed seed so splits agree across processes and versions ("keel canary").
constexpr uint64_t kSeed = 0x6b65656c63616e61;

}  // namespace

Result<TrafficSplit> TrafficSplit::Parse(std::string_view text) {
  TrafficSplit s;
  if (text == "shadow") return s;
  constexpr std::string_view kCanary = "canary:";
  auto bad = [&] {
    return Status::InvalidArgument(
        "--traffic \"{}\": give shadow or canary:PERCENT (a percentage in (0, 100], e.g. "
        "canary:10)",
        text);
  };
  if (!text.starts_with(kCanary)) return bad();
  const std::string_view num = text.substr(kCanary.size());
  double p = 0;
  auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), p);
  if (num.empty() || ec != std::errc() || end != num.data() + num.size() || !(p > 0) || p > 100) {
    return bad();
  }
  s.mode_ = TrafficMode::kCanary;
  s.percent_ = p;
  s.threshold_ = static_cast<uint64_t>(std::llround(p / 100.0 * kScale));
  return s;
}

bool TrafficSplit::ToChallenger(std::string_view key) const {
  if (mode_ != TrafficMode::kCanary) return false;
  return FastHash(key, kSeed) % kScale < threshold_;
}

std::string TrafficSplit::ToString() const {
  if (mode_ == TrafficMode::kShadow) return "shadow";
  return "canary:" + FormatDouble(percent_);
}

}  // namespace keel::serve
