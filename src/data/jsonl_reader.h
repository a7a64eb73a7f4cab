// JSON Lines reading (simdjson): one JSON object per line, into the same Table as CSV.
//
// Columns are the union of the objects' keys, in order of first appearance. Values map to
// cells as CSV text would: strings are texts (so "42" may be a number, "NA" missing, exactly
// as a quoted CSV field), numbers are numbers, true/false booleans, null and absent keys
// missing, and nested arrays/objects their minified JSON text. A line that is not a JSON
// object, or not UTF-8, is a rejected record; empty lines are skipped. A repeated key in one
// object: the last value wins. Line numbers are physical lines (the first record is line 1).
#pragma once

#include <string_view>

#include "data/ingest.h"

namespace keel {

// Reads JSON Lines `data` (named `source` in messages) on ctx.threads() threads.
Result<IngestResult> ReadJsonLines(std::string_view data, std::string_view source,
                                   const ReadOptions& options, const Context& ctx);

}  // namespace keel
