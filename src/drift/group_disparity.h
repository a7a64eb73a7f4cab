// Fairness drift: per-group selection rates of a window against the training profile.
//
// A profile with sensitive attributes keeps, per group, the rows, the rows selected
// (prediction >= the layout's selection threshold) and the sum of predictions. The
// disparity of an attribute is the demographic parity difference: the largest minus the
// smallest selection rate over groups with at least `min_group_rows` rows. A window raises
// an alert when its disparity exceeds the gate; `moved_past_gate` says the training data was
// within the gate, i.e. the disparity moved past it in production.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "drift/profile.h"

namespace keel::drift {

struct GroupRate {
  std::string group;
  uint64_t rows = 0;
  uint64_t selected = 0;
  double selection_rate = 0;  // selected / rows (0 when rows = 0)
  double mean_prediction = 0;
};

struct AttributeDisparity {
  std::string attribute;
  std::vector<GroupRate> groups;            // current window, in layout order
  std::vector<GroupRate> reference_groups;  // training profile
  double disparity = 0;                     // max - min selection rate (eligible groups)
  double reference_disparity = 0;
  std::string highest_group, lowest_group;
  double gate = 0;
  bool alert = false;            // disparity > gate
  bool moved_past_gate = false;  // alert and the reference was within the gate
};

// One entry per sensitive attribute of the layout. Both profiles must share a layout
// (callers compare profiles already checked by CompareProfiles).
std::vector<AttributeDisparity> CompareGroupRates(const Profile& reference, const Profile& current,
                                                  double gate, uint64_t min_group_rows);

nlohmann::json GroupDisparitiesToJson(const std::vector<AttributeDisparity>& d);

}  // namespace keel::drift
