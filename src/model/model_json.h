// JSON forms of the model's metadata: everything in a Model except the bulk tree arrays and
// linear weights (schema, features, label mapping, objective, outputs).
//
// Used by the .keel artifact (its META section) and by `keel inspect`. The decoders take
// untrusted JSON: every field is type-checked and a wrong or missing one is a Corrupt status
// naming the field, never an exception.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "data/label_mapping.h"
#include "data/schema.h"
#include "keel/status.h"
#include "model/model.h"

namespace keel {

nlohmann::json LabelMappingToJson(const LabelMapping& labels);
Status LabelMappingFromJson(const nlohmann::json& j, LabelMapping* labels);

nlohmann::json SchemaToJson(const Schema& schema);
Status SchemaFromJson(const nlohmann::json& j, Schema* schema);

nlohmann::json FeaturesToJson(const std::vector<FeatureSpec>& features);
Status FeaturesFromJson(const nlohmann::json& j, std::vector<FeatureSpec>* features);

// The metadata object of the META section: task, objective, kind, num_outputs, base_margin,
// target, labels, features, schema (see docs/model_format.md for the field list).
nlohmann::json ModelMetadataToJson(const Model& model);
// Fills the metadata fields of `model` from `j`; leaves forest, linear and sections alone.
Status ModelMetadataFromJson(const nlohmann::json& j, Model* model);

// Parses untrusted JSON text without exceptions. Refuses nesting deeper than `max_depth`
// (deep nesting would make later recursive walks of the value overflow the stack).
// `what` names the text in errors ("section 'lineage' of m.keel").
Result<nlohmann::json> ParseJsonText(std::string_view text, std::string_view what,
                                     int max_depth = 128);

}  // namespace keel
