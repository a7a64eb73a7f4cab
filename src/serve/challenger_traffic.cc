#include "serve/challenger_traffic.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <span>

#include "core/json_number.h"
#include "data/jsonl_reader.h"
#include "drift/model_profile.h"
#include "drift/table_drift.h"
#include "fairness/audit.h"
#include "fairness/group_metrics.h"
#include "serve/logged_output.h"

namespace keel::serve {
namespace {

// The variant's logged rows, one per record id, with their inputs, outputs and labels.
struct LoggedRows {
  OutputShape shape;
  std::vector<std::string> inputs;
  std::vector<std::vector<double>> outputs;
  std::vector<int32_t> labels;  // class index, -1 = none (or regression)
  std::vector<bool> labeled;
};

Result<LoggedRows> ReadRows(registry::SqlDatabase& db, const VariantTrafficOptions& o) {
  KEEL_ASSIGN_OR_RETURN(
      registry::SqlResult rows,
      db.Exec("SELECT p.record_id, p.inputs, p.output, l.label FROM predictions p LEFT JOIN "
              "labels l ON l.model = p.model AND l.record_id = p.record_id "
              "WHERE p.model = $1 AND p.variant = $2 ORDER BY p.id",
              {o.model, o.variant}));
  LoggedRows out;
  std::set<std::string> seen;
  std::vector<double> p;
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    const std::string& id = rows.Text(i, 0);
    if (!id.empty() && !seen.insert(id).second) continue;
    if (!ReadLoggedOutput(rows.Text(i, 2), &out.shape, &p)) continue;
    const bool labeled = rows.rows[i][3].has_value();
    out.inputs.push_back(rows.Text(i, 1));
    out.outputs.push_back(p);
    out.labeled.push_back(labeled);
    out.labels.push_back(labeled && out.shape.task != Task::kRegression
                             ? ClassOfLabel(rows.Text(i, 3), out.shape.classes)
                             : -1);
  }
  return out;
}

// The inputs of the rows `keep` selects, read back as a table with the model's schema;
// `*kept` gets the row index of each table row.
Result<Table> InputTable(const LoggedRows& rows, const Model& model, const std::vector<bool>& keep,
                         std::vector<size_t>* kept, const Context& ctx) {
  std::string jsonl;
  std::vector<size_t> line_row;  // JSONL line (1-based) - 1 -> row
  for (size_t i = 0; i < rows.inputs.size(); ++i) {
    if (!keep[i]) continue;
    jsonl += rows.inputs[i];
    jsonl += '\n';
    line_row.push_back(i);
  }
  ReadOptions ro;
  ro.format = "jsonl";
  ro.schema = &model.schema;
  ro.allow_missing_columns = true;
  KEEL_ASSIGN_OR_RETURN(IngestResult read, ReadJsonLines(jsonl, "the logged inputs", ro, ctx));
  kept->clear();
  const auto& lines = read.table.source_lines();
  for (size_t r = 0; r < read.table.num_rows(); ++r) {
    const size_t line = r < lines.size() ? static_cast<size_t>(lines[r]) : r + 1;
    kept->push_back(line_row[line - 1]);
  }
  return std::move(read.table);
}

}  // namespace

Result<VariantTraffic> BuildVariantTraffic(registry::SqlDatabase& db,
                                           const VariantTrafficOptions& o, const Context& ctx) {
  KEEL_ASSIGN_OR_RETURN(LoggedRows rows, ReadRows(db, o));
  VariantTraffic t;
  t.rows = rows.inputs.size();
  const Task task = rows.shape.task;
  t.task = task;
  // CBPE over the rows without a label.
  std::vector<double> unlabeled;
  for (size_t i = 0; i < rows.inputs.size(); ++i) {
    if (rows.labeled[i]) continue;
    ++t.unlabeled;
    if (task == Task::kBinary) {
      unlabeled.push_back(rows.outputs[i][1]);
    } else if (task == Task::kMulticlass) {
      unlabeled.insert(unlabeled.end(), rows.outputs[i].begin(), rows.outputs[i].end());
    }
  }
  if (t.unlabeled > 0 && task == Task::kBinary) {
    t.estimated = drift::EstimateBinaryPerformance(unlabeled, 0.5);
  } else if (t.unlabeled > 0 && task == Task::kMulticlass) {
    t.estimated_accuracy = drift::EstimateMulticlassAccuracy(unlabeled, rows.shape.classes.size());
  }

  const Model* model = o.artifact;
  if (model == nullptr) {
    t.drift_note = "no model given for this variant";
    t.fairness_note = t.drift_note;
    return t;
  }
  // Input drift: every row against the training profile.
  auto profile = drift::LoadReferenceProfile(*model);
  if (!profile.ok()) {
    t.drift_note = profile.status().message();
  } else if (t.rows == 0) {
    t.drift_note = "no logged rows";
  } else {
    std::vector<size_t> kept;
    auto table = InputTable(rows, *model, std::vector<bool>(rows.inputs.size(), true), &kept, ctx);
    if (!table.ok()) {
      t.drift_note = table.status().message();
    } else {
      const size_t width = drift::PredictionWidth(*model);
      std::vector<double> predictions;
      bool fits = true;
      for (size_t i : kept) {
        const std::vector<double>& p = rows.outputs[i];
        if (width == 1) {
          predictions.push_back(task == Task::kBinary ? p[1] : p[0]);
        } else {
          fits = fits && p.size() == width;
          predictions.insert(predictions.end(), p.begin(), p.end());
        }
      }
      drift::TableDriftOptions dopt;
      auto report = drift::CompareTableToProfile(
          *profile, *model, *table,
          fits ? std::span<const double>(predictions) : std::span<const double>(), dopt, ctx);
      if (report.ok()) {
        t.drift = std::move(*report);
      } else {
        t.drift_note = report.status().message();
      }
    }
  }
  // Fairness: the labeled rows of a binary model, by the schema's sensitive columns.
  std::vector<fairness::AttributeSpec> specs;
  for (const ColumnSchema& c : model->schema.columns) {
    if (c.role == Role::kSensitive) specs.push_back({c.name, {}, ""});
  }
  std::vector<bool> labeled(rows.inputs.size());
  size_t n_labeled = 0;
  for (size_t i = 0; i < labeled.size(); ++i) {
    labeled[i] = rows.labeled[i] && rows.labels[i] >= 0;
    n_labeled += labeled[i];
  }
  if (task != Task::kBinary) {
    t.fairness_note = "the fairness audit needs a binary classifier";
  } else if (specs.empty()) {
    t.fairness_note = "the model's schema has no sensitive column";
  } else if (n_labeled == 0) {
    t.fairness_note = "no labeled row yet";
  } else {
    std::vector<size_t> kept;
    auto table = InputTable(rows, *model, labeled, &kept, ctx);
    std::vector<fairness::AttributeSpec> present;
    if (table.ok()) {
      for (const fairness::AttributeSpec& s : specs) {
        if (table->Find(s.column) != nullptr) present.push_back(s);
      }
    }
    if (!table.ok()) {
      t.fairness_note = table.status().message();
    } else if (present.empty()) {
      t.fairness_note = "the logged inputs carry none of the sensitive columns";
    } else {
      std::vector<double> scores;
      std::vector<uint8_t> labels;
      for (size_t i : kept) {
        scores.push_back(rows.outputs[i][1]);
        labels.push_back(static_cast<uint8_t>(rows.labels[i] == 1));
      }
      const std::vector<uint8_t> decisions = fairness::ThresholdDecisions(scores, 0.5);
      fairness::AuditOptions ao;
      ao.bootstrap.resamples = o.resamples;
      fairness::AuditScope scope;
      scope.decision_rule = "score >= 0.5";
      auto audit = fairness::RunAudit(*table, {scores, labels, decisions}, present, scope, ao, ctx);
      if (audit.ok()) {
        t.gate = fairness::CheckFairnessGate(*audit, o.fairness_limits);
        t.audit = std::move(*audit);
      } else {
        t.fairness_note = audit.status().message();
      }
    }
  }
  return t;
}

nlohmann::json VariantTraffic::ToJson() const {
  nlohmann::json j = {{"rows", rows}, {"unlabeled", unlabeled}};
  if (estimated) {
    j["estimated"] = {{"method", "cbpe"},
                      {"rows", estimated->rows},
                      {"roc_auc", JsonNumber(estimated->roc_auc)},
                      {"accuracy", JsonNumber(estimated->accuracy)},
                      {"precision", JsonNumber(estimated->precision)},
                      {"recall", JsonNumber(estimated->recall)},
                      {"f1", JsonNumber(estimated->f1)},
                      {"positive_rate", JsonNumber(estimated->positive_rate)}};
  } else if (estimated_accuracy) {
    j["estimated"] = {
        {"method", "cbpe"}, {"rows", unlabeled}, {"accuracy", JsonNumber(*estimated_accuracy)}};
  } else {
    j["estimated"] = nullptr;
  }
  if (drift) {
    j["drift"] = drift::DriftReportToJson(*drift);
  } else {
    j["drift"] = {{"error", drift_note}};
  }
  if (audit) {
    j["fairness"] = fairness::AuditToJson(*audit);
    j["fairness"]["gate"] = fairness::GateResultToJson(*gate);
  } else {
    j["fairness"] = {{"error", fairness_note}};
  }
  return j;
}

}  // namespace keel::serve
