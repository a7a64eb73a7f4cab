#include "usecase/predict.h"

#include <fmt/format.h>

#include "core/file_io.h"
#include "core/log.h"
#include "core/stopwatch.h"
#include "predict/table_prediction.h"

namespace keel::usecase {

Result<PredictResult> Predict(const PredictRequest& request, const Context& ctx) {
  Stopwatch total;
  PredictResult r;
  r.request = request;
  KEEL_ASSIGN_OR_RETURN(LoadedScoring s, LoadForScoring(request.input, ctx));
  r.read_seconds = s.read_seconds;
  const IngestReport& report = s.data.report;

  Stopwatch predict_time;
  TablePredictionOptions po;
  po.raw = request.raw;
  po.allow_absent_columns = request.input.allow_missing_columns;
  po.interval = request.interval;
  auto preds = PredictTable(s.model, *s.predictor, s.data.table, po, ctx);
  if (!preds.ok()) return preds.status().WithContext(request.input.data_path);
  r.predict_seconds = predict_time.Seconds();

  std::vector<uint64_t> rejected_lines;
  for (const auto& rec : report.rejected) rejected_lines.push_back(rec.line);
  r.id_column = IdColumnIn(s.model, s.data.table);
  std::string csv = PredictionsToCsv(*preds, s.data.table, s.model.schema.FirstWithRole(Role::kId),
                                     rejected_lines);
  if (request.out_path == "-") {
    r.csv = std::move(csv);
  } else {
    KEEL_RETURN_IF_ERROR(WriteFileAtomic(request.out_path, csv));
  }

  WarnRejected(report, request.input, "predicted");
  for (size_t i = 0; i < s.model.features.size(); ++i) {
    const std::string& name = s.model.features[i].name;
    if (preds->encode.unseen[i] > 0) r.unseen_categories[name] = preds->encode.unseen[i];
    if (preds->encode.missing[i] > 0) r.missing_values[name] = preds->encode.missing[i];
  }
  for (const auto& name : preds->encode.absent) {
    log::Warn("the data has no column '{}': it is treated as missing in every row", name);
  }
  if (!r.unseen_categories.empty()) {
    log::Warn("categories the model never saw were treated as missing: {}",
              r.unseen_categories.dump());
  }
  r.task = std::string(TaskName(s.model.task));
  r.columns = preds->columns;
  if (!preds->sets.empty()) r.columns.push_back("set");
  r.absent_columns = preds->encode.absent;
  r.rows_read = report.rows_read;
  r.rows_predicted = preds->rows;
  r.rows_rejected = report.rows_rejected;
  // Rejected records have their place in the output only when the rows carry their lines.
  r.output_rows =
      preds->rows + (s.data.table.source_lines().size() == preds->rows ? report.rows_rejected : 0);
  r.total_seconds = total.Seconds();
  return r;
}

nlohmann::json PredictResult::ToJson() const {
  return {{"ok", true},
          {"model", request.input.model_path},
          {"data", request.input.data_path},
          {"out", request.out_path},
          {"task", task},
          {"columns", columns},
          {"id_column", id_column.empty() ? nlohmann::json(nullptr) : nlohmann::json(id_column)},
          {"rows_read", rows_read},
          {"rows_predicted", rows_predicted},
          {"rows_rejected", rows_rejected},
          {"output_rows", output_rows},
          {"unseen_categories", unseen_categories},
          {"missing_values", missing_values},
          {"absent_columns", absent_columns},
          {"seconds",
           {{"read", read_seconds}, {"predict", predict_seconds}, {"total", total_seconds}}}};
}

std::string PredictResult::ToText() const {
  const char* rejects_note = rows_rejected == 0 ? ""
                             : request.input.rejects_path.empty()
                                 ? ": listed above, empty cells in the output"
                                 : ", see the rejects file; empty cells in the output";
  return fmt::format("predicted {} of {} rows -> {} ({} rejected{}) in {:.3f} s\n", rows_predicted,
                     rows_read, request.out_path, rows_rejected, rejects_note, total_seconds);
}

}  // namespace keel::usecase
