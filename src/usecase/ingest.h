// `keel ingest`: read a data file (inferring its schema or checking it against one),
// quarantine the bad records with their reasons, and report counts, per-column statistics,
// anomalies and, for a target, how its labels map to classes. `keel run` reads its data
// through the same use case.
//
// Also here, for the use cases that read a data file with the reader's settings (ingest,
// schema infer): DataInput, the file and how to read it, and the target's label mapping.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/context.h"
#include "data/ingest.h"
#include "data/label_mapping.h"
#include "keel/status.h"

namespace keel::usecase {

// A data file and how to read it.
struct DataInput {
  std::string path;         // .csv, .tsv, .jsonl/.ndjson; "-" = standard input
  std::string schema_path;  // schema YAML: read with its kinds and validate; "" = infer
  ReadOptions options;      // the reader's settings; options.schema is set from schema_path
};

// Reads `input`: the schema file first (when named), then the data, from standard input when
// the path is "-". Errors: the schema file's, the reader's (ReadTable).
Result<IngestResult> ReadInput(const DataInput& input, const Context& ctx);

// How a target's raw labels map to classes (data/label_mapping.h).
struct LabelRequest {
  std::string target;    // the target column; "" = none
  std::string classes;   // classes in order, "a,b,c" (binary: the second is positive)
  std::string merges;    // raw labels merged into classes, "raw=class,raw=class"
  std::string positive;  // positive class of a binary target; "" = the minority class

  // True when classes, merges or a positive class were given: the target is a classification
  // target whatever its values look like.
  bool names_classes() const { return !classes.empty() || !merges.empty() || !positive.empty(); }
};

// The mapping `labels` asks for: its classes and merges when given, else `fallback` (a
// schema's mapping) when it has classes, else the target's values (InferLabelMapping, with
// labels.positive). Errors: a malformed --classes/--merge, an unknown positive class.
Result<LabelMapping> ResolveLabelMapping(const LabelRequest& labels, const Column& target,
                                         const LabelMapping* fallback);

struct IngestRequest {
  DataInput input;
  std::string rejects_path;  // write the rejected records here as CSV ("" = no file)
  size_t max_listed = 1000;  // rejected and duplicate records listed in ToJson
  // Report the target's label mapping; target "" = the schema's target, if any.
  LabelRequest labels;
  // The result's failed() is true when any record was rejected.
  bool fail_on_errors = false;
};

// How the target's labels map to classes, over the rows used.
struct LabelSummary {
  std::string target;
  LabelMapping mapping;
  LabelReport report;

  nlohmann::json ToJson() const;
};

struct IngestOutcome {
  IngestRequest request;
  IngestResult data;  // table, schema and report
  std::optional<LabelSummary> labels;

  // The report (IngestReportToJson), plus `labels` and `rejects_file` when there are some.
  nlohmann::json ToJson() const;
  // Counts, format, a table of the columns' statistics, the first anomalies, PII columns and
  // the labels, with numbers rounded for people.
  std::string ToText() const;
  // True when the request asked to fail on rejected records and there are some.
  bool failed() const { return request.fail_on_errors && data.report.rows_rejected > 0; }
};

// Reads the data, writes the rejects file, maps the target's labels. Errors: the reader's,
// writing the rejects file, a target that is not a column (naming the nearest), the label
// mapping's. Rejected records are not errors (see IngestOutcome::failed).
Result<IngestOutcome> Ingest(const IngestRequest& request, const Context& ctx);

}  // namespace keel::usecase
