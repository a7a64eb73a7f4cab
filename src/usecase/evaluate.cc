#include "usecase/evaluate.h"

#include <fmt/format.h>

#include "core/log.h"
#include "core/stopwatch.h"
#include "eval/summary_text.h"

namespace keel::usecase {

Result<EvaluateResult> Evaluate(const EvaluateRequest& request, const Context& ctx) {
  Stopwatch total;
  const ScoringInput& in = request.input;
  KEEL_ASSIGN_OR_RETURN(LoadedScoring loaded, LoadForScoring(in, ctx, "evaluate"));
  const IngestReport& report = loaded.data.report;
  if (report.rows_rejected > 0) {
    log::Warn(
        "{}: {} of {} records were rejected by the reader and are not evaluated (see "
        "`keel ingest {} --schema ...` for the reasons)",
        in.data_path, report.rows_rejected, report.rows_read, in.data_path);
  }
  EncodeOptions encode;
  encode.allow_absent_columns = in.allow_missing_columns;
  const Model& model = loaded.model;
  auto evaluated =
      EvaluateModel(model, *loaded.predictor, loaded.data.table, request.options, ctx, encode);
  if (!evaluated.ok()) return evaluated.status().WithContext(in.data_path);
  for (const auto& name : evaluated->encode.absent) {
    log::Warn("the data has no column '{}': it is treated as missing in every row", name);
  }
  if (evaluated->truth.rows_missing_label > 0) {
    log::Warn("{} rows have no value in the target column '{}' and are not evaluated",
              evaluated->truth.rows_missing_label, model.target);
  }
  EvaluateResult result;
  result.request = request;
  result.target = model.target;
  result.task = model.task;
  result.classes = model.labels.classes;
  result.evaluation = std::move(*evaluated);
  result.rows_read = report.rows_read;
  result.rows_rejected = report.rows_rejected;
  result.seconds = total.Seconds();
  return result;
}

nlohmann::json EvaluateResult::ToJson() const {
  const ModelEvaluation& me = evaluation;
  nlohmann::json j = EvaluationToJson(me.evaluation);
  j["ok"] = true;
  j["model"] = request.input.model_path;
  j["data"] = request.input.data_path;
  j["target"] = target;
  if (task != Task::kRegression) {
    j["class_names"] = classes;
    if (task == Task::kBinary) j["positive_class"] = classes[1];
  }
  j["weight_column"] = me.truth.weight_column.empty() ? nlohmann::json(nullptr)
                                                      : nlohmann::json(me.truth.weight_column);
  j["rows_read"] = rows_read;
  j["rows_rejected"] = rows_rejected;
  j["rows_missing_label"] = me.truth.rows_missing_label;
  j["absent_columns"] = me.encode.absent;
  j["seconds"] = seconds;
  return j;
}

std::string EvaluateResult::ToText() const {
  std::string out = fmt::format("{} on {}: {} model, target '{}'", request.input.model_path,
                                request.input.data_path, TaskName(task), target);
  if (task == Task::kBinary) out += fmt::format(", positive class '{}'", classes[1]);
  out += fmt::format("\n{} rows evaluated ({} read, {} rejected, {} without a label)\n\n",
                     evaluation.evaluation.rows, rows_read, rows_rejected,
                     evaluation.truth.rows_missing_label);
  return out + FormatEvaluationText(evaluation.evaluation);
}

}  // namespace keel::usecase
