#include "predict/table_prediction.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "core/number_format.h"
#include "data/csv_writer.h"
#include "model/quantile_outputs.h"

namespace keel {
namespace {

std::string ClassName(const Model& model, size_t k) {
  if (k < model.labels.classes.size()) return model.labels.classes[k];
  return std::to_string(k);
}

}  // namespace

std::vector<std::string> PredictionColumns(const Model& model, bool raw) {
  std::vector<std::string> cols;
  switch (model.task) {
    case Task::kBinary:
      cols = {"prob_" + ClassName(model, 0), "prob_" + ClassName(model, 1)};
      if (raw) cols.push_back("raw_" + ClassName(model, 1));
      break;
    case Task::kMulticlass:
      for (int k = 0; k < model.num_outputs; ++k)
        cols.push_back("prob_" + ClassName(model, static_cast<size_t>(k)));
      if (raw) {
        for (int k = 0; k < model.num_outputs; ++k)
          cols.push_back("raw_" + ClassName(model, static_cast<size_t>(k)));
      }
      break;
    case Task::kRegression:
      if (HasQuantileOutputs(model)) {
        // ValidateModel checked the levels.
        const std::vector<double> levels = QuantileLevels(model).value_or({});
        for (double level : levels) cols.push_back(QuantileColumn(level));
        if (raw) {
          for (double level : levels) cols.push_back("raw_" + QuantileColumn(level));
        }
        break;
      }
      cols = {"prediction"};
      if (raw) cols.push_back("raw");
      break;
  }
  return cols;
}

Result<TablePredictions> PredictTable(const Model& model, const Predictor& predictor,
                                      const Table& table, const TablePredictionOptions& options,
                                      const Context& ctx) {
  const int threads = ctx.threads();
  if (predictor.num_outputs() != model.num_outputs ||
      predictor.num_features() != model.features.size()) {
    return Status::InvalidArgument("the predictor was not compiled from this model");
  }
  EncodeOptions eo;
  eo.threads = threads;
  eo.allow_absent_columns = options.allow_absent_columns;
  EncodeStats encode;
  KEEL_ASSIGN_OR_RETURN(FeatureMatrix x, EncodeFeatures(model, table, eo, &encode));
  // A float64 model's rows as the doubles the table holds (values64), else as floats.
  KEEL_ASSIGN_OR_RETURN(TablePredictions out,
                        x.values64.empty()
                            ? PredictEncoded(model, predictor, std::span<const float>(x.values),
                                             x.rows, options.raw, threads)
                            : PredictEncoded(model, predictor, std::span<const double>(x.values64),
                                             x.rows, options.raw, threads));
  out.encode = std::move(encode);
  if (options.interval != 0) {
    KEEL_RETURN_IF_ERROR(AddIntervals(model, predictor, options.interval, &out));
  }
  return out;
}

Status AddIntervals(const Model& model, const Predictor& predictor, double level,
                    TablePredictions* p) {
  KEEL_ASSIGN_OR_RETURN(const double q, ConformalQuantile(predictor.conformal(), level));
  const size_t width = p->columns.size();
  if (model.task == Task::kRegression) {
    std::vector<double> values(p->rows * (width + 2));
    for (size_t r = 0; r < p->rows; ++r) {
      const double* in = p->values.data() + r * width;
      double* o = values.data() + r * (width + 2);
      std::copy(in, in + width, o);
      std::tie(o[width], o[width + 1]) = RegressionInterval(model, in, q);
    }
    p->values = std::move(values);
    p->columns.push_back("lower");
    p->columns.push_back("upper");
    return Status::OK();
  }
  // Binary rows hold prob_<classes[0]>, prob_<classes[1]>: the predictor's output is the second.
  const size_t first = model.task == Task::kBinary ? 1 : 0;
  p->sets.resize(p->rows);
  for (size_t r = 0; r < p->rows; ++r) {
    p->sets[r] = PredictionSet(model, p->values.data() + r * width + first, q);
  }
  return Status::OK();
}

size_t PredictionWidth(const Model& model, bool raw) {
  const auto k = static_cast<size_t>(model.num_outputs);
  switch (model.task) {
    case Task::kBinary:
      return raw ? 3 : 2;
    case Task::kMulticlass:
      return raw ? 2 * k : k;
    case Task::kRegression:
      return raw ? 2 * k : k;  // k > 1 for several quantiles
  }
  return 0;
}

namespace {

// Rows of floats (a float32 model's inputs) or doubles (a float64 model's,
// FeatureMatrix::values64).
template <typename T>
Status PredictRowsInto(const Model& model, const Predictor& predictor, std::span<const T> x,
                       size_t rows, bool raw, int threads, std::span<double> out) {
  if (predictor.num_outputs() != model.num_outputs ||
      predictor.num_features() != model.features.size()) {
    return Status::InvalidArgument("the predictor was not compiled from this model");
  }
  const size_t width = PredictionWidth(model, raw);
  if (out.size() != rows * width) {
    return Status::InvalidArgument("output has room for {} values; {} rows x {} columns need {}",
                                   out.size(), rows, width, rows * width);
  }
  const size_t k = static_cast<size_t>(predictor.num_outputs());
  std::vector<double> margins(rows * k);
  KEEL_RETURN_IF_ERROR(predictor.PredictBatch(x, rows, margins, /*raw=*/true, threads));
  for (size_t r = 0; r < rows; ++r) {
    MarginsToOutputRow(model, predictor, margins.data() + r * k, raw, out.data() + r * width);
  }
  return Status::OK();
}

template <typename T>
Result<TablePredictions> PredictRows(const Model& model, const Predictor& predictor,
                                     std::span<const T> x, size_t rows, bool raw, int threads) {
  TablePredictions out;
  out.columns = PredictionColumns(model, raw);
  out.rows = rows;
  out.values.resize(rows * out.columns.size());
  KEEL_RETURN_IF_ERROR(PredictRowsInto(model, predictor, x, rows, raw, threads, out.values));
  return out;
}

}  // namespace

Result<TablePredictions> PredictEncoded(const Model& model, const Predictor& predictor,
                                        std::span<const float> x, size_t rows, bool raw,
                                        int threads) {
  return PredictRows(model, predictor, x, rows, raw, threads);
}

Result<TablePredictions> PredictEncoded(const Model& model, const Predictor& predictor,
                                        std::span<const double> x, size_t rows, bool raw,
                                        int threads) {
  return PredictRows(model, predictor, x, rows, raw, threads);
}

Status PredictEncodedInto(const Model& model, const Predictor& predictor, std::span<const float> x,
                          size_t rows, bool raw, int threads, std::span<double> out) {
  return PredictRowsInto(model, predictor, x, rows, raw, threads, out);
}

Status PredictEncodedInto(const Model& model, const Predictor& predictor, std::span<const double> x,
                          size_t rows, bool raw, int threads, std::span<double> out) {
  return PredictRowsInto(model, predictor, x, rows, raw, threads, out);
}

void MarginsToOutputRow(const Model& model, const Predictor& predictor, const double* margins,
                        bool raw, double* out) {
  const auto k = static_cast<size_t>(model.num_outputs);
  switch (model.task) {
    case Task::kBinary: {
      double p = 0;
      predictor.Finalize(margins, &p);
      out[0] = 1.0 - p;
      out[1] = p;
      if (raw) out[2] = margins[0];
      break;
    }
    case Task::kMulticlass:
      predictor.Finalize(margins, out);
      if (raw) std::copy(margins, margins + k, out + k);
      break;
    case Task::kRegression:
      predictor.Finalize(margins, out);
      if (raw) std::copy(margins, margins + k, out + k);
      break;
  }
}

std::string PredictionsToCsv(const TablePredictions& predictions, const Table& table,
                             const std::string& id_column,
                             const std::vector<uint64_t>& rejected_lines) {
  const Column* id = id_column.empty() ? nullptr : table.Find(id_column);
  const size_t width = predictions.columns.size();
  std::string out;
  out.reserve((predictions.rows + rejected_lines.size() + 1) * (width * 20 + 16));
  bool first = true;
  if (id != nullptr) {
    AppendCsvField(&out, id->name());
    first = false;
  }
  const bool sets = !predictions.sets.empty();
  for (const auto& c : predictions.columns) {
    if (!first) out.push_back(',');
    AppendCsvField(&out, c);
    first = false;
  }
  if (sets) {
    if (!first) out.push_back(',');
    AppendCsvField(&out, "set");
  }
  out.push_back('\n');

  const auto& lines = table.source_lines();
  const bool place_rejects = lines.size() == predictions.rows;
  std::vector<uint64_t> rejected = rejected_lines;
  std::sort(rejected.begin(), rejected.end());
  size_t next_reject = 0;
  auto empty_line = [&] {
    const size_t cells = width + (id != nullptr ? 1 : 0) + (sets ? 1 : 0);
    out.append(cells > 0 ? cells - 1 : 0, ',');
    out.push_back('\n');
  };
  for (size_t r = 0; r < predictions.rows; ++r) {
    if (place_rejects) {
      while (next_reject < rejected.size() && rejected[next_reject] < lines[r]) {
        empty_line();
        ++next_reject;
      }
    }
    bool lead = true;
    if (id != nullptr) {
      if (!id->IsMissing(r)) AppendCsvField(&out, id->CellText(r));
      lead = false;
    }
    const double* v = predictions.values.data() + r * width;
    for (size_t c = 0; c < width; ++c) {
      if (!lead) out.push_back(',');
      lead = false;
      if (std::isfinite(v[c])) AppendDouble(&out, v[c]);
    }
    if (sets) {
      if (!lead) out.push_back(',');
      AppendCsvField(&out, predictions.sets[r]);
    }
    out.push_back('\n');
  }
  if (place_rejects) {
    for (; next_reject < rejected.size(); ++next_reject) empty_line();
  }
  return out;
}

}  // namespace keel
