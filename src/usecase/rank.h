// `keel rank`: rank the candidates of each request by the stakeholders' weighted objectives
// under the objectives' constraints (rank/objectives.h, rank/group_ranker.h), as the server's
// rank route does one request at a time.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/context.h"
#include "keel/status.h"
#include "usecase/ranking_inputs.h"

namespace keel::usecase {

struct RankRequest {
  RankingInput input;    // objectives, model and candidates (one row per candidate)
  std::string group_by;  // column naming each candidate's request; "" = the objectives'
                         // group_by, else the whole file is one request
  size_t top = 0;        // shown per request; 0 = the objectives' top, else every eligible one
  // Ranking CSV: [group], rank, line, kept columns, score, one column per objective.
  // "-" = returned in RankResult::csv (or RankResult::ranked).
  std::string out_path = "-";
  std::vector<std::string> keep;  // candidate columns copied into the output
  // With out_path "-": the ranking as JSON objects in RankResult::ranked instead of CSV text
  // (keel rank --json).
  bool ranked_as_json = false;
};

struct RankResult {
  RankRequest request;
  std::string group_by;  // the request column used ("" = one request)
  size_t top = 0;        // the slots used (0 = every eligible candidate)
  std::vector<std::string> objective_names;
  size_t requests = 0, candidates = 0, eligible = 0, shown = 0;
  uint64_t rows_rejected = 0;
  double score_seconds = 0, total_seconds = 0;  // scoring and ranking; the whole use case
  std::string csv;  // the ranking, when out_path is "-" and not ranked_as_json
  nlohmann::json ranked = nlohmann::json::array();  // the ranking, when ranked_as_json

  nlohmann::json ToJson() const;
  // One line: "ranked N candidates in R requests: E eligible, S shown -> OUT (T s)".
  std::string ToText() const;
};

// Errors: those of LoadRanking and ScoreCandidates; NotFound for a --keep or group-by column
// the candidates lack (naming the nearest); writing the output.
Result<RankResult> Rank(const RankRequest& request, const Context& ctx);

}  // namespace keel::usecase
