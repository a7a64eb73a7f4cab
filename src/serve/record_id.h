// The record id: what joins a logged prediction to the outcome fed back for it later
// (feedback.h). It is the value of the schema's `id` column as text (a JSON string's
// content, a number's JSON text); when the model's schema has no id column but a pii column,
// it is that column's pseudonym (the row's subject, HMAC-SHA256 under KEEL_PII_KEY; none
// without a key), so labels keyed by a pii value are pseudonymized by the same rule before
// the join.
#pragma once

#include <string>
#include <string_view>

#include "serve/served_model.h"

namespace keel::serve {

// Whether `model` keys its logged rows by the pii subject's pseudonym: its schema has no id
// column but has a pii column.
bool RecordIdIsPseudonym(const ServedModel& model);

// Sets `out` to the text of an id given as raw JSON (`"c-17"` -> c-17, `17` -> 17; escapes
// decoded). "" stays "". Returns false for raw text that is not a JSON string or number.
bool RecordIdText(std::string_view raw_json, std::string* out);

}  // namespace keel::serve
