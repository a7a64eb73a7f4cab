// `keel train` straight from the file (params.stream): train/stream_bins.h reads and bins the
// data; the model is finished as every model is (FinishFromMargins), from the binned rows'
// margins.
#include <sys/stat.h>

#include "core/log.h"
#include "core/stopwatch.h"
#include "data/schema_yaml.h"
#include "model/model_io.h"
#include "train/tune.h"
#include "train/stream_bins.h"
#include "usecase/train.h"

namespace keel::usecase {
namespace {

constexpr uint64_t kAutoStreamBytes = uint64_t{128} << 20;
constexpr size_t kPieceBytes = size_t{16} << 20;

bool IsJsonLines(const std::string& path, const std::string& format) {
  if (!format.empty()) return format != "csv";
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() &&
           path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
  };
  return ends(".jsonl") || ends(".ndjson") || ends(".JSONL") || ends(".NDJSON");
}

}  // namespace

Result<std::string> StreamRefusal(const TrainRequest& request) {
  const std::string& mode = request.params.stream;
  if (mode == "off") return std::string("stream off");
  std::string why;
  if (request.params.algo != "gbdt") why = "algo " + request.params.algo;
  if (request.collective != nullptr) why = "distributed training";
  if (!request.reweigh.empty()) why = "--reweigh";
  if (!request.fair_attribute.empty()) why = "--fair-attribute";
  if (!request.sensitive.empty()) why = "--sensitive";
  if (request.input.path == "-") why = "data from standard input";
  if (IsJsonLines(request.input.path, request.input.options.format)) why = "JSON Lines data";
  if (request.input.options.drop_duplicates) why = "dropping duplicates";
  if (request.params.folds >= 2) why = "k-fold cross-validation (--folds)";
  if (auto budget = ParseTuneBudget(request.params.tune); budget.ok() && budget->enabled()) {
    why = "--tune";
  }
  if (!why.empty()) {
    if (mode == "on") {
      return Status::InvalidArgument(
          "stream on: training straight from the file does not support {} (use stream auto or "
          "off)",
          why);
    }
    return why;
  }
  if (mode == "on") return std::string();
  struct stat st {};
  if (::stat(request.input.path.c_str(), &st) != 0) return std::string("file not found");
  if (static_cast<uint64_t>(st.st_size) < kAutoStreamBytes) {
    return std::string("file smaller than 128 MiB");
  }
  return std::string();
}

Result<TrainModelResult> TrainModelFromFile(const TrainRequest& request, const Context& ctx) {
  Stopwatch clock;
  const std::string& path = request.input.path;
  ReadOptions read = request.input.options;
  Schema given;
  if (!request.input.schema_path.empty()) {
    KEEL_ASSIGN_OR_RETURN(given, LoadSchemaYaml(request.input.schema_path));
    read.schema = &given;
  }
  TrainOptions options = TrainOptionsOf(request, path, nlohmann::json::object());
  // k-fold cross-validation bins each fold on its own training rows, from the raw values this
  // path never holds: "auto" folds are off here, so a small file validates on a split.
  if (options.params.folds == static_cast<int>(kAutoParam)) options.params.folds = 0;
  TrainReport report;
  const size_t piece = request.stream_piece_bytes > 0 ? request.stream_piece_bytes : kPieceBytes;
  auto streamed = StreamTrainingData(path, read, options, piece, ctx, &report);
  if (!streamed.ok()) return streamed.status().WithContext("training on " + path);
  StreamedTrainingData& s = *streamed;
  options.data_info = IngestLineage(s.ingest, path);
  options.data_info["read"] = "streamed";
  if (!s.summarized.empty()) {
    options.data_info["summarized_features"] = s.summarized;
    report.warnings.push_back(std::to_string(s.summarized.size()) +
                              " numeric features have more than 65,536 distinct training values: "
                              "their bin edges come from a quantile summary");
  }
  report.seconds = clock.Seconds();
  const TrainParams& params = options.params;
  auto trained =
      FitPreparedBins(s.rows, s.schema, options, s.data, std::move(s.bins), std::move(report), ctx);
  if (!trained.ok()) return trained.status().WithContext("training on " + path);
  SplitMarginMap margins(trained->margins.begin(), trained->margins.end());
  trained->margins.clear();
  KEEL_RETURN_IF_ERROR(FinishFromMargins(s.rows, params, std::move(margins),
                                         {s.profile_rows, {}, s.profile_train_index}, ctx,
                                         &*trained));
  if (!request.out_path.empty()) KEEL_RETURN_IF_ERROR(SaveModel(trained->model, request.out_path));
  TrainModelResult result;
  result.request = request;
  result.report = std::move(trained->report);
  result.model = std::move(trained->model);
  return result;
}

}  // namespace keel::usecase
