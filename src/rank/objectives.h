// Objectives: what each stakeholder wants from a ranking, as a parsed, checked configuration.
//
// The same section is read from a standalone objectives.yaml (under a top-level
// `objectives:` key) and from keel.yaml's `objectives:` key:
//
//   objectives:
//     clicks: p                           # shorthand: an expression, weight 1, no normalisation
//     revenue:
//       expr: p * bid                     # over model outputs and candidate/request fields
//       weight: 0.5                       # >= 0; default 1
//       normalize: max                    # none | max | minmax | zscore, within each request
//       outcome: clicked * bid            # optional: the realised value in a logged replay
//       description: fee income for sales # optional, free text
//     profit: {expr: p * (bid - ad_cost), outcome: clicked * (bid - ad_cost)}
//     constraints:                        # reserved key: hard rules
//       - bid >= reserve                  # candidates failing a condition are never shown
//       - {max_per: advertiser_id, count: 2}   # at most 2 shown per advertiser per request
//     top: 5                              # reserved: slots per request (default: all)
//     group_by: request_id                # reserved: column naming the request
//     tradeoff: {steps: 10}               # reserved: weight grid resolution for keel tradeoff
//     fields: {reserve: number, device: category}   # reserved: request fields that are not
//                                         # model columns (keel serve --objectives checks
//                                         # names against the model's schema plus these)
//
// Every key other than the reserved ones (constraints, top, group_by, tradeoff, fields) names an
// objective: [A-Za-z_][A-Za-z0-9_]*. Model outputs readable in expressions: `p` (binary: the
// positive class probability), `prob_<class>` (every classifier), `prediction` (regression).
//
// Parsing is strict and happens once: unknown keys, bad values and expression syntax errors
// are ParseErrors naming the source, the 1-based line and the objective. Names are checked
// later, against a model and the candidate fields (ranking_plan.h), because keel.yaml is read
// before the data.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.h"
#include "keel/table.h"
#include "rank/expression.h"

namespace keel::rank {

// How an objective's values are scaled within one request before weighting, so objectives of
// different units (probabilities, dollars) can be traded with comparable weights.
enum class Normalization : uint8_t {
  kNone,    // the value as is
  kMax,     // v / max |v| over the request's eligible candidates (0 when all are 0)
  kMinMax,  // (v - min) / (max - min) (0 when all are equal)
  kZScore,  // (v - mean) / standard deviation (0 when all are equal)
};
std::string_view NormalizationName(Normalization n);

struct ObjectiveSpec {
  std::string name;
  Expression value;   // what one shown candidate contributes
  double weight = 1;  // >= 0
  Normalization normalize = Normalization::kNone;
  std::optional<Expression> outcome;  // realised value from logged outcomes (keel tradeoff)
  std::string description;
  int line = 0;  // 1-based line of the objective in the source; 0 when unknown
};

struct ConstraintSpec {
  enum class Kind : uint8_t {
    kCondition,   // a yes/no expression every shown candidate must satisfy
    kMaxPerGroup  // at most max_count shown candidates share a value of `field`
  };
  Kind kind = Kind::kCondition;
  Expression condition;  // kCondition
  std::string field;     // kMaxPerGroup
  size_t max_count = 1;  // kMaxPerGroup, >= 1
  int line = 0;
  // Human text of the rule ("bid >= reserve", "at most 2 per advertiser_id").
  std::string Describe() const;
};

struct Objectives {
  std::string source;  // the file (or "keel.yaml") it came from, for messages
  std::vector<ObjectiveSpec> objectives;
  std::vector<ConstraintSpec> constraints;
  size_t top = 0;        // 0 = unset (rank every candidate)
  std::string group_by;  // empty = unset
  size_t tradeoff_steps = 10;
  // Declared request fields (`fields:`): name and kind (kNumeric for `number`, kCategorical
  // for `category`), in file order.
  std::vector<std::pair<std::string, ColumnKind>> fields;

  // Index of the objective called `name`, or -1.
  int Find(std::string_view name) const;
  // The configured weights, in objective order.
  std::vector<double> Weights() const;
};

// Largest tradeoff grid resolution accepted.
inline constexpr size_t kMaxTradeoffSteps = 100;
// Most objectives in one configuration.
inline constexpr size_t kMaxObjectives = 16;

// Parses an objectives section (the value of the `objectives:` key). `source_name` names the
// file in messages. Errors: ParseError "<source>:<line>: ..." for a wrong shape, unknown keys
// in an objective, a bad weight/normalisation/count, an expression syntax error, duplicate or
// invalid objective names, a constraint that is not a condition, no objective at all, or all
// weights zero.
Result<Objectives> ParseObjectives(const YAML::Node& section, std::string_view source_name);

// Parses a standalone objectives file: a YAML map with the key `objectives` (and optionally
// `version: 1`). Errors: those of ParseObjectives, plus YAML syntax errors with their line.
Result<Objectives> ParseObjectivesYaml(std::string_view text, std::string_view source_name);

// Reads and parses the objectives file at `path` (IoError/NotFound for the file).
Result<Objectives> LoadObjectivesYaml(const std::string& path);

}  // namespace keel::rank
