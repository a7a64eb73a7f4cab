// keel monitor: join a prediction log with labels that arrived later and report performance
// per window against the training performance; estimate it (CBPE) where labels are missing.
#include <cmath>
#include <cstdio>
#include <optional>

#include "command.h"
#include "core/log.h"
#include "core/number_format.h"
#include "core/readable_number.h"
#include "data/ingest.h"
#include "drift/delayed_labels.h"
#include "model/model_io.h"
#include "reader_flags.h"

namespace keel::cli {
namespace {

struct MonitorFlags {
  CommonFlags common;
  std::string log;
  std::string labels;
  std::string model;
  uint64_t window = 10000;
  std::string window_time;
  std::string id;
  std::string label_column;
  std::string time_column;
  std::string positive;
  double threshold = 0.5;
  double tolerance = 0.05;
  uint64_t min_labels = 50;
  int threads = 0;
  char decimal = 0;  // --decimal
  bool fail_on_degradation = false;
};

// Without a model: the setup is read off the files (prob_<class> columns, the labels file's
// other column).
Result<drift::MonitorSetup> SetupFromFiles(const Table& log, const Table& labels,
                                           const MonitorFlags& f) {
  drift::MonitorSetup s;
  s.id_column = f.id.empty() ? "id" : f.id;
  for (const Column& c : log.columns()) {
    if (c.name().rfind("prob_", 0) == 0) {
      s.score_columns.push_back(c.name());
      s.classes.push_back(c.name().substr(5));
    }
  }
  if (s.score_columns.empty()) {
    if (log.Find("prediction") == nullptr) {
      return Status::NotFound("the prediction log has neither prob_<class> nor prediction "
                              "columns; pass --model");
    }
    s.task = Task::kRegression;
    s.score_columns = {"prediction"};
  } else {
    s.task = s.score_columns.size() == 2 ? Task::kBinary : Task::kMulticlass;
    if (s.task == Task::kBinary && !f.positive.empty() && s.classes[0] == f.positive) {
      std::swap(s.classes[0], s.classes[1]);
      std::swap(s.score_columns[0], s.score_columns[1]);
    }
  }
  s.labels.classes = s.classes;
  s.label_column = f.label_column;
  if (s.label_column.empty()) {
    for (const Column& c : labels.columns()) {
      if (c.name() != s.id_column) {
        s.label_column = c.name();
        break;
      }
    }
  }
  s.time_column = f.time_column;
  return s;
}

std::string Cell(double v) { return std::isfinite(v) ? fmt::format("{:.4f}", v) : "-"; }

int Run(const MonitorFlags& f) {
  ApplyCommonFlags(f.common);
  std::optional<Model> model;
  if (!f.model.empty()) {
    auto m = LoadModel(f.model);
    if (!m.ok()) return ReportError(m.status(), f.common);
    model = std::move(*m);
  }
  std::string id = f.id;
  if (id.empty() && model) id = model->schema.FirstWithRole(Role::kId);
  if (id.empty()) id = "id";
  ReadOptions ro;
  ro.decimal = f.decimal;
  // Ids are compared as text on both sides ("007" stays "007").
  ro.kind_overrides[id] = ColumnKind::kString;
  ReadOptions lo = ro;
  ro.format = "jsonl";
  auto log = ReadTable(f.log, ro, CommandContext(f.common, f.threads));
  if (!log.ok()) return ReportError(log.status(), f.common);
  auto labels = ReadTable(f.labels, lo, CommandContext(f.common, f.threads));
  if (!labels.ok()) return ReportError(labels.status(), f.common);
  for (const auto* d : {&*log, &*labels}) {
    if (d->report.rows_rejected > 0) {
      log::Warn("{} of {} records of {} were rejected by the reader", d->report.rows_rejected,
                d->report.rows_read, d == &*log ? f.log : f.labels);
    }
  }

  drift::MonitorSetup setup;
  if (model) {
    setup = drift::MonitorSetupForModel(*model);
    setup.id_column = id;
    if (!f.label_column.empty()) setup.label_column = f.label_column;
    if (!f.time_column.empty()) setup.time_column = f.time_column;
  } else {
    auto s = SetupFromFiles(log->table, labels->table, f);
    if (!s.ok()) return ReportError(s.status(), f.common);
    setup = std::move(*s);
    setup.id_column = id;
  }
  drift::MonitorOptions mo;
  mo.window_rows = f.window;
  mo.threshold = f.threshold;
  mo.tolerance = f.tolerance;
  mo.min_labels = f.min_labels;
  if (!f.window_time.empty()) {
    mo.by_time = true;
    Status s = ParseDuration(f.window_time, "--window-time", &mo.window_micros);
    if (!s.ok()) return ReportUsageError(s, f.common);
  }
  auto rep = drift::MonitorPerformance(log->table, labels->table, setup, mo);
  if (!rep.ok()) return ReportError(rep.status(), f.common);

  nlohmann::json j = drift::MonitorReportToJson(*rep);
  const uint64_t degraded = j["degraded_windows"].get<uint64_t>();
  if (f.common.json) {
    j["ok"] = true;
    j["log"] = f.log;
    j["labels"] = f.labels;
    PrintJson(j);
  } else {
    std::printf("performance of %s (%llu predictions, %llu with labels from %s)\n", f.log.c_str(),
                static_cast<unsigned long long>(rep->log_rows),
                static_cast<unsigned long long>(rep->matched), f.labels.c_str());
    if (setup.reference.is_object()) {
      std::printf("training reference (%s split",
                  setup.reference.value("split", std::string("?")).c_str());
      if (setup.reference.contains("rows") && setup.reference["rows"].is_number_unsigned()) {
        std::printf(", %s rows", ReadableCount(setup.reference["rows"].get<uint64_t>()).c_str());
      }
      nlohmann::json metrics = setup.reference;
      metrics.erase("split");
      metrics.erase("rows");
      std::printf("): %s\n", ReadableJson(metrics).c_str());
    } else {
      std::printf("training reference: unknown (pass --model to compare with it)\n");
    }
    std::printf("%6s %10s %8s %9s %-10s %10s %10s  %s\n", "window", "rows", "labeled", "metric",
                "basis", "value", "training", "verdict");
    for (const auto& w : rep->windows) {
      std::printf("%6llu %10llu %8llu %9s %-10s %10s %10s  %s\n",
                  static_cast<unsigned long long>(w.index), static_cast<unsigned long long>(w.rows),
                  static_cast<unsigned long long>(w.labeled), w.metric.c_str(),
                  (w.basis == "estimated" ? "ESTIMATE" : w.basis).c_str(), Cell(w.value).c_str(),
                  Cell(w.reference).c_str(), w.degraded ? "DEGRADED" : "ok");
    }
    std::printf("ESTIMATE = CBPE, estimated from the predicted probabilities alone (assumes they "
                "are calibrated), not measured; realized = measured on the labels that arrived\n");
    std::printf("%llu of %zu windows degraded (more than %s below training)\n",
                static_cast<unsigned long long>(degraded), rep->windows.size(),
                FormatDouble(f.tolerance).c_str());
    if (rep->labels_without_prediction > 0 || rep->duplicate_label_ids > 0 ||
        rep->unmapped_labels > 0) {
      std::printf("labels: %llu without a logged prediction, %llu repeated ids (last wins), %llu "
                  "not a class of the model\n",
                  static_cast<unsigned long long>(rep->labels_without_prediction),
                  static_cast<unsigned long long>(rep->duplicate_label_ids),
                  static_cast<unsigned long long>(rep->unmapped_labels));
    }
  }
  return f.fail_on_degradation && degraded > 0 ? 3 : kExitOk;
}

}  // namespace

Command AddMonitorCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "monitor",
      "Join a prediction log with labels that arrived later (by id) and report performance per "
      "window against training; where labels are missing, estimate it from the predicted "
      "probabilities (CBPE) and say so");
  auto f = std::make_shared<MonitorFlags>();
  sub->add_option("--log", f->log,
                  "Prediction log, JSON Lines (the output of `keel stream`): the id, optionally "
                  "the time, and prob_<class> (or prediction) per line")
      ->required();
  sub->add_option("--labels", f->labels, "Labels that arrived later: a file with the id and the label")
      ->required();
  sub->add_option("--model", f->model,
                  "The model that made the predictions: its classes, id/time/target columns and "
                  "training metrics (default: none; read the setup off the files)");
  sub->add_option("--window", f->window, "Log rows per window (default: 10000)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--window-time", f->window_time,
                  "Windows by the log's time column instead: 1h, 1d, 1w ... (default: by rows)")
      ->check(DurationCheck("--window-time"));
  sub->add_option("--id", f->id,
                  "Id column joining the two files (default: the model's id-role "
                  "column, else \"id\")");
  sub->add_option("--label-column", f->label_column,
                  "Label column of the labels file (default: the model's target, else the "
                  "labels file's only other column)");
  sub->add_option("--time", f->time_column,
                  "Time column of the log (default: the model's time-role column)");
  sub->add_option("--positive", f->positive,
                  "Positive class without --model (default: the last prob_ column)");
  sub->add_option("--threshold", f->threshold,
                  "Predict positive when P(positive) >= this, for accuracy, precision, recall "
                  "and F1 (default: 0.5)")
      ->check(Interval(0, 1, true, true));
  sub->add_option("--tolerance", f->tolerance,
                  "A window is degraded when its AUC (or accuracy) is more than this below the "
                  "training value, or its RMSE more than this fraction above (default: 0.05)");
  sub->add_option("--min-labels", f->min_labels,
                  "Labels a window needs before its realized metric is judged instead of the "
                  "estimate (default: 50)");
  AddDecimalFlag(sub, &f->decimal);
  sub->add_option("--threads", f->threads, "Worker threads for reading; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--fail-on-degradation", f->fail_on_degradation,
                "Exit with status 3 when a window degraded (default: exit 0)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
