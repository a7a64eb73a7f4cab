// The accepted values of the numeric options of the gate's use cases (compare, audit, drift,
// evaluate), declared once: the command line checks each flag against its range (a value
// outside is a usage error, exit 2) and the Python binding each keyword of the same name
// (ValueError), so both accept exactly the same values.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "eval/binary_metrics.h"

namespace keel::usecase {

struct OptionRange {
  double lo = 0, hi = 0;
  bool lo_open = false, hi_open = false;  // (lo, ...] / [..., hi) instead of closed ends

  // False for NaN.
  bool Contains(double v) const {
    return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
  }
  // "[2, 100]", "(0, 1)": how messages show the range.
  std::string Text() const {
    return fmt::format("{}{}, {}{}", lo_open ? "(" : "[", Bound(lo), Bound(hi),
                       hi_open ? ")" : "]");
  }

 private:
  // As people write them: whole numbers in full (10000000, not 1e+07), others in fmt's
  // shortest form (0.0001).
  static std::string Bound(double v) {
    return v == std::floor(v) && std::fabs(v) < 1e15 ? fmt::format("{:.0f}", v)
                                                     : fmt::format("{}", v);
  }
};

namespace ranges {

// A significance level or a share of something, strictly inside (0, 1).
inline constexpr OptionRange kOpenUnit{0, 1, true, true};
// A probability threshold, [0, 1].
inline constexpr OptionRange kUnit{0, 1};
// A positive fraction, (0, 1].
inline constexpr OptionRange kPositiveFraction{0, 1, true, false};
// Bootstrap resamples where 0 turns the intervals off (compare, evaluate).
inline constexpr OptionRange kResamples{0, 1e6};
// Worker threads; 0 = all cores.
inline constexpr OptionRange kThreads{0, 1e6};

// keel compare
inline constexpr OptionRange kLatencyRows{1, 1e7};

// keel audit
inline constexpr OptionRange kQuantileBins{2, 100};
inline constexpr OptionRange kAuditBootstrap{1, 1e6};
inline constexpr OptionRange kAuditConfidence{0.5, 0.999};
inline constexpr OptionRange kSliceMinRows{2, 1 << 30};
inline constexpr OptionRange kSliceBins{2, 100};
inline constexpr OptionRange kFdr{0.0001, 0.5};
inline constexpr OptionRange kProxyAuc{0.5, 1};
inline constexpr OptionRange kFitBound{0.0001, 1};

// keel evaluate
inline constexpr OptionRange kCalibrationBins{1, kMaxCalibrationBins};
inline constexpr OptionRange kCurvePoints{2, 1e6};

}  // namespace ranges
}  // namespace keel::usecase
