#include "serve/request_contract.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

namespace keel::serve {
namespace {

// How requests give a feature's value: the kind its field is read as.
std::string FeatureKind(const FeatureSpec& f) {
  if (f.kind == FeatureSpec::Kind::kCategorical) {
    return f.categories.empty() ? "categorical codes" : "categorical";
  }
  switch (f.source_kind) {
    case ColumnKind::kBoolean:
      return "boolean";
    case ColumnKind::kTimestamp:
      return "timestamp";
    default:
      return "numeric";
  }
}

const FeatureSpec* FindFeature(const Model& m, const std::string& name) {
  for (const FeatureSpec& f : m.features) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string Quoted(const nlohmann::json& j) {
  if (j.is_string()) return fmt::format("'{}'", j.get<std::string>());
  return j.dump();
}

// A JSON array for people, cut after a few items: ["a", "b", ... (12 more)].
std::string ListText(const nlohmann::json& list) {
  constexpr size_t kShown = 8;
  if (!list.is_array() || list.size() <= kShown) return list.dump();
  nlohmann::json head(list.begin(), list.begin() + kShown);
  std::string text = head.dump();
  text.pop_back();
  return text + fmt::format(", ... ({} more)]", list.size() - kShown);
}

}  // namespace

std::vector<ContractChange> CompareRequestContract(const ServedModel& serving,
                                                   const ServedModel& candidate) {
  const Model& a = serving.model();
  const Model& b = candidate.model();
  std::vector<ContractChange> out;
  if (a.task != b.task) {
    out.push_back({"task_changed", "", TaskName(a.task), TaskName(b.task)});
  } else if (serving.class_names() != candidate.class_names()) {
    out.push_back({"classes_changed", "", serving.class_names(), candidate.class_names()});
  }
  if (a.target != b.target) out.push_back({"target_changed", "", a.target, b.target});
  const std::string id_a = a.schema.FirstWithRole(Role::kId);
  const std::string id_b = b.schema.FirstWithRole(Role::kId);
  if (id_a != id_b) out.push_back({"id_column_changed", "", id_a, id_b});

  for (const FeatureSpec& fa : a.features) {
    const FeatureSpec* fb = FindFeature(b, fa.name);
    if (fb == nullptr) {
      out.push_back({"feature_removed", fa.name, FeatureKind(fa), nullptr});
      continue;
    }
    const std::string ka = FeatureKind(fa), kb = FeatureKind(*fb);
    if (ka != kb) {
      out.push_back({"feature_kind_changed", fa.name, ka, kb});
      continue;
    }
    const std::unordered_set<std::string> known(fb->categories.begin(), fb->categories.end());
    nlohmann::json removed = nlohmann::json::array();
    for (const std::string& c : fa.categories) {
      if (known.count(c) == 0) removed.push_back(c);
    }
    if (!removed.empty()) out.push_back({"categories_removed", fa.name, removed, nullptr});
  }
  for (const FeatureSpec& fb : b.features) {
    if (FindFeature(a, fb.name) == nullptr) {
      out.push_back({"feature_added", fb.name, nullptr, FeatureKind(fb)});
    }
  }
  // Other fields requests could send (schema columns that are not features): strict mode
  // refuses a field the new model does not know.
  for (const ColumnSchema& c : a.schema.columns) {
    if (FindFeature(a, c.name) != nullptr) continue;
    if (candidate.FindField(c.name) == nullptr) out.push_back({"field_removed", c.name, {}, {}});
  }
  return out;
}

std::string DescribeContractChanges(const std::vector<ContractChange>& changes) {
  std::string out;
  for (const ContractChange& c : changes) {
    if (!out.empty()) out += "; ";
    if (c.kind == "task_changed") {
      out += fmt::format("task {} -> {}", c.from.get<std::string>(), c.to.get<std::string>());
    } else if (c.kind == "classes_changed") {
      out += fmt::format("classes {} -> {}", ListText(c.from), ListText(c.to));
    } else if (c.kind == "target_changed") {
      out += fmt::format("target {} -> {}", Quoted(c.from), Quoted(c.to));
    } else if (c.kind == "id_column_changed") {
      out += fmt::format("id column {} -> {}", Quoted(c.from), Quoted(c.to));
    } else if (c.kind == "feature_added") {
      out += fmt::format("feature '{}' added ({})", c.name, c.to.get<std::string>());
    } else if (c.kind == "feature_removed") {
      out += fmt::format("feature '{}' removed", c.name);
    } else if (c.kind == "feature_kind_changed") {
      out += fmt::format("feature '{}' {} -> {}", c.name, c.from.get<std::string>(),
                         c.to.get<std::string>());
    } else if (c.kind == "categories_removed") {
      out += fmt::format("feature '{}' no longer knows {}", c.name, ListText(c.from));
    } else if (c.kind == "field_removed") {
      out += fmt::format("field '{}' no longer accepted", c.name);
    } else {
      out += c.kind;
    }
  }
  return out;
}

nlohmann::json ContractChangesJson(const std::vector<ContractChange>& changes) {
  nlohmann::json arr = nlohmann::json::array();
  for (const ContractChange& c : changes) {
    nlohmann::json j = {{"kind", c.kind}};
    if (!c.name.empty()) j["name"] = c.name;
    if (!c.from.is_null()) j["from"] = c.from;
    if (!c.to.is_null()) j["to"] = c.to;
    arr.push_back(std::move(j));
  }
  return arr;
}

}  // namespace keel::serve
