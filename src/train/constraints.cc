#include "train/constraints.h"

#include <algorithm>

#include "core/nearest_name.h"

namespace keel {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The pieces of `text` between `sep` characters (one empty piece for empty text).
std::vector<std::string_view> SplitOn(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(sep, start);
    out.push_back(Trim(text.substr(start, end == std::string_view::npos ? end : end - start)));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

// The index of feature `name`, or an error naming it and why it is not one.
Result<int32_t> FeatureIndex(std::string_view param, std::string_view name,
                             std::span<const FeatureSpec> features,
                             std::span<const ExcludedColumn> excluded) {
  for (size_t f = 0; f < features.size(); ++f) {
    if (features[f].name == name) return static_cast<int32_t>(f);
  }
  for (const ExcludedColumn& e : excluded) {
    if (e.name == name) {
      return Status::InvalidArgument("parameter {} (--{}) names '{}', which is not a feature: {}",
                                     param, param, name, e.reason);
    }
  }
  std::vector<std::string> names;
  for (const FeatureSpec& s : features) names.push_back(s.name);
  return Status::InvalidArgument("parameter {} (--{}) names '{}', which is not a feature{}", param,
                                 param, name, DidYouMean(name, names));
}

}  // namespace

Status ParseMonotone(std::string_view text, std::vector<std::pair<std::string, int>>* out) {
  out->clear();
  if (Trim(text).empty()) return Status::OK();
  for (std::string_view item : SplitOn(text, ',')) {
    const size_t eq = item.rfind('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument(
          "parameter monotone (--monotone): '{}' is not NAME=DIRECTION (e.g. Income=-1)", item);
    }
    const std::string_view name = Trim(item.substr(0, eq));
    const std::string_view dir = Trim(item.substr(eq + 1));
    if (name.empty()) {
      return Status::InvalidArgument("parameter monotone (--monotone): '{}' names no feature",
                                     item);
    }
    int d = 0;
    if (dir == "+1" || dir == "1") {
      d = 1;
    } else if (dir == "-1") {
      d = -1;
    } else if (dir == "0" || dir == "+0" || dir == "-0") {
      d = 0;
    } else {
      return Status::InvalidArgument(
          "parameter monotone (--monotone): direction '{}' of {} is not +1, 1, -1 or 0", dir, name);
    }
    for (const auto& [seen, unused] : *out) {
      if (seen == name) {
        return Status::InvalidArgument("parameter monotone (--monotone): {} is given twice", name);
      }
    }
    out->emplace_back(std::string(name), d);
  }
  return Status::OK();
}

Status ParseInteractions(std::string_view text, std::vector<std::vector<std::string>>* out) {
  out->clear();
  if (Trim(text).empty()) return Status::OK();
  for (std::string_view group : SplitOn(text, ';')) {
    std::vector<std::string> names;
    for (std::string_view name : SplitOn(group, ',')) {
      if (name.empty()) {
        return Status::InvalidArgument(
            "parameter interactions (--interactions): group '{}' has an empty name (groups are "
            "separated by ';', names by ',')",
            group);
      }
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        return Status::InvalidArgument(
            "parameter interactions (--interactions): {} is listed twice in group '{}'", name,
            group);
      }
      names.emplace_back(name);
    }
    out->push_back(std::move(names));
  }
  return Status::OK();
}

Result<ModelConstraints> ResolveConstraints(std::string_view monotone_text,
                                            std::string_view interactions_text,
                                            std::span<const FeatureSpec> features,
                                            std::span<const ExcludedColumn> excluded) {
  ModelConstraints c;
  c.source = "training";
  std::vector<std::pair<std::string, int>> mono;
  KEEL_RETURN_IF_ERROR(ParseMonotone(monotone_text, &mono));
  if (!mono.empty()) c.monotone.assign(features.size(), 0);
  for (const auto& [name, dir] : mono) {
    KEEL_ASSIGN_OR_RETURN(const int32_t f, FeatureIndex("monotone", name, features, excluded));
    if (dir != 0 && features[static_cast<size_t>(f)].kind == FeatureSpec::Kind::kCategorical) {
      return Status::InvalidArgument(
          "parameter monotone (--monotone): {} is a categorical feature; its categories have no "
          "order to be monotone in (constrain numeric features only)",
          name);
    }
    c.monotone[static_cast<size_t>(f)] = static_cast<int8_t>(dir);
  }
  if (std::all_of(c.monotone.begin(), c.monotone.end(), [](int8_t d) { return d == 0; })) {
    c.monotone.clear();
  }
  std::vector<std::vector<std::string>> groups;
  KEEL_RETURN_IF_ERROR(ParseInteractions(interactions_text, &groups));
  for (const auto& g : groups) {
    std::vector<int32_t> ids;
    for (const std::string& name : g) {
      KEEL_ASSIGN_OR_RETURN(const int32_t f,
                            FeatureIndex("interactions", name, features, excluded));
      ids.push_back(f);
    }
    c.interactions.push_back(std::move(ids));
  }
  return c;
}

void SetTreeConstraints(const ModelConstraints& c, size_t num_features, TreeConfig* tree) {
  tree->monotone = c.monotone;
  tree->interaction_groups = WithUngroupedFeatures(c.interactions, num_features);
}

Status VerifyTrainedConstraints(const ModelConstraints& c, Model* model) {
  if (c.empty()) return Status::OK();
  // The proof is on the trees themselves; training is built to pass it, so a failure is a bug.
  const ConstraintCheck check = CheckConstraints(*model, c);
  if (!check.holds()) {
    return Status::Internal("the trained model breaks its constraints: {}",
                            check.violations.empty() ? "" : check.violations.front());
  }
  model->sections["constraints"] = ConstraintsSection(*model, c, check);
  return Status::OK();
}

}  // namespace keel
