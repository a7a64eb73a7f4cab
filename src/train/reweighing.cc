#include "train/reweighing.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "train/target.h"

namespace keel {

Result<std::vector<double>> ComputeReweighingWeights(std::span<const int32_t> labels,
                                                     std::span<const int32_t> groups) {
  if (labels.size() != groups.size()) {
    return Status::InvalidArgument("reweighing: {} labels but {} group codes", labels.size(),
                                   groups.size());
  }
  if (labels.empty()) return Status::InvalidArgument("reweighing: no rows");
  int32_t max_label = 0, max_group = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || groups[i] < 0) {
      return Status::InvalidArgument("reweighing: row {} has label {} and group {}; both must be "
                                     ">= 0",
                                     i, labels[i], groups[i]);
    }
    max_label = std::max(max_label, labels[i]);
    max_group = std::max(max_group, groups[i]);
  }
  const size_t nl = static_cast<size_t>(max_label) + 1;
  const size_t ng = static_cast<size_t>(max_group) + 1;
  // Cell counts; a sparse map would only matter for huge code ranges, which callers do not make
  // (codes index their group and class lists).
  std::vector<double> cell(nl * ng, 0), by_label(nl, 0), by_group(ng, 0);
  for (size_t i = 0; i < labels.size(); ++i) {
    const size_t y = static_cast<size_t>(labels[i]);
    const size_t g = static_cast<size_t>(groups[i]);
    cell[g * nl + y] += 1;
    by_label[y] += 1;
    by_group[g] += 1;
  }
  const double n = static_cast<double>(labels.size());
  std::vector<double> w(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    const size_t y = static_cast<size_t>(labels[i]);
    const size_t g = static_cast<size_t>(groups[i]);
    w[i] = by_group[g] * by_label[y] / (n * cell[g * nl + y]);
  }
  return w;
}

Status AddReweighingWeights(std::span<const int32_t> groups, const Schema& schema, Table* table,
                            TrainOptions* options) {
  if (groups.size() != table->num_rows()) {
    return Status::InvalidArgument("reweighing: {} group codes for {} rows", groups.size(),
                                   table->num_rows());
  }
  if (table->Find(kReweighingColumn) != nullptr) {
    return Status::AlreadyExists("the data already has a column named '{}'", kReweighingColumn);
  }
  TargetOptions topt;
  topt.column = options->target;
  topt.task = options->params.task;
  topt.objective = options->params.objective;
  topt.positive = options->positive;
  KEEL_ASSIGN_OR_RETURN(TargetInfo target, ReadTarget(*table, schema, topt));
  if (target.task == Task::kRegression) {
    return Status::InvalidArgument(
        "reweighing balances classes across groups; target '{}' is a regression target",
        options->target);
  }
  std::vector<int32_t> labels, codes;
  for (uint32_t r : target.rows) {
    labels.push_back(static_cast<int32_t>(target.label[r]));
    codes.push_back(groups[r]);
  }
  KEEL_ASSIGN_OR_RETURN(std::vector<double> w, ComputeReweighingWeights(labels, codes));

  std::string weight_col = options->weight_column;
  if (weight_col.empty()) {
    const std::string named = schema.FirstWithRole(Role::kWeight);
    if (!named.empty() && table->Find(named) != nullptr) weight_col = named;
  }
  const Column* user = weight_col.empty() ? nullptr : table->Find(weight_col);
  if (!weight_col.empty() && user == nullptr) {
    return Status::NotFound("weight column '{}' is not in the data", weight_col);
  }
  std::vector<double> column(table->num_rows(), 1.0);
  for (size_t i = 0; i < target.rows.size(); ++i) {
    const uint32_t r = target.rows[i];
    double base = 1.0;
    if (user != nullptr) {
      base = user->AsDouble(r);
      if (!std::isfinite(base) || base < 0) {
        return Status::InvalidArgument(
            "weight column '{}' on line {} holds '{}': weights must be finite numbers >= 0",
            weight_col, table->SourceLine(r), user->CellText(r));
      }
    }
    column[r] = base * w[i];
  }
  KEEL_RETURN_IF_ERROR(table->AddColumn(Column::Numeric(kReweighingColumn, std::move(column))));
  options->weight_column = kReweighingColumn;
  return Status::OK();
}

}  // namespace keel
