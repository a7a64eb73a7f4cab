#include "drift/group_disparity.h"

#include <algorithm>

namespace keel::drift {
namespace {

std::vector<GroupRate> Rates(const GroupSpec& spec, const GroupStats& s) {
  std::vector<GroupRate> out;
  for (size_t i = 0; i < spec.groups.size() && i < s.rows.size(); ++i) {
    GroupRate g;
    g.group = spec.groups[i];
    g.rows = s.rows[i];
    g.selected = s.selected[i];
    if (g.rows > 0) {
      g.selection_rate = static_cast<double>(g.selected) / static_cast<double>(g.rows);
      g.mean_prediction = s.score_sum[i] / static_cast<double>(g.rows);
    }
    out.push_back(std::move(g));
  }
  return out;
}

// Max - min selection rate over groups with enough rows; names the extreme groups.
double Disparity(const std::vector<GroupRate>& g, uint64_t min_rows, std::string* hi,
                 std::string* lo) {
  double max_rate = -1, min_rate = 2;
  for (const GroupRate& x : g) {
    if (x.rows < min_rows) continue;
    if (x.selection_rate > max_rate) {
      max_rate = x.selection_rate;
      if (hi) *hi = x.group;
    }
    if (x.selection_rate < min_rate) {
      min_rate = x.selection_rate;
      if (lo) *lo = x.group;
    }
  }
  return max_rate < 0 ? 0.0 : max_rate - min_rate;
}

nlohmann::json RatesJson(const std::vector<GroupRate>& g) {
  nlohmann::json a = nlohmann::json::array();
  for (const GroupRate& x : g) {
    a.push_back({{"group", x.group},
                 {"rows", x.rows},
                 {"selected", x.selected},
                 {"selection_rate", x.selection_rate},
                 {"mean_prediction", x.mean_prediction}});
  }
  return a;
}

}  // namespace

std::vector<AttributeDisparity> CompareGroupRates(const Profile& reference, const Profile& current,
                                                  double gate, uint64_t min_group_rows) {
  std::vector<AttributeDisparity> out;
  const ProfileLayout& layout = current.layout();
  for (size_t a = 0; a < layout.groups.size(); ++a) {
    AttributeDisparity d;
    d.attribute = layout.groups[a].attribute;
    d.groups = Rates(layout.groups[a], current.group(a));
    d.reference_groups = Rates(reference.layout().groups[a], reference.group(a));
    d.disparity = Disparity(d.groups, min_group_rows, &d.highest_group, &d.lowest_group);
    d.reference_disparity = Disparity(d.reference_groups, min_group_rows, nullptr, nullptr);
    d.gate = gate;
    d.alert = d.disparity > gate;
    d.moved_past_gate = d.alert && d.reference_disparity <= gate;
    out.push_back(std::move(d));
  }
  return out;
}

nlohmann::json GroupDisparitiesToJson(const std::vector<AttributeDisparity>& d) {
  nlohmann::json a = nlohmann::json::array();
  for (const AttributeDisparity& x : d) {
    a.push_back({{"attribute", x.attribute},
                 {"metric", "demographic_parity_difference"},
                 {"disparity", x.disparity},
                 {"reference_disparity", x.reference_disparity},
                 {"highest_group", x.highest_group},
                 {"lowest_group", x.lowest_group},
                 {"gate", x.gate},
                 {"alert", x.alert},
                 {"moved_past_gate", x.moved_past_gate},
                 {"groups", RatesJson(x.groups)},
                 {"reference_groups", RatesJson(x.reference_groups)}});
  }
  return a;
}

}  // namespace keel::drift
