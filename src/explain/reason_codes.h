// Reason codes: the features that pushed one row's score up and down the most, as data and as
// a plain sentence ("tenure = 2 raised the churn score the most (+0.41), ...").
//
// Built from one row of an Explainer's output. Only features the model uses are candidates,
// and only with a non-zero attribution; adverse-action notices typically list four.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "model/model.h"

namespace keel {

struct Reason {
  int32_t feature = -1;     // model feature index
  std::string name;         // the feature's (column's) name
  std::string value;        // the row's value as text (see FeatureValueTexts)
  double contribution = 0;  // attribution in raw margin units
};

struct ReasonCodes {
  int32_t output = 0;        // the output explained
  std::string score_name;    // what that output scores, e.g. "churn score"
  double bias = 0;           // expected raw margin of that output
  double margin = 0;         // the row's raw margin (bias + all attributions)
  std::vector<Reason> up;    // positive attributions, largest first
  std::vector<Reason> down;  // negative attributions, most negative first
  std::string sentence;
};

struct ReasonOptions {
  int top_k = 4;  // at most this many reasons each way (>= 1)
  // The output to explain; -1: output 0 for binary and regression, the row's highest-margin
  // class for multiclass.
  int output = -1;
};

// What output `output` of `model` scores, for sentences: regression "<target> prediction";
// binary "<positive class> score", or "<target> score" when the positive class is a generic
// yes/true/1; multiclass "<class> score". Falls back to "score" when names are unknown.
std::string ScoreName(const Model& model, int output);

// Reason codes of one row. `attributions` is the row's slice of an Explainer's output
// (num_outputs * (features + 1) values); `used` is Explainer::used_features(); value_text(f)
// gives the row's value of feature f as text. Ties are broken by feature order.
ReasonCodes ComputeReasonCodes(const Model& model, std::span<const double> attributions,
                               const std::vector<uint8_t>& used,
                               const std::function<std::string(int)>& value_text,
                               const ReasonOptions& options = {});

// The sentence for `reasons` (ComputeReasonCodes fills it): contributions are written with
// three significant digits, as people read them; the exact values are in the fields.
std::string ReasonSentence(const ReasonCodes& reasons);

}  // namespace keel
