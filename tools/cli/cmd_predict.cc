// keel predict: score a data file with a model, one output row per input record.
#include <cstdio>

#include "command.h"
#include "core/file_io.h"
#include "core/log.h"
#include "core/stopwatch.h"
#include "data/ingest.h"
#include "model/model_io.h"
#include "predict/predictor.h"
#include "predict/table_prediction.h"
#include "reader_flags.h"

namespace keel::cli {
namespace {

struct PredictFlags {
  CommonFlags common;
  std::string model;
  std::string data;
  std::string out;
  std::string rejects;
  bool raw = false;
  int threads = 0;
  char decimal = 0;  // --decimal
  bool allow_missing_columns = false;
};

// At most this many rejected records are listed on stderr (all are in --rejects).
constexpr size_t kRejectsShown = 20;

int Run(const PredictFlags& f) {
  ApplyCommonFlags(f.common);
  Stopwatch total;
  auto model = LoadModel(f.model);
  if (!model.ok()) return ReportError(model.status(), f.common);
  auto predictor = Predictor::Create(*model);
  if (!predictor.ok()) return ReportError(predictor.status().WithContext(f.model), f.common);

  Stopwatch read_time;
  ReadOptions ro;
  ro.schema = &model->schema;
  ro.decimal = f.decimal;
  ro.allow_missing_columns = f.allow_missing_columns;
  auto data = ReadTable(f.data, ro, CommandContext(f.common, f.threads));
  if (!data.ok()) return ReportError(data.status(), f.common);
  const double read_seconds = read_time.Seconds();
  const IngestReport& report = data->report;

  Stopwatch predict_time;
  TablePredictionOptions po;
  po.raw = f.raw;
  po.threads = f.threads;
  po.allow_absent_columns = f.allow_missing_columns;
  auto preds = PredictTable(*model, **predictor, data->table, po);
  if (!preds.ok()) return ReportError(preds.status().WithContext(f.data), f.common);
  const double predict_seconds = predict_time.Seconds();

  std::vector<uint64_t> rejected_lines;
  for (const auto& r : report.rejected) rejected_lines.push_back(r.line);
  const std::string id_column = model->schema.FirstWithRole(Role::kId);
  const std::string csv = PredictionsToCsv(*preds, data->table, id_column, rejected_lines);
  if (f.out == "-") {
    std::fwrite(csv.data(), 1, csv.size(), stdout);
    std::fflush(stdout);
  } else {
    Status st = WriteFileAtomic(f.out, csv);
    if (!st.ok()) return ReportError(st, f.common);
  }
  if (!f.rejects.empty()) {
    Status st = WriteRejectsCsv(report, f.rejects);
    if (!st.ok()) return ReportError(st, f.common);
  }

  // Every rejected record is reported: it has a line of empty cells in the output.
  size_t shown = 0;
  for (const auto& r : report.rejected) {
    if (shown++ == kRejectsShown) {
      log::Warn("... and {} more rejected records{}", report.rejected.size() - kRejectsShown,
                f.rejects.empty() ? " (--rejects FILE lists them all)" : "");
      break;
    }
    log::Warn("{}:{}: record not predicted (empty cells in the output): {}", f.data, r.line,
              r.reason);
  }
  nlohmann::json unseen = nlohmann::json::object();
  nlohmann::json missing = nlohmann::json::object();
  for (size_t i = 0; i < model->features.size(); ++i) {
    if (preds->encode.unseen[i] > 0) unseen[model->features[i].name] = preds->encode.unseen[i];
    if (preds->encode.missing[i] > 0) missing[model->features[i].name] = preds->encode.missing[i];
  }
  for (const auto& name : preds->encode.absent) {
    log::Warn("the data has no column '{}': it is treated as missing in every row", name);
  }
  if (!unseen.empty()) {
    log::Warn("categories the model never saw were treated as missing: {}", unseen.dump());
  }

  if (f.common.json) {
    PrintJson(
        {{"ok", true},
         {"model", f.model},
         {"data", f.data},
         {"out", f.out},
         {"task", std::string(TaskName(model->task))},
         {"columns", preds->columns},
         {"id_column", id_column.empty() || data->table.Find(id_column) == nullptr
                           ? nlohmann::json(nullptr)
                           : nlohmann::json(id_column)},
         {"rows_read", report.rows_read},
         {"rows_predicted", preds->rows},
         {"rows_rejected", report.rows_rejected},
         {"output_rows",
          preds->rows +
              (data->table.source_lines().size() == preds->rows ? report.rows_rejected : 0)},
         {"unseen_categories", unseen},
         {"missing_values", missing},
         {"absent_columns", preds->encode.absent},
         {"seconds",
          {{"read", read_seconds}, {"predict", predict_seconds}, {"total", total.Seconds()}}}});
  } else {
    std::FILE* to = f.out == "-" ? stderr : stdout;
    std::fprintf(to, "predicted %zu of %llu rows -> %s (%llu rejected%s) in %.3f s\n", preds->rows,
                 static_cast<unsigned long long>(report.rows_read), f.out.c_str(),
                 static_cast<unsigned long long>(report.rows_rejected),
                 report.rows_rejected == 0 ? ""
                 : f.rejects.empty()       ? ": listed above, empty cells in the output"
                                           : ", see the rejects file; empty cells in the output",
                 total.Seconds());
  }
  return kExitOk;
}

}  // namespace

Command AddPredictCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "predict",
      "Score a CSV or JSON Lines file with a model: one output row per input record, in order");
  auto f = std::make_shared<PredictFlags>();
  sub->add_option("--model", f->model, "Model file (.keel, from `keel train` or `keel import`)")
      ->required();
  sub->add_option("--data", f->data,
                  "Data to score (.csv, .tsv, .jsonl). Columns are read with the model's schema; "
                  "extra columns are ignored")
      ->required();
  sub->add_option("--out", f->out,
                  "Predictions CSV to write, or - for stdout. Columns: the id column (if the "
                  "schema has one), then prob_<class> per class (binary: the positive class "
                  "last) or `prediction` (regression)")
      ->required();
  sub->add_flag("--raw", f->raw,
                "Also write the raw margins: raw_<class> (binary: the positive class; "
                "regression: `raw`). Default: off");
  AddDecimalFlag(sub, &f->decimal);
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--rejects", f->rejects,
                  "Write the records the reader rejected (line, column, kind, reason, raw text) "
                  "to this CSV. They always get an output line of empty cells and a warning on "
                  "stderr (default: no file)");
  sub->add_flag("--allow-missing-columns", f->allow_missing_columns,
                "Treat a feature column absent from the data as missing in every row instead "
                "of failing (default: fail)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
