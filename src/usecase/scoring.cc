#include "usecase/scoring.h"

#include <algorithm>

#include "core/log.h"
#include "core/stopwatch.h"
#include "model/model_io.h"

namespace keel::usecase {
namespace {

// At most this many rejected records are listed on stderr (all are in the rejects file).
constexpr size_t kRejectsShown = 20;

}  // namespace

Result<LoadedScoring> LoadForScoring(const ScoringInput& input, const Context& ctx,
                                     const char* require_target_for) {
  LoadedScoring out;
  Stopwatch load_time;
  KEEL_ASSIGN_OR_RETURN(out.model, LoadModel(input.model_path));
  auto predictor = Predictor::Create(out.model);
  if (!predictor.ok()) return predictor.status().WithContext(input.model_path);
  out.predictor = std::move(*predictor);
  out.load_seconds = load_time.Seconds();

  std::vector<std::string> required;
  if (!input.allow_missing_columns) {
    for (const FeatureSpec& f : out.model.features) required.push_back(f.name);
  }
  Stopwatch read_time;
  ReadOptions ro;
  ro.schema = &out.model.schema;
  ro.decimal = input.decimal;
  ro.missing_tokens = input.missing_tokens;
  ro.required_columns = &required;
  KEEL_ASSIGN_OR_RETURN(out.data, ReadData(input.data_path, input.read_data, ro, ctx));
  out.read_seconds = read_time.Seconds();
  if (require_target_for != nullptr && !out.model.target.empty() &&
      out.data.table.Find(out.model.target) == nullptr) {
    return Status::NotFound(
        "{}: the data has no column \"{}\", the model's target, which {} "
        "needs for labels",
        input.data_path, out.model.target, require_target_for);
  }
  if (!input.rejects_path.empty()) {
    KEEL_RETURN_IF_ERROR(WriteRejectsCsv(out.data.report, input.rejects_path));
  }
  return out;
}

Result<IngestResult> ReadData(const std::string& path, const DataReader& reader,
                              const ReadOptions& options, const Context& ctx) {
  if (reader) return reader(options);
  return ReadTable(path, options, ctx);
}

void WarnRejected(const IngestReport& report, const ScoringInput& input, const char* verb) {
  size_t shown = 0;
  for (const auto& r : report.rejected) {
    if (shown++ == kRejectsShown) {
      log::Warn("... and {} more rejected records{}", report.rejected.size() - kRejectsShown,
                input.rejects_path.empty() ? " (--rejects FILE lists them all)" : "");
      break;
    }
    log::Warn("{}:{}: record not {} (empty cells in the output): {}", input.data_path, r.line, verb,
              r.reason);
  }
}

std::string IdColumnIn(const Model& model, const Table& table) {
  const std::string id = model.schema.FirstWithRole(Role::kId);
  return id.empty() || table.Find(id) == nullptr ? std::string() : id;
}

}  // namespace keel::usecase
