#include "usecase/inspect.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/file_io.h"
#include "core/number_format.h"
#include "core/readable_number.h"
#include "model/model_summary.h"
#include "model/quantile_outputs.h"
#include "train/tune.h"

namespace keel::usecase {
namespace {

// The "constraints" section for people: what is declared and whether the trees obey it.
std::string ConstraintsText(const nlohmann::json& c) {
  std::string out;
  auto verdict = [&](const char* key) {
    if (!c.contains(key)) return std::string();
    return std::string(c[key].get<bool>() ? "holds on every tree" : "BROKEN");
  };
  if (c.contains("monotone")) {
    std::vector<std::string> items;
    for (const auto& [name, dir] : c["monotone"].items()) {
      items.push_back(fmt::format("{} {}", name, dir.get<int>() > 0 ? "+1" : "-1"));
    }
    out +=
        fmt::format("monotone    {}: {}\n", fmt::join(items, ", "), verdict("monotone_verified"));
  }
  if (c.contains("interactions")) {
    std::vector<std::string> groups;
    for (const auto& g : c["interactions"]) {
      groups.push_back(fmt::format("[{}]", fmt::join(g.get<std::vector<std::string>>(), ", ")));
    }
    out += fmt::format("interactions {} (+ the unlisted features as one group): {}\n",
                       fmt::join(groups, " "), verdict("interactions_verified"));
  }
  if (c.contains("source")) {
    out += fmt::format("  constraints declared by {}\n", c["source"].get<std::string>());
  }
  if (c.contains("violations")) {
    for (const auto& v : c["violations"]) out += fmt::format("  {}\n", v.get<std::string>());
  }
  return out;
}

}  // namespace

Result<InspectResult> Inspect(const InspectRequest& request) {
  InspectResult r;
  r.request = request;
  KEEL_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(request.model_path));
  KEEL_ASSIGN_OR_RETURN(r.info, InspectArtifact(bytes, request.model_path));
  KEEL_ASSIGN_OR_RETURN(r.model, DeserializeModel(bytes, request.model_path));
  r.summary = ModelSummaryJson(r.model, &r.info);
  return r;
}

nlohmann::json InspectResult::ToJson() const {
  nlohmann::json j = summary;
  j["path"] = request.model_path;
  j["ok"] = true;
  return j;
}

std::string InspectResult::ToText() const {
  const Model& m = model;
  const nlohmann::json& j = summary;
  std::string out =
      fmt::format("{}: Keel model, format version {}, {} bytes, sha256 {}\n", request.model_path,
                  info.format_version, info.file_size, info.sha256);
  std::string loss_param;  // the loss's own parameter, for the objectives that have one
  if (HasQuantileOutputs(m)) {
    std::vector<std::string> levels;
    for (double level : QuantileLevels(m).value_or({})) levels.push_back(FormatDouble(level));
    loss_param = fmt::format(", quantiles {}, sorted per row", fmt::join(levels, " "));
  } else if (m.objective == Objective::kQuantile) {
    loss_param = ", alpha " + FormatDouble(m.quantile_alpha);
  } else if (m.objective == Objective::kTweedie) {
    loss_param = ", variance power " + FormatDouble(m.tweedie_variance_power);
  }
  out += fmt::format("task        {} ({}{}), {} output{}\n", TaskName(m.task),
                     ObjectiveName(m.objective), loss_param, m.num_outputs,
                     m.num_outputs == 1 ? "" : "s");
  std::string base;
  for (double b : m.base_margin) {
    if (!base.empty()) base += ", ";
    base += ReadableNumber(b, 6);
  }
  out += fmt::format("base margin {}\n", base);
  if (!m.target.empty()) out += fmt::format("target      {}\n", m.target);
  if (!m.labels.classes.empty()) {
    out += fmt::format("classes     {}{}\n", fmt::join(m.labels.classes, ", "),
                       m.task == Task::kBinary ? "  (the last is the positive class)" : "");
  }
  if (m.kind == Model::Kind::kForest) {
    const auto& f = j["forest"];
    out += fmt::format(
        "forest      {} trees, {} nodes, {} leaves, depth {}..{} (mean {:.2f}), {} "
        "categorical splits\n",
        f["trees"].get<size_t>(), f["nodes"].get<size_t>(), f["leaves"].get<size_t>(),
        f["depth"]["min"].get<int>(), f["depth"]["max"].get<int>(),
        f["depth"]["mean"].get<double>(), f["categorical_splits"].get<size_t>());
  } else {
    out += fmt::format("linear      {} terms (l2 {})\n", m.linear.terms.size(),
                       FormatDouble(m.linear.l2));
  }
  // How the model was validated: a validation split, or k-fold and a refit on all rows.
  if (const auto l = m.sections.find("lineage");
      l != m.sections.end() && l->second.contains("validation")) {
    out += fmt::format("validation  {}\n", l->second["validation"].get<std::string>());
  }
  out += fmt::format("features    {}\n", m.features.size());
  for (size_t i = 0; i < m.features.size(); ++i) {
    const auto& fs = m.features[i];
    const auto& jf = j["features"][i];
    const std::string kind = fs.kind != FeatureSpec::Kind::kCategorical ? "numeric"
                             : fs.categories.empty()
                                 ? "categorical (codes)"
                                 : fmt::format("categorical ({} categories)", fs.categories.size());
    out += fmt::format("  {:<28} {:<28}", fs.name, kind);
    if (jf.contains("splits")) out += fmt::format(" {:>6} splits", jf["splits"].get<size_t>());
    out += "\n";
  }
  if (const auto c = m.sections.find("constraints"); c != m.sections.end()) {
    out += ConstraintsText(c->second);
  }
  if (const auto l = m.sections.find("lineage");
      l != m.sections.end() && l->second.contains("tuning")) {
    out += fmt::format("tuned       {}\n", TuneSummaryText(l->second["tuning"]));
  }
  out += fmt::format("schema      {} columns\n", m.schema.columns.size());
  for (const auto& c : m.schema.columns) {
    if (c.role == Role::kFeature) continue;
    out += fmt::format("  {:<28} {} ({})\n", c.name, RoleName(c.role), ColumnKindName(c.kind));
  }
  out += "file sections\n";
  for (const auto& s : info.sections) {
    out +=
        fmt::format("  {:<4} {:>10} bytes{}\n", s.tag, s.length, s.required ? "  (required)" : "");
  }
  out += "metadata sections\n";
  for (const auto& [name, value] : m.sections) {
    out += fmt::format("  {:<12} {}\n", name, ReadableJson(value, 160));
  }
  out += "(numbers rounded; --json has every section in full)\n";
  return out;
}

}  // namespace keel::usecase
