// What `keel rank`, `keel tradeoff` and `keel run`'s trade-off step share: the objectives file,
// the model and the candidates loaded, and the objectives bound to the model and the
// candidates' fields and evaluated on every candidate (rank/ranking_plan.h).
//
// Candidates are read like any scored file (usecase/scoring.h): only the model's feature
// columns are required (none with allow_missing_columns), never the target.
#pragma once

#include <memory>
#include <string>

#include "core/context.h"
#include "keel/status.h"
#include "rank/objectives.h"
#include "rank/ranking_plan.h"
#include "usecase/scoring.h"

namespace keel::usecase {

// The request part rank and tradeoff share.
struct RankingInput {
  std::string objectives_path;  // objectives YAML (rank/objectives.h)
  ScoringInput scoring;         // the model and the candidates file (or the log to replay)
};

struct LoadedRanking {
  rank::Objectives objectives;
  LoadedScoring scoring;  // the model, its predictor and the candidates (scoring.data.table)
};

// Loads the objectives, then the model and the candidates (LoadForScoring). Errors name the
// file that failed.
Result<LoadedRanking> LoadRanking(const RankingInput& input, const Context& ctx);

// Candidates in memory: a model, its compiled predictor and a table with one row per
// candidate. Borrowed for the call.
struct Candidates {
  const Model& model;
  const Predictor& predictor;
  const Table& table;
  std::string source;                  // names the table in error messages ("" = none)
  bool allow_absent_features = false;  // a model feature the table lacks is all-missing
};

struct ScoredRanking {
  std::unique_ptr<rank::RankingPlan> plan;
  rank::ScoredCandidates scored;
};

// Binds `objectives` to the model and the candidates' fields (with each objective's outcome
// when plan_options.outcomes: a replay of logged data) and scores every candidate. Errors:
// the plan's (naming the objectives file and line), scoring's (prefixed with `source`).
Result<ScoredRanking> ScoreCandidates(const rank::Objectives& objectives,
                                      const Candidates& candidates,
                                      const rank::PlanOptions& plan_options, const Context& ctx);

}  // namespace keel::usecase
