#include "usecase/audit.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/file_io.h"
#include "core/json_number.h"
#include "core/log.h"
#include "core/nearest_name.h"
#include "core/number_format.h"
#include "core/readable_number.h"
#include "eval/labeled_predictions.h"
#include "model/model_io.h"
#include "predict/feature_matrix.h"

namespace keel::usecase {
namespace {

// The items of a list of texts that may each hold several, `sep`-separated.
std::vector<std::string> SplitList(const std::vector<std::string>& items, char sep) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    size_t start = 0;
    while (start <= item.size()) {
      size_t end = item.find(sep, start);
      if (end == std::string::npos) end = item.size();
      if (end > start) out.push_back(item.substr(start, end - start));
      start = end + 1;
    }
  }
  return out;
}

Result<std::vector<double>> ParseEdges(const std::string& flag, const std::string& text) {
  std::vector<double> edges;
  for (const auto& part : SplitList({text}, ',')) {
    char* end = nullptr;
    const double v = std::strtod(part.c_str(), &end);
    if (end == part.c_str() || *end != '\0' || !std::isfinite(v)) {
      return Status::InvalidArgument("--bins \"{}\": '{}' is not a number", flag, part);
    }
    edges.push_back(v);
  }
  if (edges.empty()) return Status::InvalidArgument("--bins \"{}\": no edges given", flag);
  return edges;
}

Status CheckBinary(const Model& model) {
  if (model.task == Task::kBinary) return Status::OK();
  return Status::Unsupported(
      "a {} model; the fairness audit compares yes/no decisions and needs a binary classifier",
      TaskName(model.task));
}

// The sensitive attributes: the settings', else the schema's sensitive-role columns; with their
// bin edges and reference groups.
Result<std::vector<fairness::AttributeSpec>> BuildSpecs(const AuditSettings& s, const Model& model,
                                                        const Table& table,
                                                        const std::string& data_name) {
  std::vector<std::string> names = SplitList(s.sensitive, ',');
  if (names.empty()) {
    for (const auto& c : model.schema.columns) {
      if (c.role == Role::kSensitive) names.push_back(c.name);
    }
  }
  if (names.empty()) {
    return Status::InvalidArgument(
        "no sensitive attribute: pass --sensitive COL[,COL], or train with a schema that gives "
        "columns the role 'sensitive'");
  }
  std::vector<fairness::AttributeSpec> specs;
  for (const auto& n : names) {
    if (table.Find(n) == nullptr) {
      return Status::NotFound("sensitive attribute '{}' is not a column of {}{}", n, data_name,
                              DidYouMean(n, table.columns(), &Column::name));
    }
    fairness::AttributeSpec spec;
    spec.column = n;
    spec.grouping.quantile_bins = s.quantile_bins;
    specs.push_back(std::move(spec));
  }
  auto find = [&](const std::string& name) -> fairness::AttributeSpec* {
    for (auto& spec : specs) {
      if (spec.column == name) return &spec;
    }
    return nullptr;
  };
  for (const auto& b : s.bins) {
    const size_t eq = b.find('=');
    fairness::AttributeSpec* target = nullptr;
    std::string edges_text = b;
    if (eq != std::string::npos) {
      target = find(b.substr(0, eq));
      if (target == nullptr) {
        return Status::InvalidArgument("--bins \"{}\": '{}' is not a sensitive attribute", b,
                                       b.substr(0, eq));
      }
      edges_text = b.substr(eq + 1);
    } else {
      // Without a name the edges go to the one numeric sensitive attribute.
      for (auto& spec : specs) {
        if (table.Find(spec.column)->kind() != ColumnKind::kNumeric) continue;
        if (target != nullptr) {
          return Status::InvalidArgument(
              "--bins \"{}\": several sensitive attributes are numeric; write COL=EDGES", b);
        }
        target = &spec;
      }
      if (target == nullptr) {
        return Status::InvalidArgument("--bins \"{}\": no sensitive attribute is numeric", b);
      }
    }
    KEEL_ASSIGN_OR_RETURN(target->grouping.edges, ParseEdges(b, edges_text));
  }
  for (const auto& r : s.references) {
    const size_t eq = r.find('=');
    fairness::AttributeSpec* target = eq == std::string::npos ? nullptr : find(r.substr(0, eq));
    if (target == nullptr) {
      return Status::InvalidArgument(
          "--reference \"{}\": expected COL=GROUP with COL a sensitive attribute", r);
    }
    target->reference_group = r.substr(eq + 1);
  }
  return specs;
}

// The labelled rows of the data and everything the audit judges on them.
struct Audited {
  Table rows;  // the rows with a label, in table order
  std::vector<double> scores;
  std::vector<uint8_t> labels;
  std::vector<uint8_t> decisions;
  std::vector<fairness::AttributeSpec> specs;
  fairness::AuditScope scope;
  uint64_t rows_without_label = 0;

  fairness::BinaryOutcomes outcomes() const { return {scores, labels, decisions}; }
};

// Scores the labelled rows and decides them: with the model's group thresholds when it has
// them (and the data has their attribute), else with one threshold.
Result<Audited> Prepare(const Model& model, const Predictor& predictor, const Table& data,
                        const AuditSettings& s, const std::string& data_name, const Context& ctx) {
  KEEL_RETURN_IF_ERROR(CheckBinary(model));
  auto truth = ReadLabels(model, data);
  if (!truth.ok()) return truth.status().WithContext(data_name);
  if (truth->rows_missing_label > 0) {
    log::Warn("{} rows of {} have no '{}' value and are not audited", truth->rows_missing_label,
              data_name, model.target);
  }
  EncodeOptions eo;
  eo.threads = ctx.threads();
  auto features = EncodeFeatures(model, data, eo);
  if (!features.ok()) return features.status().WithContext(data_name);
  KEEL_ASSIGN_OR_RETURN(LabeledPredictions preds,
                        PredictLabeled(predictor, *features, *truth, ctx.threads()));

  Audited a;
  a.rows = data.Take(truth->rows);
  a.rows_without_label = truth->rows_missing_label;
  a.labels.resize(truth->labels.size());
  for (size_t i = 0; i < a.labels.size(); ++i) a.labels[i] = truth->labels[i] == 1 ? 1 : 0;
  a.scores = std::move(preds.predictions);
  KEEL_ASSIGN_OR_RETURN(a.specs, BuildSpecs(s, model, a.rows, data_name));

  a.decisions = fairness::ThresholdDecisions(a.scores, s.threshold);
  a.scope.decision_rule = "score >= " + FormatDouble(s.threshold);
  KEEL_ASSIGN_OR_RETURN(auto stored, fairness::LoadGroupThresholds(model));
  if (stored.has_value() && !s.ignore_group_thresholds) {
    const Column* col = a.rows.Find(stored->groups.attribute);
    if (col == nullptr) {
      log::Warn("the model has group thresholds on '{}', which {} lacks: using one threshold {}",
                stored->groups.attribute, data_name, FormatDouble(s.threshold));
    } else {
      KEEL_ASSIGN_OR_RETURN(a.decisions, fairness::ApplyGroupThresholds(*stored, a.scores, *col));
      a.scope.decision_rule = fmt::format(
          "group thresholds of the model on '{}' ({} within {})", stored->groups.attribute,
          fairness::ThresholdConstraintName(stored->constraint), FormatDouble(stored->bound));
    }
  }

  std::vector<std::string> features_present;
  for (const auto& f : model.features) {
    if (a.rows.Find(f.name) != nullptr) features_present.push_back(f.name);
  }
  if (s.slices) {
    a.scope.slice_columns = features_present;
    for (const auto& spec : a.specs) {
      if (std::find(a.scope.slice_columns.begin(), a.scope.slice_columns.end(), spec.column) ==
          a.scope.slice_columns.end()) {
        a.scope.slice_columns.push_back(spec.column);
      }
    }
  }
  if (s.proxies) a.scope.proxy_features = features_present;
  return a;
}

// Fits group thresholds on the audited rows, writes the model with them and audits their
// decisions.
Result<AuditResult::Mitigation> Mitigate(const AuditRequest& request, const Model& model,
                                         const Audited& a, const Context& ctx) {
  AuditResult::Mitigation m;
  m.attribute = request.fit_attribute.empty() ? a.specs[0].column : request.fit_attribute;
  const fairness::AttributeSpec* spec = nullptr;
  for (const auto& s : a.specs) {
    if (s.column == m.attribute) spec = &s;
  }
  if (spec == nullptr) {
    return Status::InvalidArgument("--fit-attribute '{}' is not one of the sensitive attributes",
                                   m.attribute);
  }
  const Column& column = *a.rows.Find(m.attribute);
  KEEL_ASSIGN_OR_RETURN(auto groups, fairness::AssignGroups(column, spec->grouping));
  fairness::ThresholdFitOptions fo;
  fo.constraint = *request.fit_thresholds;
  fo.bound = request.bound;
  fo.min_group_size = request.audit.options.min_group_size;
  fo.default_threshold = request.audit.threshold;
  KEEL_ASSIGN_OR_RETURN(m.fit, fairness::FitGroupThresholds(a.scores, a.labels, groups, fo));
  Model mitigated = model;
  fairness::StoreGroupThresholds(m.fit, &mitigated);
  KEEL_RETURN_IF_ERROR(SaveModel(mitigated, request.out_path));

  KEEL_ASSIGN_OR_RETURN(auto decisions,
                        fairness::ApplyGroupThresholds(m.fit.thresholds, a.scores, column));
  fairness::AuditScope scope;  // the disparities only: slices and proxies are unchanged
  scope.decision_rule =
      fmt::format("group thresholds on '{}' ({} within {})", m.attribute,
                  fairness::ThresholdConstraintName(fo.constraint), FormatDouble(fo.bound));
  const fairness::BinaryOutcomes after{a.scores, a.labels, decisions};
  KEEL_ASSIGN_OR_RETURN(
      m.after, fairness::RunAudit(a.rows, after, a.specs, scope, request.audit.options, ctx));
  return m;
}

}  // namespace

Result<fairness::AuditResult> AuditTable(const Model& model, const Predictor& predictor,
                                         const Table& data, const AuditSettings& settings,
                                         const std::string& data_name, const Context& ctx) {
  KEEL_ASSIGN_OR_RETURN(Audited a, Prepare(model, predictor, data, settings, data_name, ctx));
  return fairness::RunAudit(a.rows, a.outcomes(), a.specs, a.scope, settings.options, ctx);
}

Result<AuditResult> Audit(const AuditRequest& request, const Context& ctx) {
  if (request.fit_thresholds && request.out_path.empty()) {
    return Status::InvalidArgument("--fit-thresholds needs --out FILE for the mitigated model");
  }
  KEEL_ASSIGN_OR_RETURN(LoadedScoring s, LoadForScoring(request.input, ctx, "the audit"));
  const std::string& data_name = request.input.data_path;
  KEEL_RETURN_IF_ERROR(CheckBinary(s.model).WithContext(request.input.model_path));
  const IngestReport& report = s.data.report;
  if (report.rows_rejected > 0) {
    log::Warn("{} of {} records of {} were rejected by the reader and are not audited",
              report.rows_rejected, report.rows_read, data_name);
  }
  KEEL_ASSIGN_OR_RETURN(
      Audited a, Prepare(s.model, *s.predictor, s.data.table, request.audit, data_name, ctx));
  AuditResult r;
  r.request = request;
  r.positive_class = s.model.labels.classes[1];
  r.rows_audited = a.rows.num_rows();
  r.rows_without_label = a.rows_without_label;
  r.rows_rejected = report.rows_rejected;
  KEEL_ASSIGN_OR_RETURN(r.audit, fairness::RunAudit(a.rows, a.outcomes(), a.specs, a.scope,
                                                    request.audit.options, ctx));
  if (request.fit_thresholds) {
    KEEL_ASSIGN_OR_RETURN(r.mitigation, Mitigate(request, s.model, a, ctx));
  }
  return r;
}

nlohmann::json AuditResult::ToJson() const {
  nlohmann::json j = {{"ok", true},
                      {"model", request.input.model_path},
                      {"data", request.input.data_path},
                      {"positive_class", positive_class},
                      {"rows_audited", rows_audited},
                      {"rows_without_label", rows_without_label},
                      {"rows_rejected", rows_rejected}};
  j.update(fairness::AuditToJson(audit));
  if (mitigation) {
    const fairness::GroupThresholds& t = mitigation->fit.thresholds;
    nlohmann::json groups = nlohmann::json::array();
    for (size_t g = 0; g < t.thresholds.size(); ++g) {
      groups.push_back({{"group", t.groups.labels[g]}, {"threshold", t.thresholds[g]}});
    }
    j["mitigation"] = {
        {"attribute", mitigation->attribute},
        {"constraint", std::string(fairness::ThresholdConstraintName(t.constraint))},
        {"bound", t.bound},
        {"thresholds", std::move(groups)},
        {"missing_threshold", t.missing_threshold},
        {"default_threshold", t.default_threshold},
        {"accuracy_before", mitigation->fit.accuracy_before},
        {"accuracy_after", mitigation->fit.accuracy_after},
        {"disparity_before", JsonNumber(mitigation->fit.disparity_before)},
        {"disparity_after", JsonNumber(mitigation->fit.disparity_after)},
        {"out", request.out_path},
        {"note",
         "thresholds fitted on this data; audit the mitigated model on held-out data to judge "
         "it"},
        {"audit_after", fairness::AuditToJson(mitigation->after)}};
  }
  return j;
}

std::string AuditResult::ToText() const {
  std::string text = fairness::AuditToText(audit);
  if (!mitigation) return text;
  const fairness::ThresholdFit& fit = mitigation->fit;
  const std::string constraint(fairness::ThresholdConstraintName(fit.thresholds.constraint));
  text += fmt::format(
      "\n== mitigation: group thresholds on '{}' for {} within {} ==\n"
      "accuracy {} -> {}, {} difference {} -> {} (on this data); model written to {}\n",
      mitigation->attribute, constraint, FormatDouble(request.bound),
      ReadableNumber(fit.accuracy_before), ReadableNumber(fit.accuracy_after), constraint,
      ReadableNumber(fit.disparity_before), ReadableNumber(fit.disparity_after), request.out_path);
  for (size_t g = 0; g < fit.thresholds.thresholds.size(); ++g) {
    text += fmt::format("  {}: threshold {}\n", fit.thresholds.groups.labels[g],
                        ReadableNumber(fit.thresholds.thresholds[g]));
  }
  text += "\nafter mitigation:\n" + fairness::AuditToText(mitigation->after);
  return text;
}

}  // namespace keel::usecase
