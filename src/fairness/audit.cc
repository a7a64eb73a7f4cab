#include "fairness/audit.h"

#include <fmt/format.h>

#include <cmath>

#include "core/nearest_name.h"
#include "core/number_format.h"

namespace keel::fairness {
namespace {

Result<AttributeAudit> AuditGrouping(const GroupAssignment& groups,
                                     std::vector<std::string> columns,
                                     const std::string& reference_group,
                                     const BinaryOutcomes& outcomes, const AuditOptions& options,
                                     const Context& ctx) {
  AttributeAudit a;
  a.name = groups.name;
  a.columns = std::move(columns);
  if (!groups.definition.attribute.empty()) a.definition = groups.definition;
  a.groups = ComputeGroupMetrics(outcomes, groups, options.min_group_size);

  DisparityOptions dopt;
  if (!reference_group.empty()) {
    for (size_t g = 0; g < groups.labels.size(); ++g) {
      if (groups.labels[g] == reference_group) dopt.reference_group = static_cast<int>(g);
    }
    if (dopt.reference_group < 0) {
      std::string known;
      for (const auto& l : groups.labels) known += (known.empty() ? "" : ", ") + l;
      return Status::InvalidArgument(
          "reference group '{}' is not a group of sensitive attribute '{}' (groups: {})",
          reference_group, groups.name, known);
    }
    if (a.groups[static_cast<size_t>(dopt.reference_group)].too_small) {
      return Status::InvalidArgument(
          "reference group '{}' of '{}' has {} rows, fewer than the minimum group size {}",
          reference_group, groups.name,
          a.groups[static_cast<size_t>(dopt.reference_group)].counts.count(),
          options.min_group_size);
    }
  }
  a.disparities = ComputeDisparities(a.groups, dopt);
  KEEL_RETURN_IF_ERROR(
      AddBootstrapIntervals(a.groups, dopt, options.bootstrap, ctx, &a.disparities));
  const double di =
      a.disparities[static_cast<size_t>(DisparityMetric::kDisparateImpactRatio)].value;
  a.four_fifths_rule_violated = !std::isnan(di) && di < kFourFifths;

  bool any_small_nonempty = false;
  for (const auto& g : a.groups) {
    if (g.too_small) {
      a.small_groups.push_back(g.group);
      if (g.counts.count() > 0) any_small_nonempty = true;
    }
  }
  if (any_small_nonempty) {
    std::vector<ConfusionCounts> counts;
    std::vector<std::string> labels;
    std::vector<uint8_t> judged;
    for (const auto& g : a.groups) {
      counts.push_back(g.counts);
      labels.push_back(g.group);
      judged.push_back(g.counts.count() > 0 ? 1 : 0);
    }
    a.including_small_groups = ComputeDisparities(counts, labels, judged, dopt);
  }
  return a;
}

nlohmann::json CountsAndRates(const GroupMetrics& g) {
  nlohmann::json j;
  j["count"] = g.counts.count();
  j["share"] = JsonNumber(g.share);
  j["positives"] = g.counts.tp + g.counts.fn;
  j["predicted_positives"] = g.counts.tp + g.counts.fp;
  j["base_rate"] = JsonNumber(g.rates.base_rate);
  j["selection_rate"] = JsonNumber(g.rates.selection_rate);
  j["tpr"] = JsonNumber(g.rates.tpr);
  j["fpr"] = JsonNumber(g.rates.fpr);
  j["fnr"] = JsonNumber(g.rates.fnr);
  j["precision"] = JsonNumber(g.rates.precision);
  j["accuracy"] = JsonNumber(g.rates.accuracy);
  j["auc"] = JsonNumber(g.auc);
  j["logloss"] = JsonNumber(g.logloss);
  j["calibration_error"] = JsonNumber(g.calibration_error);
  j["mean_score"] = JsonNumber(g.mean_score);
  j["tp"] = g.counts.tp;
  j["fp"] = g.counts.fp;
  j["tn"] = g.counts.tn;
  j["fn"] = g.counts.fn;
  return j;
}

nlohmann::json DisparityValues(const DisparitySet& set) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& d : set) j[std::string(DisparityName(d.metric))] = JsonNumber(d.value);
  return j;
}

nlohmann::json AttributeJson(const AttributeAudit& a, size_t min_group_size) {
  nlohmann::json j;
  j["attribute"] = a.name;
  j["columns"] = a.columns;
  if (a.definition) j["grouping"] = GroupDefinitionToJson(*a.definition);
  for (const auto& d : a.disparities) {
    const std::string name(DisparityName(d.metric));
    j[name] = JsonNumber(d.value);
    j[name + "_ci"] = {{"low", JsonNumber(d.ci_low)}, {"high", JsonNumber(d.ci_high)}};
  }
  j["four_fifths_rule_violated"] = a.four_fifths_rule_violated;
  nlohmann::json details = nlohmann::json::object();
  for (const auto& d : a.disparities) {
    details[std::string(DisparityName(d.metric))] = {{"rate", d.rate},
                                                     {"high_group", d.high_group},
                                                     {"low_group", d.low_group},
                                                     {"undefined_groups", d.undefined_groups}};
  }
  j["disparity_groups"] = details;
  j["small_groups"] = a.small_groups;
  if (!a.small_groups.empty()) {
    j["note"] = fmt::format(
        "{} group(s) with fewer than {} rows are reported in the groups table but excluded from "
        "the disparities: {}",
        a.small_groups.size(), min_group_size, fmt::join(a.small_groups, ", "));
  }
  if (a.including_small_groups) {
    j["including_small_groups"] = DisparityValues(*a.including_small_groups);
  }
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : a.groups) {
    nlohmann::json row = {{"group", g.group}};
    row.update(CountsAndRates(g));
    row["too_small"] = g.too_small;
    groups.push_back(std::move(row));
  }
  j["groups"] = std::move(groups);
  return j;
}

std::string Num(double v, int digits = 4) {
  if (!std::isfinite(v)) return "-";
  return fmt::format("{:.{}f}", v, digits);
}

void AppendAttributeText(const AttributeAudit& a, std::string* out) {
  fmt::format_to(std::back_inserter(*out), "\n== {} ==\n", a.name);
  fmt::format_to(std::back_inserter(*out),
                 "{:<28} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}\n", "group", "count",
                 "base", "select", "TPR", "FPR", "prec", "AUC", "ECE");
  for (const auto& g : a.groups) {
    fmt::format_to(std::back_inserter(*out),
                   "{:<28} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}{}\n",
                   g.group.substr(0, 28), g.counts.count(), Num(g.rates.base_rate, 3),
                   Num(g.rates.selection_rate, 3), Num(g.rates.tpr, 3), Num(g.rates.fpr, 3),
                   Num(g.rates.precision, 3), Num(g.auc, 3), Num(g.calibration_error, 3),
                   g.too_small ? "  (too small: not judged)" : "");
  }
  for (const auto& d : a.disparities) {
    fmt::format_to(std::back_inserter(*out), "  {:<30} {:>8}  95% CI [{}, {}]",
                   DisparityName(d.metric), Num(d.value), Num(d.ci_low), Num(d.ci_high));
    if (!d.high_group.empty()) {
      if (IsRatio(d.metric)) {
        fmt::format_to(std::back_inserter(*out), "  ({} of {} / {})", d.rate, d.low_group,
                       d.high_group);
      } else {
        fmt::format_to(std::back_inserter(*out), "  ({} of {} - {})", d.rate, d.high_group,
                       d.low_group);
      }
    }
    out->push_back('\n');
  }
  if (a.four_fifths_rule_violated) {
    out->append("  FLAG: four-fifths rule violated (disparate impact ratio below 0.8)\n");
  }
  if (!a.small_groups.empty()) {
    fmt::format_to(std::back_inserter(*out), "  note: excluded from disparities (too small): {}\n",
                   fmt::join(a.small_groups, ", "));
  }
}

}  // namespace

const AttributeAudit* AuditResult::Find(std::string_view name) const {
  for (const auto* list : {&attributes, &intersections}) {
    for (const auto& a : *list) {
      if (a.name == name) return &a;
    }
  }
  return nullptr;
}

Result<AuditResult> RunAudit(const Table& table, const BinaryOutcomes& outcomes,
                             std::span<const AttributeSpec> sensitive, const AuditScope& scope,
                             const AuditOptions& options, const Context& ctx) {
  const size_t n = table.num_rows();
  if (outcomes.scores.size() != n || outcomes.labels.size() != n ||
      outcomes.decisions.size() != n) {
    return Status::InvalidArgument("audit: {} data rows but {} scores, {} labels, {} decisions", n,
                                   outcomes.scores.size(), outcomes.labels.size(),
                                   outcomes.decisions.size());
  }
  if (sensitive.empty()) {
    return Status::InvalidArgument(
        "audit: no sensitive attribute (pass --sensitive COL, or give a column the schema role "
        "'sensitive')");
  }
  if (n == 0) return Status::InvalidArgument("audit: the data has no rows");
  AuditResult result;
  result.rows = n;
  result.decision_rule = scope.decision_rule;
  result.min_group_size = options.min_group_size;
  result.bootstrap = options.bootstrap;
  result.overall = ComputeOverallMetrics(outcomes);

  std::vector<GroupAssignment> groupings;
  for (const auto& spec : sensitive) {
    const Column* col = table.Find(spec.column);
    if (col == nullptr) {
      return Status::NotFound("audit: sensitive attribute '{}' is not a column of the data{}",
                              spec.column, DidYouMean(spec.column, table.columns(), &Column::name));
    }
    KEEL_ASSIGN_OR_RETURN(auto groups, AssignGroups(*col, spec.grouping));
    KEEL_ASSIGN_OR_RETURN(auto audit, AuditGrouping(groups, {spec.column}, spec.reference_group,
                                                    outcomes, options, ctx));
    result.attributes.push_back(std::move(audit));
    groupings.push_back(std::move(groups));
  }
  if (options.intersections) {
    for (size_t a = 0; a < groupings.size(); ++a) {
      for (size_t b = a + 1; b < groupings.size(); ++b) {
        GroupAssignment both = IntersectGroups(groupings[a], groupings[b]);
        KEEL_ASSIGN_OR_RETURN(auto audit,
                              AuditGrouping(both, {sensitive[a].column, sensitive[b].column}, "",
                                            outcomes, options, ctx));
        result.intersections.push_back(std::move(audit));
      }
    }
  }
  if (!scope.slice_columns.empty()) {
    KEEL_ASSIGN_OR_RETURN(
        auto slices, FindWorstSlices(table, scope.slice_columns, outcomes, options.slices, ctx));
    result.slices = std::move(slices);
  }
  if (!scope.proxy_features.empty()) {
    KEEL_ASSIGN_OR_RETURN(
        auto proxies, DetectProxies(table, scope.proxy_features, groupings, options.proxies, ctx));
    result.proxies = std::move(proxies);
  }
  return result;
}

nlohmann::json AuditToJson(const AuditResult& audit) {
  nlohmann::json j;
  j["rows"] = audit.rows;
  j["decision_rule"] = audit.decision_rule;
  j["min_group_size"] = audit.min_group_size;
  j["bootstrap"] = {{"resamples", audit.bootstrap.resamples},
                    {"confidence", audit.bootstrap.confidence},
                    {"seed", audit.bootstrap.seed},
                    {"method", "percentile, rows resampled within each judged group"}};
  nlohmann::json overall = CountsAndRates(audit.overall);
  j["overall"] = std::move(overall);
  nlohmann::json attrs = nlohmann::json::object();
  for (const auto& a : audit.attributes) attrs[a.name] = AttributeJson(a, audit.min_group_size);
  j["attributes"] = std::move(attrs);
  nlohmann::json inter = nlohmann::json::object();
  for (const auto& a : audit.intersections) inter[a.name] = AttributeJson(a, audit.min_group_size);
  j["intersections"] = std::move(inter);
  if (audit.slices) {
    const SliceReport& s = *audit.slices;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& sl : s.worst) {
      list.push_back({{"conditions", sl.conditions},
                      {"rows", sl.rows},
                      {"loss", JsonNumber(sl.loss)},
                      {"rest_loss", JsonNumber(sl.rest_loss)},
                      {"loss_gap", JsonNumber(sl.effect)},
                      {"error_rate", JsonNumber(sl.error_rate)},
                      {"z", JsonNumber(sl.z)},
                      {"p_value", JsonNumber(sl.p_value)},
                      {"q_value", JsonNumber(sl.q_value)}});
    }
    j["slices"] = {{"loss", std::string(SliceLossName(s.loss))},
                   {"overall_loss", JsonNumber(s.overall_loss)},
                   {"overall_error_rate", JsonNumber(s.overall_error_rate)},
                   {"slices_tested", s.slices_tested},
                   {"slices_significant", s.slices_significant},
                   {"test", "one-sided Welch z-test against the rest, Benjamini-Hochberg"},
                   {"skipped_columns", s.skipped_columns},
                   {"worst", std::move(list)}};
  }
  if (audit.proxies) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : *audit.proxies) {
      list.push_back({{"feature", p.feature},
                      {"attribute", p.attribute},
                      {"auc", JsonNumber(p.auc)},
                      {"mutual_information_bits", JsonNumber(p.mutual_information)},
                      {"nmi", JsonNumber(p.nmi)},
                      {"strong_proxy", p.strong},
                      {"is_the_attribute", p.feature == p.attribute}});
    }
    j["proxies"] = std::move(list);
  }
  return j;
}

std::string AuditToText(const AuditResult& audit) {
  std::string out;
  fmt::format_to(std::back_inserter(out),
                 "Fairness audit: {} rows, decision {}; overall accuracy {}, AUC {}, selection "
                 "rate {}\n",
                 audit.rows, audit.decision_rule, Num(audit.overall.rates.accuracy),
                 Num(audit.overall.auc), Num(audit.overall.rates.selection_rate));
  fmt::format_to(std::back_inserter(out),
                 "Intervals: {}% bootstrap, {} resamples stratified by group; groups under {} "
                 "rows are not judged.\n",
                 FormatDouble(audit.bootstrap.confidence * 100), audit.bootstrap.resamples,
                 audit.min_group_size);
  for (const auto& a : audit.attributes) AppendAttributeText(a, &out);
  for (const auto& a : audit.intersections) AppendAttributeText(a, &out);
  if (audit.slices) {
    const auto& s = *audit.slices;
    fmt::format_to(std::back_inserter(out),
                   "\n== worst slices ({}; overall {}; {} tested, {} significantly worse) ==\n",
                   SliceLossName(s.loss), Num(s.overall_loss), s.slices_tested,
                   s.slices_significant);
    for (const auto& sl : s.worst) {
      fmt::format_to(std::back_inserter(out),
                     "  {:>6} rows  {} {} (rest {}), error rate {}, q={:.2g}: {}\n", sl.rows,
                     SliceLossName(s.loss), Num(sl.loss), Num(sl.rest_loss), Num(sl.error_rate),
                     sl.q_value, fmt::join(sl.conditions, " AND "));
    }
  }
  if (audit.proxies) {
    out.append("\n== proxies (features that predict a sensitive attribute) ==\n");
    for (const auto& p : *audit.proxies) {
      if (p.feature == p.attribute) {
        fmt::format_to(std::back_inserter(out),
                       "  the model uses the sensitive attribute '{}' itself as a feature\n",
                       p.feature);
        continue;
      }
      if (!p.strong) continue;
      fmt::format_to(std::back_inserter(out), "  STRONG PROXY {} for {}: AUC {}, NMI {}\n",
                     p.feature, p.attribute, Num(p.auc, 3), Num(p.nmi, 3));
    }
    size_t strong = 0;
    for (const auto& p : *audit.proxies) strong += p.strong && p.feature != p.attribute ? 1 : 0;
    if (strong == 0) out.append("  no strong proxy found\n");
  }
  return out;
}

}  // namespace keel::fairness
