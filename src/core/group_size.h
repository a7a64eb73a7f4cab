// The smallest group whose rates are judged, shared by every stage that compares groups.
#pragma once

#include <cstddef>

namespace keel {

// Groups with fewer rows are too small to judge: the fairness audit flags them and leaves them
// out of the disparities, group thresholds are not fitted to them, and drift windows leave them
// out of the window's disparity. The default of all three.
inline constexpr size_t kMinGroupSize = 30;

}  // namespace keel
