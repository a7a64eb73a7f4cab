#include "fairness/fairness_gate.h"

#include <fmt/format.h>

#include <cmath>

#include "core/number_format.h"

namespace keel::fairness {
namespace {

void CheckAttribute(const AttributeAudit& a, const FairnessLimits& limits, GateResult* out) {
  for (const auto& [metric, limit] : limits.limits) {
    const Disparity& d = a.disparities[static_cast<size_t>(metric)];
    const bool ratio = IsRatio(metric);
    double value = d.value;
    if (limits.use_confidence_bound) value = ratio ? d.ci_low : d.ci_high;
    if (std::isnan(value)) {
      out->not_judged.push_back(fmt::format("{} of {}", DisparityName(metric), a.name));
      continue;
    }
    const double excess = ratio ? limit - value : value - limit;
    if (!(excess > 0)) continue;
    GateViolation v;
    v.attribute = a.name;
    v.metric = metric;
    v.value = value;
    v.limit = limit;
    v.excess = excess;
    v.rate = d.rate;
    v.high_group = d.high_group;
    v.low_group = d.low_group;
    const char* what = limits.use_confidence_bound
                           ? (ratio ? "the lower end of its 95% interval" : "the upper end of its "
                                                                           "95% interval")
                           : "it";
    if (ratio) {
      // Messages are for people: 4 significant digits (the JSON keeps every digit).
      v.message = fmt::format("{} {} is {:.4g} ({} of {} relative to {}); {} must be at least "
                              "{:.4g}: short by {:.4g}",
                              a.name, DisparityName(metric), value, d.rate, d.low_group,
                              d.high_group, what, limit, excess);
    } else {
      v.message = fmt::format("{} {} is {:.4g} ({} of {} vs {}); {} must be at most {:.4g}: "
                              "over by {:.4g}",
                              a.name, DisparityName(metric), value, d.rate, d.high_group,
                              d.low_group, what, limit, excess);
    }
    out->violations.push_back(std::move(v));
  }
}

}  // namespace

GateResult CheckFairnessGate(const AuditResult& audit, const FairnessLimits& limits) {
  GateResult out;
  for (const auto& a : audit.attributes) CheckAttribute(a, limits, &out);
  if (limits.check_intersections) {
    for (const auto& a : audit.intersections) CheckAttribute(a, limits, &out);
  }
  out.passed = out.violations.empty();
  return out;
}

Result<FairnessLimits> FairnessLimitsFromJson(const nlohmann::json& j) {
  FairnessLimits limits;
  if (!j.is_object()) return Status::InvalidArgument("fairness limits must be a mapping");
  for (const auto& [key, value] : j.items()) {
    if (key == "use_confidence_bound" || key == "check_intersections") {
      if (!value.is_boolean()) {
        return Status::InvalidArgument("fairness limit '{}' must be true or false", key);
      }
      (key == "use_confidence_bound" ? limits.use_confidence_bound
                                     : limits.check_intersections) = value.get<bool>();
      continue;
    }
    DisparityMetric metric;
    if (!ParseDisparityMetric(key, &metric)) {
      std::string known;
      for (DisparityMetric m : kAllDisparityMetrics) {
        known += std::string(known.empty() ? "" : ", ") + std::string(DisparityName(m));
      }
      return Status::InvalidArgument(
          "unknown fairness limit '{}' (known: {}, use_confidence_bound, check_intersections)",
          key, known);
    }
    if (!value.is_number()) {
      return Status::InvalidArgument("fairness limit '{}' must be a number", key);
    }
    const double v = value.get<double>();
    if (!(v >= 0 && v <= 1)) {
      return Status::InvalidArgument("fairness limit '{}' must be between 0 and 1 (got {})", key,
                                     FormatDouble(v));
    }
    limits.limits[metric] = v;
  }
  return limits;
}

nlohmann::json GateResultToJson(const GateResult& gate) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& v : gate.violations) {
    list.push_back({{"attribute", v.attribute},
                    {"metric", std::string(DisparityName(v.metric))},
                    {"value", v.value},
                    {"limit", v.limit},
                    {"excess", v.excess},
                    {"rate", v.rate},
                    {"high_group", v.high_group},
                    {"low_group", v.low_group},
                    {"message", v.message}});
  }
  return {{"passed", gate.passed}, {"violations", list}, {"not_judged", gate.not_judged}};
}

}  // namespace keel::fairness
