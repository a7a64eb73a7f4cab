// Profiles of a model's data: the training reference stored in the artifact, and profiles of
// new data in the same layout.
//
// The layout of a model profile (in order):
//   one column per model feature (Model::features order, same names): numeric features
//     numeric, categorical features categorical (tracked categories = the training data's
//     most frequent texts, up to LayoutOptions::max_categories);
//   the prediction, when predictions are given:
//     binary      numeric "prob_<positive class>" (P(classes[1]))
//     regression  numeric "prediction"
//     multiclass  categorical "predicted_class" (the argmax class name)
//   the label, when the data has the target column: categorical over the class names
//     (classification) or numeric (regression);
//   groups for every schema column with role sensitive that the data has (binary and
//     regression models with predictions only): categories, or quartile bins of a numeric
//     attribute.
//
// Predictions are passed row-major, PredictionWidth(model) values per row: P(classes[1]) for
// binary, the value for regression (one per level for a model of several quantiles, of which
// the profile follows the first), the class probabilities for multiclass (what
// Predictor::PredictBatch returns with raw = false).
#pragma once

#include <memory>
#include <span>
#include <string>

#include "core/context.h"
#include "drift/profile.h"
#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"

namespace keel::drift {

// The key of the training profile in Model::sections.
inline constexpr const char* kProfileSection = "profile";

struct ReferenceProfileOptions {
  LayoutOptions layout;
  // Predictions >= this count as selected in the per-group (fairness) statistics.
  double selection_threshold = 0.5;
};

// Values per row in a predictions array for `model` (1, or the class count for multiclass).
size_t PredictionWidth(const Model& model);
// Name of the profile's prediction column ("prob_<positive>", "prediction", "predicted_class").
std::string PredictionColumnName(const Model& model);

// The training profile of `model`, built in one pass over `data` (rows `rows`, or every row
// when `rows` is empty) with `predictions` for those rows (empty = no prediction column;
// otherwise rows * PredictionWidth(model) values). The trainer calls it when saving a model
// and stores the result with
//   model.sections[kProfileSection] = profile.ToJson();
// Building is parallel (the Context's threads) over fixed chunks of rows merged in order, so
// the result does not depend on the thread count. Errors: NotFound naming a feature column the data
// lacks; InvalidArgument when predictions or rows do not match.
Result<Profile> BuildReferenceProfile(const Model& model, const Table& data,
                                      std::span<const uint32_t> rows,
                                      std::span<const double> predictions,
                                      const ReferenceProfileOptions& options, const Context& ctx);

// BuildReferenceProfile, then stores it in model->sections[kProfileSection].
Status AttachReferenceProfile(Model* model, const Table& data, std::span<const uint32_t> rows,
                              std::span<const double> predictions,
                              const ReferenceProfileOptions& options, const Context& ctx);

// The training profile stored in `model`. Errors: NotFound when the model has none (trained
// before profiles existed, or imported); Corrupt when it does not parse or does not match the
// model's features.
Result<Profile> LoadReferenceProfile(const Model& model);

// A profile of new data in `layout` (a model profile's layout): feature columns matched by
// name (a feature the data lacks counts as missing in every row and is listed in
// `*absent` when given), the label from the model's target column when present, groups from
// the sensitive columns, predictions as for BuildReferenceProfile. Parallel like it.
Result<Profile> ProfileTable(std::shared_ptr<const ProfileLayout> layout, const Model& model,
                             const Table& data, std::span<const double> predictions,
                             const Context& ctx, std::vector<std::string>* absent = nullptr);

}  // namespace keel::drift
