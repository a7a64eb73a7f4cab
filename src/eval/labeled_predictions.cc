#include "eval/labeled_predictions.h"

#include <cmath>

#include "core/nearest_name.h"
#include "core/number_format.h"
#include "data/label_mapping.h"
#include "data/schema.h"
#include "model/quantile_outputs.h"

namespace keel {
namespace {

std::string QuotedList(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += "'" + names[i] + "'";
  }
  return out;
}

}  // namespace

Result<LabeledRows> ReadLabels(const Model& model, const Table& table) {
  if (HasQuantileOutputs(model)) {
    return Status::Unsupported(
        "a model of several quantiles cannot be evaluated or compared yet: `keel train` reports "
        "its pinball loss and coverage per level, and `keel predict --interval` its intervals");
  }
  if (model.target.empty()) {
    return Status::InvalidArgument("the model does not name its target column");
  }
  const Column* target = table.Find(model.target);
  if (target == nullptr) {
    return Status::NotFound(
        "the data has no column '{}' (the model's target): evaluation "
        "needs the true labels{}",
        model.target, DidYouMean(model.target, table.columns(), &Column::name));
  }
  LabeledRows out;
  out.task = model.task;
  const size_t n = table.num_rows();
  if (model.task == Task::kRegression) {
    if (target->kind() != ColumnKind::kNumeric && target->kind() != ColumnKind::kBoolean) {
      return Status::InvalidArgument("target column '{}' is {}: a regression model needs numbers",
                                     model.target, ColumnKindName(target->kind()));
    }
    for (size_t r = 0; r < n; ++r) {
      const double y = target->AsDouble(r);
      if (std::isnan(y)) {
        ++out.rows_missing_label;
        continue;
      }
      if (!std::isfinite(y)) {
        return Status::InvalidArgument("line {}: target '{}' is {}, not a finite number",
                                       table.SourceLine(r), model.target, FormatDouble(y));
      }
      out.rows.push_back(static_cast<uint32_t>(r));
      out.targets.push_back(y);
    }
  } else {
    if (model.labels.classes.size() < 2) {
      return Status::InvalidArgument("the {} model has {} classes in its label mapping",
                                     TaskName(model.task), model.labels.classes.size());
    }
    out.num_classes = static_cast<int32_t>(model.labels.classes.size());
    LabelReport report;
    const std::vector<int32_t> classes = MapLabels(model.labels, *target, &report);
    for (size_t r = 0; r < n; ++r) {
      if (classes[r] >= 0) {
        out.rows.push_back(static_cast<uint32_t>(r));
        out.labels.push_back(classes[r]);
      } else if (target->IsMissing(r)) {
        ++out.rows_missing_label;
      } else {
        return Status::InvalidArgument(
            "line {}: label '{}' in column '{}' is not one of the model's classes ({}); "
            "{} rows have labels the model does not know",
            table.SourceLine(r), target->CellText(r), model.target,
            QuotedList(model.labels.classes), report.unseen_rows);
      }
    }
  }
  if (out.rows.empty()) {
    return Status::FailedPrecondition("no row of the data has a value in the target column '{}'",
                                      model.target);
  }
  const std::string weight_name = model.schema.FirstWithRole(Role::kWeight);
  const Column* weight = weight_name.empty() ? nullptr : table.Find(weight_name);
  if (weight != nullptr) {
    out.weight_column = weight_name;
    out.weights.reserve(out.rows.size());
    for (uint32_t r : out.rows) {
      const double w = weight->AsDouble(r);
      if (!std::isfinite(w) || w < 0 || weight->kind() == ColumnKind::kCategorical ||
          weight->kind() == ColumnKind::kString) {
        return Status::InvalidArgument(
            "line {}: weight '{}' is '{}', not a finite non-negative number",
            table.SourceLine(r), weight_name, weight->CellText(r));
      }
      out.weights.push_back(w);
    }
  }
  return out;
}

ScoredRows LabeledPredictions::view() const {
  ScoredRows v;
  v.task = truth->task;
  v.num_classes = truth->num_classes;
  v.labels = truth->labels;
  v.targets = truth->targets;
  v.predictions = predictions;
  v.weights = truth->weights;
  return v;
}

Result<LabeledPredictions> PredictLabeled(const Predictor& predictor,
                                          const FeatureMatrix& features,
                                          const LabeledRows& truth, int threads) {
  if (predictor.task() != truth.task) {
    return Status::InvalidArgument("the predictor is a {} model but the labels are for a {} model",
                                   TaskName(predictor.task()), TaskName(truth.task));
  }
  const size_t k = static_cast<size_t>(predictor.num_outputs());
  if (truth.task == Task::kMulticlass && static_cast<int32_t>(k) != truth.num_classes) {
    return Status::InvalidArgument("the model has {} outputs for {} classes", k,
                                   truth.num_classes);
  }
  std::vector<double> all(features.rows * k);
  KEEL_RETURN_IF_ERROR(predictor.PredictBatch(features, all, /*raw=*/false, threads));
  LabeledPredictions out;
  out.truth = &truth;
  out.predictions.resize(truth.rows.size() * k);
  for (size_t j = 0; j < truth.rows.size(); ++j) {
    const size_t r = truth.rows[j];
    if (r >= features.rows) {
      return Status::InvalidArgument("labeled row {} is beyond the {} rows of the features", r,
                                     features.rows);
    }
    for (size_t c = 0; c < k; ++c) out.predictions[j * k + c] = all[r * k + c];
  }
  return out;
}

}  // namespace keel
