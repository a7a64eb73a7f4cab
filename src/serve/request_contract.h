// The request contract of a served model, and what a reload would change in it.
//
// Clients are written against what a model accepts and answers: the fields a request may
// send (the features, with the kind each is read as and the categories it knows, and the
// other columns of the training schema), the task, the classes the answer's prob_<class> and
// label carry, the target, and the id column the answer echoes. A hot reload that changes
// any of that turns every existing client's requests into 400s or changes what their answers
// mean, so the server refuses it (409) unless told to accept such changes
// (keel serve --allow-contract-change). Compatible changes are not differences: new
// categories of a feature (requests that were valid stay valid and mean the same), new
// schema columns that are not features, and anything inside the model (trees, weights).
//
// Differences, by kind (name = the feature or field; from/to as JSON):
//   task_changed          from/to: "binary", "multiclass", "regression"
//   classes_changed       from/to: the class names, in answer order
//   target_changed        from/to: the target column's name
//   id_column_changed     from/to: the schema's id column ("" = none)
//   feature_added         name; to: its kind (old clients do not send it: it would be missing)
//   feature_removed       name; from: its kind (the value is no longer used)
//   feature_kind_changed  name; from/to: "numeric", "boolean", "timestamp", "categorical",
//                         "categorical codes" (an imported model's integer codes)
//   categories_removed    name; from: the categories no longer known (read as missing)
//   field_removed         name: a schema column requests could send that is no longer
//                         accepted (strict mode answers 400 for it)
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "serve/served_model.h"

namespace keel::serve {

struct ContractChange {
  std::string kind;
  std::string name;  // the feature or field; empty for model-level changes
  nlohmann::json from;
  nlohmann::json to;
};

// What `candidate` changes in the request contract of `serving` (empty = none), in a stable
// order: model-level changes first, then features in the old model's order, then added
// features in the new model's order, then removed fields.
std::vector<ContractChange> CompareRequestContract(const ServedModel& serving,
                                                   const ServedModel& candidate);

// One line for people: "feature 'plan' removed; task binary -> regression".
std::string DescribeContractChanges(const std::vector<ContractChange>& changes);

// [{"kind": ..., "name": ..., "from": ..., "to": ...}, ...] (name/from/to only when set).
nlohmann::json ContractChangesJson(const std::vector<ContractChange>& changes);

}  // namespace keel::serve
