// Schema <-> YAML: the editable schema file of `keel schema infer` and `--schema`.
//
//   version: 1
//   source: wa_churn.csv          # informational
//   rows: 7043                    # informational
//   columns:
//     - name: churn
//       kind: categorical         # numeric | categorical | boolean | timestamp | string
//       role: target              # feature | target | sensitive | pii | id | time | weight |
//       ignore categories: [No, Yes]     # allowed categories (others: new_category anomaly)
//       category_order: sorted    # sorted | listed | unknown: the meaning of the list's order
//                                 # to `keel import` (data/category_order.h)
//       labels:                   # target only: raw labels -> classes (LabelMapping)
//         classes: [No, Yes]      # class order; for binary the second is the positive class
//         merge: {Y: Yes}         # raw label -> class
//         case_insensitive: true
//       max_missing_rate: 0.01    # above it: missing_rate_above anomaly
//       description: ...          # free text
//       seen: {count: 7043, missing_rate: 0, distinct: 2}   # informational
//     - name: tenure
//       kind: numeric
//       min: 0                    # allowed range (outside: out_of_range anomaly)
//       max: 72
//
// Reading is strict: an unknown key, a wrong kind or role name, a duplicate column or a
// malformed number is an error naming the file, line and key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "data/ingest_report.h"
#include "data/schema.h"
#include "keel/status.h"

namespace keel {

// Parses schema YAML. `source_name` names the text in messages. Errors: ParseError with
// "<source>:<line>: ..." for YAML syntax errors, unknown keys and bad values;
// InvalidArgument for an invalid label mapping.
Result<Schema> ParseSchemaYaml(std::string_view text, std::string_view source_name);

// Reads and parses the schema file at `path`.
Result<Schema> LoadSchemaYaml(const std::string& path);

// Writes `schema` as YAML that ParseSchemaYaml reads back to an equal schema, with a comment
// header explaining the fields. `source` and `rows` are written as informational keys when
// non-empty / non-zero.
std::string SchemaToYaml(const Schema& schema, std::string_view source = "", uint64_t rows = 0);

// Fills the informational `seen` block of every column from the report's statistics and sets
// max_missing_rate to the seen rate plus `missing_rate_slack` (capped at 1), so data like the
// one the schema was inferred from validates without missing-rate anomalies.
void AddObservedStats(const IngestReport& report, Schema* schema, double missing_rate_slack = 0.05);

}  // namespace keel
