// How a model name's traffic is shared between its champion and its challenger
// (`keel serve --traffic shadow|canary:PERCENT`, challenger.h).
//
//   shadow          every request is answered by the champion; the challenger scores a copy
//                   off the request path and its answer is only logged.
//   canary:PERCENT  PERCENT of requests (0 < PERCENT <= 100, decimals allowed) are answered by
//                   the challenger. Which ones is decided by a stable hash (XXH3) of the
//                   request's routing key (its record ids, or its whole body when an instance
//                   has no id): the same id always goes to the same variant, across requests,
//                   restarts and servers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "keel/status.h"

namespace keel::serve {

enum class TrafficMode : uint8_t { kShadow, kCanary };

class TrafficSplit {
 public:
  TrafficSplit() = default;
  // "shadow" or "canary:PERCENT". Errors: InvalidArgument naming the text.
  static Result<TrafficSplit> Parse(std::string_view text);

  TrafficMode mode() const { return mode_; }
  double percent() const { return percent_; }
  // Canary: whether the request with this routing key goes to the challenger (pure: the
  // same key always gives the same answer). Shadow: always false.
  bool ToChallenger(std::string_view key) const;
  // "shadow" or "canary:PERCENT".
  std::string ToString() const;

 private:
  TrafficMode mode_ = TrafficMode::kShadow;
  double percent_ = 0;
  uint64_t threshold_ = 0;  // keys whose hash % kScale is below this go to the challenger
};

}  // namespace keel::serve
