// Import of XGBoost models saved as JSON (Booster.save_model("m.json"), XGBoost 1.x/2.x).
//
// Supported: gbtree (and dart, with its tree weights) boosters with objectives
// binary:logistic / binary:logitraw (-> binary:logistic), multi:softprob / multi:softmax
// (-> multi:softmax, i.e. class probabilities), reg:squarederror, reg:absoluteerror,
// reg:pseudohubererror (-> reg:huber), and the regressions with a link: reg:logistic
// (sigmoid), count:poisson, reg:gamma, reg:tweedie (exp); numeric splits (x < split_condition
// in float32, missing per default_left) and categorical splits (the listed categories go
// right, as in XGBoost). base_score (in prediction units) becomes the base margin through the
// objective's inverse link, as XGBoost's ProbToMargin: logit for binary:logistic and
// reg:logistic, log for the log-link objectives, identity otherwise; a base_score outside the
// link's domain is Corrupt.
// The model's features take XGBoost's inputs: categorical features take integer codes.
//
// XGBoost writes NaN and Infinity as bare words, which are not JSON; they are accepted.
// Errors: ParseError for malformed JSON, Unsupported for other boosters/objectives, Corrupt
// for inconsistent arrays; messages name the source and the tree/node.
#pragma once

#include <string>
#include <string_view>

#include "keel/status.h"
#include "model/imported_model.h"
#include "model/model.h"

namespace keel {

Result<Model> ImportXGBoostJson(std::string_view text, std::string_view source_name,
                                const ImportOptions& options = {});

Result<Model> ImportXGBoostFile(const std::string& path, const ImportOptions& options = {});

}  // namespace keel
