#include "usecase/drift.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>

#include "core/log.h"
#include "core/number_format.h"
#include "core/stopwatch.h"
#include "model/model_io.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"

namespace keel::usecase {
namespace {

// The model's predictions for every row of `data` (a feature the data lacks is missing), in
// the layout the profile's prediction column takes (model_profile.h).
Result<std::vector<double>> PredictForProfile(const Model& model, const Predictor& predictor,
                                              const Table& data, bool allow_absent,
                                              const Context& ctx) {
  EncodeOptions eo;
  eo.allow_absent_columns = allow_absent;
  eo.threads = ctx.threads();
  KEEL_ASSIGN_OR_RETURN(FeatureMatrix x, EncodeFeatures(model, data, eo));
  std::vector<double> out(x.rows * static_cast<size_t>(predictor.num_outputs()));
  KEEL_RETURN_IF_ERROR(predictor.PredictBatch(x, out, /*raw=*/false, ctx.threads()));
  return out;
}

Result<drift::DriftReport> AgainstModel(const DriftRequest& r, const Context& ctx) {
  KEEL_ASSIGN_OR_RETURN(Model model, LoadModel(r.reference_path));
  KEEL_ASSIGN_OR_RETURN(drift::Profile profile, drift::LoadReferenceProfile(model));
  KEEL_ASSIGN_OR_RETURN(IngestResult data,
                        ReadForDrift(r.data_path, &model.schema, r.decimal, ctx, r.read_data));
  std::vector<double> predictions;
  bool has_prediction = false;
  for (const auto& c : profile.layout().columns) {
    has_prediction |= c.role == drift::ProfileRole::kPrediction;
  }
  if (has_prediction && data.table.num_rows() > 0) {
    KEEL_ASSIGN_OR_RETURN(auto predictor, Predictor::Create(model));
    KEEL_ASSIGN_OR_RETURN(predictions, PredictForProfile(model, *predictor, data.table,
                                                         /*allow_absent=*/true, ctx));
  }
  return drift::CompareTableToProfile(profile, model, data.table, predictions, r.options, ctx);
}

Result<drift::DriftReport> AgainstData(const DriftRequest& r, const Context& ctx) {
  KEEL_ASSIGN_OR_RETURN(IngestResult ref,
                        ReadForDrift(r.reference_path, nullptr, r.decimal, ctx, r.read_reference));
  // The new file is read with the reference's schema, so a column means the same on both sides.
  KEEL_ASSIGN_OR_RETURN(IngestResult cur,
                        ReadForDrift(r.data_path, &ref.schema, r.decimal, ctx, r.read_data));
  return DriftOfRows(ref.table, cur.table, ref.schema, r.options, ctx);
}

std::string Cell(double v) {
  if (!std::isfinite(v)) return "-";
  if (v == 0) return "0.0000";  // also -0 (the score of p = 1), which would print "-0.0000"
  if (std::fabs(v) < 1e-3) return fmt::format("{:.2e}", v);
  return fmt::format("{:.4f}", v);
}

void AppendRow(const drift::FeatureDrift& f, const std::string& label, std::string* out) {
  *out += fmt::format("{:<28} {:<14} {:>10} {:>10} {:>10} {:>10}  {}{}\n", label, f.test,
                      Cell(f.statistic), Cell(f.threshold), Cell(f.p_value_adjusted), Cell(f.score),
                      f.drifted ? "DRIFT" : (f.tested ? "ok" : "not tested"),
                      f.reason.empty() ? "" : "  (" + f.reason + ")");
}

// The first eight names, then how many there are.
std::string ShortList(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < 8; ++i) s += (i ? ", " : "") + v[i];
  if (v.size() > 8) s += fmt::format(", ... ({} in all)", v.size());
  return s;
}

}  // namespace

bool IsModelFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[5] = {};
  in.read(magic, 5);
  return in.gcount() == 5 && static_cast<unsigned char>(magic[0]) == 0x89 &&
         std::string_view(magic + 1, 4) == "KEEL";
}

Result<IngestResult> ReadForDrift(const std::string& path, const Schema* schema, char decimal,
                                  const Context& ctx, const DataReader& reader) {
  ReadOptions ro;
  ro.schema = schema;
  ro.allow_missing_columns = schema != nullptr;
  ro.decimal = decimal;
  KEEL_ASSIGN_OR_RETURN(IngestResult data, ReadData(path, reader, ro, ctx));
  if (data.report.rows_rejected > 0) {
    log::Warn("{} of {} records of {} were rejected by the reader and are not compared",
              data.report.rows_rejected, data.report.rows_read, path);
  }
  return data;
}

Result<drift::DriftReport> DriftOfRows(const Table& reference, const Table& current,
                                       const Schema& schema,
                                       const drift::TableDriftOptions& options,
                                       const Context& ctx) {
  return drift::CompareTables(reference, current, schema, options, ctx);
}

Result<DriftResult> Drift(const DriftRequest& request, const Context& ctx) {
  KEEL_RETURN_IF_ERROR(request.options.drift.Validate());
  Stopwatch clock;
  DriftResult r;
  r.request = request;
  r.model_reference = !request.read_reference && IsModelFile(request.reference_path);
  KEEL_ASSIGN_OR_RETURN(r.report,
                        r.model_reference ? AgainstModel(request, ctx) : AgainstData(request, ctx));
  r.seconds = clock.Seconds();
  return r;
}

bool DriftResult::drifted() const {
  const auto& v = report.verdict;
  return v.dataset_drift || v.prediction_drift.value_or(false) || v.label_drift.value_or(false);
}

nlohmann::json DriftResult::ToJson() const {
  nlohmann::json j = drift::DriftReportToJson(report, request.histograms);
  j["ok"] = true;
  j["reference"] = request.reference_path;
  j["reference_kind"] = model_reference ? "model" : "data";
  j["data"] = request.data_path;
  j["seconds"] = seconds;
  return j;
}

std::string DriftResult::ToText() const {
  const drift::DriftReport& r = report;
  std::string out =
      fmt::format("drift of {} ({} rows) against {} ({}, {} rows)\n", request.data_path,
                  r.current_rows, request.reference_path,
                  model_reference ? "training profile" : "reference data", r.reference_rows);
  out += fmt::format("{:<28} {:<14} {:>10} {:>10} {:>10} {:>10}  {}\n", "feature", "test",
                     "statistic", "threshold", "p (adj.)", "score", "verdict");
  for (const auto& x : r.features) {
    std::string label = x.feature;
    if (label.size() > 28) label = label.substr(0, 25) + "...";
    AppendRow(x, label, &out);
    if (!x.new_categories.empty()) {
      out += fmt::format("{:<28} new categories: {}\n", "", ShortList(x.new_categories));
    }
    if (!x.missing_categories.empty()) {
      out += fmt::format("{:<28} categories gone: {}\n", "", ShortList(x.missing_categories));
    }
  }
  if (r.prediction) AppendRow(*r.prediction, "prediction " + r.prediction->feature, &out);
  if (r.label) AppendRow(*r.label, "label " + r.label->feature, &out);
  const auto& v = r.verdict;
  out += fmt::format("\n{} of {} features drifted ({:.0f}%): {} (threshold {:.0f}% of features)\n",
                     v.drifted_features, v.tested_features, 100 * v.share_drifted,
                     v.dataset_drift ? "DATASET DRIFT" : "no dataset drift",
                     100 * r.options.drift_share);
  auto yes_no = [](const std::optional<bool>& b) {
    return b ? (*b ? "yes" : "no") : "not checked";
  };
  out += fmt::format("prediction drift: {}; label drift: {}\n", yes_no(v.prediction_drift),
                     yes_no(v.label_drift));
  out += fmt::format("p-values corrected with {} at alpha {}; all statistics: --json\n",
                     drift::CorrectionName(r.options.correction), FormatDouble(r.options.alpha));
  for (const auto& s : r.skipped) out += "skipped " + s + "\n";
  for (const auto& n : r.notes) out += "note: " + n + "\n";
  return out;
}

Result<SaveProfileResult> SaveProfile(const SaveProfileRequest& request, const Context& ctx) {
  if (!IsModelFile(request.input.model_path)) {
    return Status::InvalidArgument("--save-profile needs a model as --reference, not {}",
                                   request.input.model_path);
  }
  Stopwatch clock;
  SaveProfileResult r;
  r.request = request;
  KEEL_ASSIGN_OR_RETURN(LoadedScoring s, LoadForScoring(request.input, ctx));
  r.read_seconds = clock.Seconds();
  Stopwatch predict_clock;
  auto predictions = PredictForProfile(s.model, *s.predictor, s.data.table,
                                       request.input.allow_missing_columns, ctx);
  if (!predictions.ok()) return predictions.status().WithContext(request.input.data_path);
  r.predict_seconds = predict_clock.Seconds();
  Stopwatch profile_clock;
  KEEL_RETURN_IF_ERROR(drift::AttachReferenceProfile(&s.model, s.data.table, {}, *predictions,
                                                     request.options, ctx));
  r.profile_seconds = profile_clock.Seconds();
  KEEL_RETURN_IF_ERROR(SaveModel(s.model, request.out_path));
  const nlohmann::json& p = s.model.sections[drift::kProfileSection];
  r.rows = p["rows"].get<uint64_t>();
  r.columns = p["columns"].size();
  r.total_seconds = clock.Seconds();
  return r;
}

nlohmann::json SaveProfileResult::ToJson() const {
  return {{"ok", true},
          {"model", request.out_path},
          {"rows", rows},
          {"columns", columns},
          {"seconds",
           {{"read", read_seconds},
            {"predict", predict_seconds},
            {"profile", profile_seconds},
            {"total", total_seconds}}},
          {"profile_rows_per_second",
           profile_seconds > 0 ? static_cast<double>(rows) / profile_seconds : 0.0}};
}

std::string SaveProfileResult::ToText() const {
  return fmt::format("training profile of {} ({} rows, {} columns) written with the model to {}\n",
                     request.input.data_path, rows, columns, request.out_path);
}

}  // namespace keel::usecase
