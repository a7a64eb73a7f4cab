#include "core/json_number.h"
#include "drift/delayed_labels.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "core/nearest_name.h"
#include "drift/column_values.h"
#include "predict/table_prediction.h"

namespace keel::drift {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}


nlohmann::json TimeJson(int64_t micros) {
  return micros == kMissingTime ? nlohmann::json() : nlohmann::json(FormatTimestamp(micros));
}

nlohmann::json PerfJson(const BinaryPerformance& m) {
  return {{"rows", m.rows},         {"roc_auc", JsonNumber(m.roc_auc)},     {"accuracy", JsonNumber(m.accuracy)},
          {"precision", JsonNumber(m.precision)}, {"recall", JsonNumber(m.recall)}, {"f1", JsonNumber(m.f1)},
          {"positive_rate", JsonNumber(m.positive_rate)}};
}

// Event time of a log row in micros: timestamp columns as they are, numbers as epoch
// seconds, texts parsed as numbers of seconds; kMissingTime otherwise.
int64_t RowTime(const Column& c, size_t r) {
  if (c.IsMissing(r)) return kMissingTime;
  if (c.kind() == ColumnKind::kTimestamp) return c.timestamps()[r];
  const double v = c.kind() == ColumnKind::kNumeric ? c.numeric()[r] : ParseNumberText(c.CellText(r));
  return std::isfinite(v) ? static_cast<int64_t>(std::llround(v * 1e6)) : kMissingTime;
}

}  // namespace

MonitorSetup MonitorSetupForModel(const Model& model) {
  MonitorSetup s;
  s.task = model.task;
  s.classes = model.labels.classes;
  s.labels = model.labels;
  s.id_column = model.schema.FirstWithRole(Role::kId);
  s.label_column = model.target;
  s.time_column = model.schema.FirstWithRole(Role::kTime);
  s.score_columns = PredictionColumns(model, false);
  auto it = model.sections.find("metrics");
  if (it != model.sections.end() && it->second.is_object()) {
    for (const char* split : {"test", "valid", "train"}) {
      const auto& m = it->second;
      if (!m.contains(split) || !m[split].is_object()) continue;
      nlohmann::json ref = {{"split", split}};
      for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
               {"auc", "roc_auc"}, {"roc_auc", "roc_auc"}, {"accuracy", "accuracy"},
               {"logloss", "logloss"}, {"rmse", "rmse"}, {"mae", "mae"}, {"rows", "rows"}}) {
        if (m[split].contains(from) && m[split][from].is_number()) ref[to] = m[split][from];
      }
      s.reference = std::move(ref);
      break;
    }
  }
  return s;
}

Result<MonitorReport> MonitorPerformance(const Table& log, const Table& labels,
                                         const MonitorSetup& setup, const MonitorOptions& options) {
  if (!options.by_time && options.window_rows == 0) {
    return Status::InvalidArgument("the window must hold at least one row");
  }
  if (options.by_time && options.window_micros <= 0) {
    return Status::InvalidArgument("the time window must be positive");
  }
  if (!(options.threshold > 0 && options.threshold < 1)) {
    return Status::InvalidArgument("the threshold must be in (0, 1), got {}", options.threshold);
  }
  if (setup.id_column.empty()) {
    return Status::InvalidArgument("no id column to join labels to predictions: the model's "
                                   "schema has no id-role column; name it with --id");
  }
  auto need = [](const Table& t, const std::string& name,
                 const char* what) -> Result<const Column*> {
    const Column* c = t.Find(name);
    if (c == nullptr) {
      return Status::NotFound("the {} has no column '{}'{}", what, name,
                              DidYouMean(name, t.columns(), &Column::name));
    }
    return c;
  };
  KEEL_ASSIGN_OR_RETURN(const Column* log_id, need(log, setup.id_column, "prediction log"));
  KEEL_ASSIGN_OR_RETURN(const Column* lab_id, need(labels, setup.id_column, "labels file"));
  KEEL_ASSIGN_OR_RETURN(const Column* lab_y, need(labels, setup.label_column, "labels file"));
  std::vector<const Column*> scores;
  for (const std::string& c : setup.score_columns) {
    KEEL_ASSIGN_OR_RETURN(const Column* col, need(log, c, "prediction log"));
    scores.push_back(col);
  }
  if (scores.empty()) return Status::InvalidArgument("no prediction columns to monitor");
  const Column* log_time = nullptr;
  if (options.by_time) {
    if (setup.time_column.empty()) {
      return Status::InvalidArgument("time windows need a time column: the model's schema has no "
                                     "time-role column; name it with --time");
    }
    KEEL_ASSIGN_OR_RETURN(log_time, need(log, setup.time_column, "prediction log"));
  } else if (!setup.time_column.empty()) {
    log_time = log.Find(setup.time_column);
  }

  MonitorReport rep;
  rep.setup = setup;
  rep.options = options;
  rep.log_rows = log.num_rows();
  rep.label_rows = labels.num_rows();

  // Labels by id (the last row of an id wins): class index, or the value for regression.
  const bool regression = setup.task == Task::kRegression;
  std::unordered_map<std::string, double> label_of;
  for (size_t r = 0; r < labels.num_rows(); ++r) {
    if (lab_id->IsMissing(r) || lab_y->IsMissing(r)) continue;
    const std::string text = lab_y->CellText(r);
    double y = kNaN;
    if (regression) {
      y = lab_y->kind() == ColumnKind::kNumeric ? lab_y->numeric()[r] : ParseNumberText(text);
    } else {
      int32_t k = setup.labels.ClassOf(text);
      if (k < 0) {
        for (size_t c = 0; c < setup.classes.size(); ++c) {
          if (setup.classes[c] == text) k = static_cast<int32_t>(c);
        }
      }
      if (k >= 0) y = k;
    }
    if (std::isnan(y)) {
      ++rep.unmapped_labels;
      continue;
    }
    if (!label_of.insert_or_assign(lab_id->CellText(r), y).second) ++rep.duplicate_label_ids;
  }

  // Log rows: label (NaN = none yet) and window key.
  const size_t n = log.num_rows();
  std::vector<double> y(n, kNaN);
  std::unordered_map<std::string, uint8_t> seen;
  for (size_t r = 0; r < n; ++r) {
    if (log_id->IsMissing(r)) {
      ++rep.log_rows_without_id;
      continue;
    }
    std::string id = log_id->CellText(r);
    if (auto it = label_of.find(id); it != label_of.end()) {
      y[r] = it->second;
      ++rep.matched;
    }
    seen.emplace(std::move(id), 1);
  }
  for (const auto& [id, v] : label_of) {
    if (!seen.count(id)) ++rep.labels_without_prediction;
  }

  std::map<int64_t, std::vector<uint32_t>> windows;
  for (size_t r = 0; r < n; ++r) {
    int64_t key = 0;
    if (options.by_time) {
      const int64_t t = RowTime(*log_time, r);
      if (t == kMissingTime) continue;
      key = FloorDiv(t, options.window_micros);
    } else {
      key = static_cast<int64_t>(r / options.window_rows);
    }
    windows[key].push_back(static_cast<uint32_t>(r));
  }

  const size_t k = scores.size();
  const std::string metric = regression ? "rmse" : (setup.task == Task::kBinary ? "roc_auc" : "accuracy");
  double reference = kNaN;
  if (setup.reference.is_object() && setup.reference.contains(metric)) {
    reference = setup.reference[metric].get<double>();
  }
  uint64_t index = 0;
  for (const auto& [key, rows] : windows) {
    MonitorWindow w;
    w.index = index++;
    w.rows = rows.size();
    w.first_row = rows.front() + 1;
    w.last_row = rows.back() + 1;
    if (options.by_time) {
      w.start_time = key * options.window_micros;
      w.end_time = (key + 1) * options.window_micros;
    } else if (log_time != nullptr) {
      for (uint32_t r : rows) {
        const int64_t t = RowTime(*log_time, r);
        if (t == kMissingTime) continue;
        if (w.start_time == kMissingTime || t < w.start_time) w.start_time = t;
        if (w.end_time == kMissingTime || t > w.end_time) w.end_time = t;
      }
    }
    w.metric = metric;
    w.reference = reference;
    for (uint32_t r : rows) w.labeled += std::isnan(y[r]) ? 0 : 1;
    if (setup.task == Task::kBinary) {
      const Column* pos = scores[k >= 2 ? 1 : 0];
      std::vector<double> p_all, p_lab;
      std::vector<int8_t> y_lab;
      for (uint32_t r : rows) {
        const double p = pos->AsDouble(r);
        p_all.push_back(p);
        if (!std::isnan(y[r])) {
          p_lab.push_back(p);
          y_lab.push_back(static_cast<int8_t>(y[r]));
        }
      }
      w.estimated = EstimateBinaryPerformance(p_all, options.threshold);
      w.realized = RealizedBinaryPerformance(p_lab, y_lab, options.threshold);
      w.calibration_error = ExpectedCalibrationError(p_lab, y_lab);
      const bool judge_realized = w.labeled >= options.min_labels && std::isfinite(w.realized.roc_auc);
      w.basis = judge_realized ? "realized" : "estimated";
      w.value = judge_realized ? w.realized.roc_auc : w.estimated.roc_auc;
    } else if (setup.task == Task::kMulticlass) {
      std::vector<double> probs, probs_lab;
      std::vector<int32_t> y_lab;
      for (uint32_t r : rows) {
        for (size_t c = 0; c < k; ++c) probs.push_back(scores[c]->AsDouble(r));
        if (!std::isnan(y[r])) {
          for (size_t c = 0; c < k; ++c) probs_lab.push_back(scores[c]->AsDouble(r));
          y_lab.push_back(static_cast<int32_t>(y[r]));
        }
      }
      w.estimated_accuracy = EstimateMulticlassAccuracy(probs, k);
      w.realized_accuracy = RealizedMulticlassAccuracy(probs_lab, k, y_lab);
      const bool judge_realized = w.labeled >= options.min_labels;
      w.basis = judge_realized ? "realized" : "estimated";
      w.value = judge_realized ? w.realized_accuracy : w.estimated_accuracy;
    } else {
      double se = 0, ae = 0, m = 0;
      for (uint32_t r : rows) {
        const double pred = scores[0]->AsDouble(r);
        if (std::isnan(y[r]) || std::isnan(pred)) continue;
        se += (pred - y[r]) * (pred - y[r]);
        ae += std::fabs(pred - y[r]);
        m += 1;
      }
      if (m > 0) {
        w.rmse = std::sqrt(se / m);
        w.mae = ae / m;
      }
      // No label-free estimate for regression: judged only once labels arrive.
      w.basis = w.labeled >= options.min_labels ? "realized" : "none";
      w.value = w.basis == "realized" ? w.rmse : kNaN;
    }
    if (std::isfinite(w.value) && std::isfinite(w.reference)) {
      w.degraded = regression ? w.value > w.reference * (1 + options.tolerance)
                              : w.value < w.reference - options.tolerance;
    }
    rep.windows.push_back(std::move(w));
  }
  return rep;
}

nlohmann::json MonitorReportToJson(const MonitorReport& r) {
  nlohmann::json windows = nlohmann::json::array();
  for (const MonitorWindow& w : r.windows) {
    nlohmann::json j = {{"index", w.index},
                        {"first_row", w.first_row},
                        {"last_row", w.last_row},
                        {"rows", w.rows},
                        {"labeled", w.labeled},
                        {"label_coverage", w.rows ? static_cast<double>(w.labeled) / w.rows : 0.0},
                        {"start_time", TimeJson(w.start_time)},
                        {"end_time", TimeJson(w.end_time)},
                        {"metric", w.metric},
                        {"basis", w.basis},
                        {"is_estimate", w.basis == "estimated"},
                        {"value", JsonNumber(w.value)},
                        {"reference", JsonNumber(w.reference)},
                        {"degraded", w.degraded}};
    if (r.setup.task == Task::kBinary) {
      j["estimated"] = PerfJson(w.estimated);
      j["realized"] = w.labeled > 0 ? PerfJson(w.realized) : nlohmann::json();
      j["calibration_error"] = JsonNumber(w.calibration_error);
    } else if (r.setup.task == Task::kMulticlass) {
      j["estimated"] = {{"accuracy", JsonNumber(w.estimated_accuracy)}};
      j["realized"] = w.labeled > 0 ? nlohmann::json{{"accuracy", JsonNumber(w.realized_accuracy)}}
                                    : nlohmann::json();
    } else {
      j["realized"] = w.labeled > 0 ? nlohmann::json{{"rmse", JsonNumber(w.rmse)}, {"mae", JsonNumber(w.mae)}}
                                    : nlohmann::json();
    }
    windows.push_back(std::move(j));
  }
  uint64_t degraded = 0;
  for (const MonitorWindow& w : r.windows) degraded += w.degraded ? 1 : 0;
  return {{"windows", std::move(windows)},
          {"degraded_windows", degraded},
          {"reference", r.setup.reference},
          {"estimation",
           "CBPE: windows whose basis is \"estimated\" are estimates from the predicted "
           "probabilities alone, assuming they are calibrated; not measured performance"},
          {"threshold", r.options.threshold},
          {"tolerance", r.options.tolerance},
          {"min_labels", r.options.min_labels},
          {"join",
           {{"log_rows", r.log_rows},
            {"label_rows", r.label_rows},
            {"matched", r.matched},
            {"labels_without_prediction", r.labels_without_prediction},
            {"duplicate_label_ids", r.duplicate_label_ids},
            {"unmapped_labels", r.unmapped_labels},
            {"log_rows_without_id", r.log_rows_without_id}}}};
}

}  // namespace keel::drift
