// POST /v1/models/{name}/rank: multi-objective ranking of a request's candidates.
//
// Body (JSON):
//   {
//     "objectives": <the objectives section (rank/objectives.h) as a JSON object, or as YAML
//                    text in a string>; optional when the server has objectives for the
//                    model (keel serve --objectives NAME=O.yaml, served_objectives.h): the
//                    request's own win, the server's are used when it has none,
//     "candidates": [ {"ad_id": "a1", "bid": 1.2, "ad_cost": 0.4, ...}, ... ],
//     "request":    {"reserve": 0.5, "device": "mobile"},   optional: fields every candidate
//                                                          shares (a candidate's own wins)
//     "top": 3                                             optional: overrides objectives' top
//   }
// Candidate fields are model features and any fields the objectives read. Numbers and
// booleans become numeric fields, strings categorical ones, null a missing value.
// Answer:
//   {"model": "<name>", "version": "<v>", "candidates": N, "eligible": M,
//    "top": [{"index": i, "rank": 1, "score": s, "objectives": {"clicks": ..., ...}}, ...]}
// where index is the candidate's position in the request. Errors: InvalidArgument (400) for
// malformed JSON, a bad objectives section (with its line), unknown names, wrong types or too
// many candidates; ResourceExhausted (413) over max_candidates.
//
// Objectives are parsed once per distinct text and cached (bounded); names are bound per
// request because the candidates' fields may differ between requests. The answer's
// "objectives_source" says which were used: "request" or "server".
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "keel/status.h"
#include "rank/objectives.h"
#include "serve/served_model.h"
#include "serve/served_objectives.h"

namespace keel::serve {

class RankRoute {
 public:
  // `server_objectives` (may be null: requests must carry objectives) must outlive the route.
  explicit RankRoute(size_t max_candidates, ServedObjectives* server_objectives = nullptr)
      : max_candidates_(max_candidates), server_objectives_(server_objectives) {}

  // Ranks the candidates of `body` with `model`; on success `out` holds the answer's JSON.
  // Thread-safe.
  Status Handle(const ServedModel& model, std::string_view body, std::string* out);

 private:
  Result<std::shared_ptr<const rank::Objectives>> ObjectivesFor(const std::string& text);

  size_t max_candidates_;
  ServedObjectives* server_objectives_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const rank::Objectives>> cache_;
};

}  // namespace keel::serve
