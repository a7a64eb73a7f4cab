#include "usecase/compare.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "core/log.h"
#include "core/stopwatch.h"
#include "eval/summary_text.h"
#include "model/model_io.h"

namespace keel::usecase {
namespace {

uint64_t FileBytes(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<uint64_t>(size);
}

}  // namespace

Result<Comparison> CompareOnRows(const CompareInput& baseline, const CompareInput& candidate,
                                 const Table& rows, const CompareOptions& options,
                                 const Context& ctx) {
  KEEL_ASSIGN_OR_RETURN(Comparison c, CompareModels(baseline, candidate, rows, options, ctx));
  if (c.rows_missing_label > 0) {
    log::Warn("{} rows have no value in the target column and are not compared",
              c.rows_missing_label);
  }
  return c;
}

Result<CompareResult> Compare(const CompareRequest& request, const Context& ctx) {
  Stopwatch total;
  KEEL_RETURN_IF_ERROR(CheckCompareOptions(request.options));
  KEEL_ASSIGN_OR_RETURN(Model candidate, LoadModel(request.candidate_path));
  auto candidate_predictor = Predictor::Create(candidate);
  if (!candidate_predictor.ok()) {
    return candidate_predictor.status().WithContext(request.candidate_path);
  }
  // One read of the data, with the baseline's schema, so both models score the same rows.
  const ScoringInput& in = request.input;
  KEEL_ASSIGN_OR_RETURN(LoadedScoring baseline, LoadForScoring(in, ctx, "compare"));
  // Different tasks or label mappings are never compared.
  KEEL_RETURN_IF_ERROR(CheckComparable(baseline.model, candidate));
  const IngestReport& report = baseline.data.report;
  if (report.rows_rejected > 0) {
    log::Warn("{}: {} of {} records were rejected by the reader and are not compared", in.data_path,
              report.rows_rejected, report.rows_read);
  }
  const CompareInput b{&baseline.model, baseline.predictor.get(), FileBytes(in.model_path),
                       in.model_path};
  const CompareInput c{&candidate, candidate_predictor->get(), FileBytes(request.candidate_path),
                       request.candidate_path};
  auto comparison = CompareOnRows(b, c, baseline.data.table, request.options, ctx);
  if (!comparison.ok()) return comparison.status().WithContext(in.data_path);
  CompareResult result;
  result.request = request;
  result.comparison = std::move(*comparison);
  result.rows_read = report.rows_read;
  result.rows_rejected = report.rows_rejected;
  result.seconds = total.Seconds();
  return result;
}

nlohmann::json CompareResult::ToJson() const {
  nlohmann::json j = ComparisonToJson(comparison);
  j["ok"] = true;
  j["data"] = request.input.data_path;
  j["rows_read"] = rows_read;
  j["rows_rejected"] = rows_rejected;
  j["seconds"] = seconds;
  return j;
}

std::string CompareResult::ToText() const {
  return fmt::format("{}: {} rows compared ({} read, {} rejected, {} without a label)\n\n",
                     request.input.data_path, comparison.rows, rows_read, rows_rejected,
                     comparison.rows_missing_label) +
         FormatComparisonText(comparison);
}

}  // namespace keel::usecase
