#include "usecase/monitor.h"

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "core/log.h"
#include "core/number_format.h"
#include "core/readable_number.h"
#include "data/ingest.h"
#include "model/model_io.h"

namespace keel::usecase {
namespace {

// Without a model: the setup is read off the files (prob_<class> columns, the labels file's
// other column).
Result<drift::MonitorSetup> SetupFromFiles(const Table& log, const Table& labels,
                                           const MonitorRequest& r, const std::string& id) {
  drift::MonitorSetup s;
  s.id_column = id;
  for (const Column& c : log.columns()) {
    if (c.name().rfind("prob_", 0) == 0) {
      s.score_columns.push_back(c.name());
      s.classes.push_back(c.name().substr(5));
    }
  }
  if (s.score_columns.empty()) {
    if (log.Find("prediction") == nullptr) {
      return Status::NotFound(
          "the prediction log has neither prob_<class> nor prediction columns; pass --model");
    }
    s.task = Task::kRegression;
    s.score_columns = {"prediction"};
  } else {
    s.task = s.score_columns.size() == 2 ? Task::kBinary : Task::kMulticlass;
    if (s.task == Task::kBinary && !r.positive.empty() && s.classes[0] == r.positive) {
      std::swap(s.classes[0], s.classes[1]);
      std::swap(s.score_columns[0], s.score_columns[1]);
    }
  }
  s.labels.classes = s.classes;
  s.label_column = r.label_column;
  if (s.label_column.empty()) {
    for (const Column& c : labels.columns()) {
      if (c.name() != s.id_column) {
        s.label_column = c.name();
        break;
      }
    }
  }
  s.time_column = r.time_column;
  return s;
}

std::string Cell(double v) {
  return std::isfinite(v) ? fmt::format("{:.4f}", v) : "-";
}

}  // namespace

Result<MonitorResult> Monitor(const MonitorRequest& request, const Context& ctx) {
  std::optional<Model> model;
  if (!request.model_path.empty()) {
    KEEL_ASSIGN_OR_RETURN(model, LoadModel(request.model_path));
  }
  std::string id = request.id_column;
  if (id.empty() && model) id = model->schema.FirstWithRole(Role::kId);
  if (id.empty()) id = "id";
  ReadOptions lo;
  lo.decimal = request.decimal;
  // Ids are compared as text on both sides ("007" stays "007").
  lo.kind_overrides[id] = ColumnKind::kString;
  ReadOptions po = lo;
  po.format = "jsonl";
  KEEL_ASSIGN_OR_RETURN(IngestResult log, ReadTable(request.log_path, po, ctx));
  KEEL_ASSIGN_OR_RETURN(IngestResult labels, ReadTable(request.labels_path, lo, ctx));
  for (const auto* d : {&log, &labels}) {
    if (d->report.rows_rejected > 0) {
      log::Warn("{} of {} records of {} were rejected by the reader", d->report.rows_rejected,
                d->report.rows_read, d == &log ? request.log_path : request.labels_path);
    }
  }

  drift::MonitorSetup setup;
  if (model) {
    setup = drift::MonitorSetupForModel(*model);
    setup.id_column = id;
    if (!request.label_column.empty()) setup.label_column = request.label_column;
    if (!request.time_column.empty()) setup.time_column = request.time_column;
  } else {
    KEEL_ASSIGN_OR_RETURN(setup, SetupFromFiles(log.table, labels.table, request, id));
  }
  MonitorResult r;
  r.request = request;
  KEEL_ASSIGN_OR_RETURN(r.report,
                        drift::MonitorPerformance(log.table, labels.table, setup, request.options));
  return r;
}

uint64_t MonitorResult::degraded_windows() const {
  uint64_t n = 0;
  for (const auto& w : report.windows) n += w.degraded ? 1 : 0;
  return n;
}

nlohmann::json MonitorResult::ToJson() const {
  nlohmann::json j = drift::MonitorReportToJson(report);
  j["ok"] = true;
  j["log"] = request.log_path;
  j["labels"] = request.labels_path;
  return j;
}

std::string MonitorResult::ToText() const {
  const drift::MonitorReport& rep = report;
  const nlohmann::json& reference = rep.setup.reference;
  std::string out = fmt::format("performance of {} ({} predictions, {} with labels from {})\n",
                                request.log_path, rep.log_rows, rep.matched, request.labels_path);
  if (reference.is_object()) {
    out += fmt::format("training reference ({} split", reference.value("split", std::string("?")));
    if (reference.contains("rows") && reference["rows"].is_number_unsigned()) {
      out += ", " + ReadableCount(reference["rows"].get<uint64_t>()) + " rows";
    }
    nlohmann::json metrics = reference;
    metrics.erase("split");
    metrics.erase("rows");
    out += "): " + ReadableJson(metrics) + "\n";
  } else {
    out += "training reference: unknown (pass --model to compare with it)\n";
  }
  out += fmt::format("{:>6} {:>10} {:>8} {:>9} {:<10} {:>10} {:>10}  {}\n", "window", "rows",
                     "labeled", "metric", "basis", "value", "training", "verdict");
  for (const auto& w : rep.windows) {
    out += fmt::format("{:>6} {:>10} {:>8} {:>9} {:<10} {:>10} {:>10}  {}\n", w.index, w.rows,
                       w.labeled, w.metric, w.basis == "estimated" ? "ESTIMATE" : w.basis,
                       Cell(w.value), Cell(w.reference), w.degraded ? "DEGRADED" : "ok");
  }
  out +=
      "ESTIMATE = CBPE, estimated from the predicted probabilities alone (assumes they are "
      "calibrated), not measured; realized = measured on the labels that arrived\n";
  out += fmt::format("{} of {} windows degraded (more than {} below training)\n",
                     degraded_windows(), rep.windows.size(), FormatDouble(rep.options.tolerance));
  if (rep.labels_without_prediction > 0 || rep.duplicate_label_ids > 0 || rep.unmapped_labels > 0) {
    out += fmt::format(
        "labels: {} without a logged prediction, {} repeated ids (last wins), {} not a class of "
        "the model\n",
        rep.labels_without_prediction, rep.duplicate_label_ids, rep.unmapped_labels);
  }
  return out;
}

}  // namespace keel::usecase
