// What every Keel fuzz target does with a model that loaded: compile it, predict a few
// rows, and check that saving and loading it again gives the same bytes. Any crash,
// sanitizer report or failed check (abort) is a finding.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

#include "model/model_io.h"
#include "model/model_summary.h"
#include "predict/predictor.h"

namespace keel::fuzz {

inline void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz check failed: %s\n", what);
    std::abort();
  }
}

inline void ExerciseModel(const Model& model) {
  Require(ValidateModel(model).ok(), "a loaded model passes ValidateModel");
  auto predictor = Predictor::Create(model);
  if (!predictor.ok()) return;  // e.g. too large to compile: an error, not a crash
  const size_t n = model.features.size();
  const size_t k = static_cast<size_t>(model.num_outputs);
  // Rows of NaN, zeros, and large/odd values reach every kind of split.
  const float fill[] = {std::numeric_limits<float>::quiet_NaN(), 0.0f, -1.5f, 3.0f, 1e30f};
  std::vector<float> rows;
  for (float v : fill) rows.insert(rows.end(), n, v);
  const size_t num_rows = std::size(fill);
  std::vector<double> batch(num_rows * k), single(k);
  Require((*predictor)->PredictBatch(rows, num_rows, batch, true, 1).ok(), "batch prediction");
  for (size_t r = 0; r < num_rows; ++r) {
    (*predictor)->PredictRawRow(rows.data() + r * n, single.data());
    for (size_t o = 0; o < k; ++o) {
      Require(
          single[o] == batch[r * k + o] || (std::isnan(single[o]) && std::isnan(batch[r * k + o])),
          "single-row and batch margins agree");
    }
  }
  (void)ModelSummaryJson(model, nullptr);
  const std::string bytes = SerializeModel(model);
  auto again = DeserializeModel(bytes, "round trip");
  Require(again.ok(), "a valid model reloads");
  Require(SerializeModel(*again) == bytes, "save/load/save is stable");
}

}  // namespace keel::fuzz
