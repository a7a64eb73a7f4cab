#include "rank/objectives.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/file_io.h"
#include "data/yaml_reader.h"

namespace keel::rank {
namespace {

constexpr std::string_view kReserved[] = {"constraints", "top", "group_by", "tradeoff", "fields"};
// Most declared request fields.
constexpr size_t kMaxDeclaredFields = 256;

bool IsReserved(std::string_view key) {
  return std::find(std::begin(kReserved), std::end(kReserved), key) != std::end(kReserved);
}

bool IsValidName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  const auto start = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (!start(s[0])) return false;
  for (char c : s) {
    if (!start(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

int LineOf(const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

// Parses an expression held by a YAML scalar; syntax errors gain the file, line and owner.
Result<Expression> ParseExpressionAt(const YamlReader& yaml, const YAML::Node& node,
                                     std::string_view owner) {
  if (!node.IsScalar()) return yaml.Error(node, fmt::format("{} must be an expression", owner));
  auto e = Expression::Parse(node.Scalar());
  if (!e.ok()) return yaml.Error(node, fmt::format("{}: {}", owner, e.status().message()));
  return e;
}

Result<Normalization> ParseNormalization(const YamlReader& yaml, const YAML::Node& node,
                                         std::string_view owner) {
  KEEL_ASSIGN_OR_RETURN(std::string text, yaml.Text(node, fmt::format("{}: normalize", owner)));
  for (Normalization n : {Normalization::kNone, Normalization::kMax, Normalization::kMinMax,
                          Normalization::kZScore}) {
    if (text == NormalizationName(n)) return n;
  }
  return yaml.Error(node, fmt::format("{}: normalize must be one of none, max, minmax, zscore "
                                      "(got \"{}\")",
                                      owner, text));
}

Status ParseObjective(const YamlReader& yaml, const YAML::Node& key, const YAML::Node& value,
                      Objectives* out) {
  const std::string name = key.Scalar();
  if (!IsValidName(name)) {
    return yaml.Error(key, fmt::format("objective name \"{}\" must be a letter or _ followed by "
                                       "letters, digits or _ (at most 64)",
                                       name));
  }
  if (out->Find(name) >= 0) {
    return yaml.Error(key, fmt::format("objective \"{}\" is defined twice", name));
  }
  const std::string owner = fmt::format("objective \"{}\"", name);
  ObjectiveSpec spec;
  spec.name = name;
  spec.line = LineOf(key);
  if (value.IsScalar()) {
    KEEL_ASSIGN_OR_RETURN(spec.value, ParseExpressionAt(yaml, value, owner));
  } else if (value.IsMap()) {
    KEEL_RETURN_IF_ERROR(
        yaml.CheckKeys(value, {"expr", "weight", "normalize", "outcome", "description"}, owner));
    if (!value["expr"]) return yaml.Error(value, owner + ": `expr` is required");
    KEEL_ASSIGN_OR_RETURN(spec.value, ParseExpressionAt(yaml, value["expr"], owner));
    if (const auto w = value["weight"]) {
      KEEL_ASSIGN_OR_RETURN(spec.weight, yaml.NumberIn(w, owner + ": weight", 0, 1e12));
    }
    if (const auto n = value["normalize"]) {
      KEEL_ASSIGN_OR_RETURN(spec.normalize, ParseNormalization(yaml, n, owner));
    }
    if (const auto o = value["outcome"]) {
      KEEL_ASSIGN_OR_RETURN(Expression outcome, ParseExpressionAt(yaml, o, owner + ": outcome"));
      spec.outcome = std::move(outcome);
    }
    if (const auto d = value["description"]) {
      KEEL_ASSIGN_OR_RETURN(spec.description, yaml.Text(d, owner + ": description"));
    }
  } else {
    return yaml.Error(value, owner + " must be an expression or a map with `expr`");
  }
  if (spec.value.is_condition()) {
    return yaml.Error(value.IsMap() ? value["expr"] : value,
                      owner + " is a yes/no condition; put conditions under `constraints`");
  }
  out->objectives.push_back(std::move(spec));
  return Status::OK();
}

Status ParseConstraint(const YamlReader& yaml, const YAML::Node& node, Objectives* out) {
  ConstraintSpec c;
  c.line = LineOf(node);
  if (node.IsScalar()) {
    c.kind = ConstraintSpec::Kind::kCondition;
    KEEL_ASSIGN_OR_RETURN(c.condition, ParseExpressionAt(yaml, node, "constraint"));
    if (!c.condition.is_condition()) {
      return yaml.Error(node, fmt::format("constraint \"{}\" is not a condition (write a "
                                          "comparison such as bid >= reserve)",
                                          node.Scalar()));
    }
  } else if (node.IsMap()) {
    KEEL_RETURN_IF_ERROR(yaml.CheckKeys(node, {"max_per", "count"}, "a constraint"));
    if (!node["max_per"] || !node["count"]) {
      return yaml.Error(node, "a constraint map needs `max_per: FIELD` and `count: N`");
    }
    c.kind = ConstraintSpec::Kind::kMaxPerGroup;
    KEEL_ASSIGN_OR_RETURN(c.field, yaml.Text(node["max_per"], "constraint max_per"));
    if (c.field.empty()) return yaml.Error(node["max_per"], "constraint max_per is empty");
    KEEL_ASSIGN_OR_RETURN(uint64_t count, yaml.Count(node["count"], "constraint count"));
    if (count < 1 || count > 1000000) {
      return yaml.Error(node["count"], "constraint count must be between 1 and 1000000");
    }
    c.max_count = static_cast<size_t>(count);
  } else {
    return yaml.Error(node, "a constraint must be a condition text or {max_per: FIELD, count: N}");
  }
  out->constraints.push_back(std::move(c));
  return Status::OK();
}

}  // namespace

std::string_view NormalizationName(Normalization n) {
  switch (n) {
    case Normalization::kNone:
      return "none";
    case Normalization::kMax:
      return "max";
    case Normalization::kMinMax:
      return "minmax";
    case Normalization::kZScore:
      return "zscore";
  }
  return "none";
}

std::string ConstraintSpec::Describe() const {
  if (kind == Kind::kCondition) return condition.text();
  return fmt::format("at most {} per {}", max_count, field);
}

int Objectives::Find(std::string_view name) const {
  for (size_t i = 0; i < objectives.size(); ++i) {
    if (objectives[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::vector<double> Objectives::Weights() const {
  std::vector<double> w;
  for (const auto& o : objectives) w.push_back(o.weight);
  return w;
}

Result<Objectives> ParseObjectives(const YAML::Node& section, std::string_view source_name) {
  const YamlReader yaml(source_name);
  if (!section || !section.IsMap()) {
    return yaml.Error(section,
                      "the objectives section must be a map of objective name: "
                      "expression (plus constraints, top, group_by, tradeoff, fields)");
  }
  Objectives out;
  out.source = std::string(source_name);
  for (auto it = section.begin(); it != section.end(); ++it) {
    if (!it->first.IsScalar()) return yaml.Error(it->first, "objective names must be text");
    const std::string key = it->first.Scalar();
    const YAML::Node value = it->second;
    if (!IsReserved(key)) {
      if (out.objectives.size() == kMaxObjectives) {
        return yaml.Error(it->first, fmt::format("more than {} objectives", kMaxObjectives));
      }
      KEEL_RETURN_IF_ERROR(ParseObjective(yaml, it->first, value, &out));
      continue;
    }
    if (key == "constraints") {
      if (value.IsNull()) continue;
      if (!value.IsSequence()) return yaml.Error(value, "constraints must be a list");
      for (const auto& c : value) KEEL_RETURN_IF_ERROR(ParseConstraint(yaml, c, &out));
    } else if (key == "top") {
      KEEL_ASSIGN_OR_RETURN(uint64_t top, yaml.Count(value, "top"));
      if (top < 1 || top > 1000000) return yaml.Error(value, "top must be between 1 and 1000000");
      out.top = static_cast<size_t>(top);
    } else if (key == "group_by") {
      KEEL_ASSIGN_OR_RETURN(out.group_by, yaml.Text(value, "group_by"));
    } else if (key == "fields") {
      if (!value.IsMap()) {
        return yaml.Error(value, "fields must be a map of field name: number | category");
      }
      for (auto f = value.begin(); f != value.end(); ++f) {
        KEEL_ASSIGN_OR_RETURN(std::string name, yaml.Text(f->first, "a field name"));
        KEEL_ASSIGN_OR_RETURN(std::string kind, yaml.Text(f->second, "fields." + name));
        if (name.empty() || name.size() > 256) {
          return yaml.Error(f->first, "a field name must have 1 to 256 characters");
        }
        if (out.fields.size() == kMaxDeclaredFields) {
          return yaml.Error(f->first, fmt::format("more than {} fields", kMaxDeclaredFields));
        }
        ColumnKind k;
        if (kind == "number") {
          k = ColumnKind::kNumeric;
        } else if (kind == "category") {
          k = ColumnKind::kCategorical;
        } else {
          return yaml.Error(f->second, fmt::format("fields.{}: the kind must be number or "
                                                   "category (got \"{}\")",
                                                   name, kind));
        }
        out.fields.emplace_back(std::move(name), k);
      }
    } else if (key == "tradeoff") {
      KEEL_RETURN_IF_ERROR(yaml.CheckKeys(value, {"steps"}, "tradeoff"));
      if (const auto s = value["steps"]) {
        KEEL_ASSIGN_OR_RETURN(uint64_t steps, yaml.Count(s, "tradeoff.steps"));
        if (steps < 1 || steps > kMaxTradeoffSteps) {
          return yaml.Error(
              s, fmt::format("tradeoff.steps must be between 1 and {}", kMaxTradeoffSteps));
        }
        out.tradeoff_steps = static_cast<size_t>(steps);
      }
    }
  }
  if (out.objectives.empty()) {
    return yaml.Error(section, "no objectives: name at least one, e.g. `clicks: p`");
  }
  double total = 0;
  for (const auto& o : out.objectives) total += o.weight;
  if (!(total > 0))
    return yaml.Error(section, "every objective has weight 0; give one a weight > 0");
  return out;
}

Result<Objectives> ParseObjectivesYaml(std::string_view text, std::string_view source_name) {
  KEEL_ASSIGN_OR_RETURN(YAML::Node root, LoadYamlDocument(text, source_name));
  const YamlReader yaml(source_name);
  if (!root.IsMap()) {
    return yaml.Error(root, "an objectives file must be a map with the key `objectives`");
  }
  KEEL_RETURN_IF_ERROR(yaml.CheckKeys(root, {"version", "objectives"}, "the objectives file"));
  if (const auto v = root["version"]) {
    KEEL_ASSIGN_OR_RETURN(uint64_t version, yaml.Count(v, "version"));
    if (version != 1)
      return yaml.Error(v, fmt::format("version {} is not supported (1 is)", version));
  }
  if (!root["objectives"]) return yaml.Error(root, "the key `objectives` is missing");
  return ParseObjectives(root["objectives"], source_name);
}

Result<Objectives> LoadObjectivesYaml(const std::string& path) {
  KEEL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseObjectivesYaml(text, path);
}

}  // namespace keel::rank
