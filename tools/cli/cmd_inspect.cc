// keel inspect: what a model file holds, without its bulk tree arrays.
#include <cstdio>

#include "command.h"
#include "core/file_io.h"
#include "core/number_format.h"
#include "core/readable_number.h"
#include "model/model_io.h"
#include "model/model_summary.h"

namespace keel::cli {
namespace {

struct InspectFlags {
  CommonFlags common;
  std::string model;
};

void PrintText(const Model& m, const ArtifactInfo& info, const nlohmann::json& j) {
  std::printf("%s: Keel model, format version %u, %llu bytes, sha256 %s\n",
              j.value("path", "").c_str(), info.format_version,
              static_cast<unsigned long long>(info.file_size), info.sha256.c_str());
  std::printf("task        %s (%s), %d output%s\n", std::string(TaskName(m.task)).c_str(),
              std::string(ObjectiveName(m.objective)).c_str(), m.num_outputs,
              m.num_outputs == 1 ? "" : "s");
  std::string base;
  for (double b : m.base_margin) {
    if (!base.empty()) base += ", ";
    base += ReadableNumber(b, 6);
  }
  std::printf("base margin %s\n", base.c_str());
  if (!m.target.empty()) std::printf("target      %s\n", m.target.c_str());
  if (!m.labels.classes.empty()) {
    std::string classes;
    for (const auto& c : m.labels.classes) classes += (classes.empty() ? "" : ", ") + c;
    std::printf("classes     %s%s\n", classes.c_str(),
                m.task == Task::kBinary ? "  (the last is the positive class)" : "");
  }
  if (m.kind == Model::Kind::kForest) {
    const auto& f = j["forest"];
    std::printf(
        "forest      %zu trees, %zu nodes, %zu leaves, depth %d..%d (mean %.2f), %zu "
        "categorical splits\n",
        f["trees"].get<size_t>(), f["nodes"].get<size_t>(), f["leaves"].get<size_t>(),
        f["depth"]["min"].get<int>(), f["depth"]["max"].get<int>(),
        f["depth"]["mean"].get<double>(), f["categorical_splits"].get<size_t>());
  } else {
    std::printf("linear      %zu terms (l2 %s)\n", m.linear.terms.size(),
                FormatDouble(m.linear.l2).c_str());
  }
  std::printf("features    %zu\n", m.features.size());
  for (size_t i = 0; i < m.features.size(); ++i) {
    const auto& fs = m.features[i];
    const auto& jf = j["features"][i];
    std::string kind =
        fs.kind == FeatureSpec::Kind::kCategorical
            ? (fs.categories.empty()
                   ? "categorical (codes)"
                   : "categorical (" + std::to_string(fs.categories.size()) + " categories)")
            : "numeric";
    std::printf("  %-28s %-28s", fs.name.c_str(), kind.c_str());
    if (jf.contains("splits")) std::printf(" %6zu splits", jf["splits"].get<size_t>());
    std::printf("\n");
  }
  std::printf("schema      %zu columns\n", m.schema.columns.size());
  for (const auto& c : m.schema.columns) {
    if (c.role == Role::kFeature) continue;
    std::printf("  %-28s %s (%s)\n", c.name.c_str(), std::string(RoleName(c.role)).c_str(),
                std::string(ColumnKindName(c.kind)).c_str());
  }
  std::printf("file sections\n");
  for (const auto& s : info.sections) {
    std::printf("  %-4s %10llu bytes%s\n", s.tag.c_str(), static_cast<unsigned long long>(s.length),
                s.required ? "  (required)" : "");
  }
  std::printf("metadata sections\n");
  for (const auto& [name, value] : m.sections) {
    std::printf("  %-12s %s\n", name.c_str(), ReadableJson(value, 160).c_str());
  }
  std::printf("(numbers rounded; --json has every section in full)\n");
}

int Run(const InspectFlags& f) {
  ApplyCommonFlags(f.common);
  auto bytes = ReadFile(f.model);
  if (!bytes.ok()) return ReportError(bytes.status(), f.common);
  auto info = InspectArtifact(*bytes, f.model);
  if (!info.ok()) return ReportError(info.status(), f.common);
  auto model = DeserializeModel(*bytes, f.model);
  if (!model.ok()) return ReportError(model.status(), f.common);
  nlohmann::json j = ModelSummaryJson(*model, &*info);
  j["path"] = f.model;
  if (f.common.json) {
    j["ok"] = true;
    PrintJson(j);
  } else {
    PrintText(*model, *info, j);
  }
  return kExitOk;
}

}  // namespace

Command AddInspectCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "inspect",
      "Show what a model file holds: task, classes, features, schema, tree statistics, "
      "lineage, metrics and every other section (not the tree arrays themselves); verifies "
      "the file's checksums");
  auto f = std::make_shared<InspectFlags>();
  sub->add_option("model", f->model, "Model file (.keel)")->required();
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
