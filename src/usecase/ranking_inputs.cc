#include "usecase/ranking_inputs.h"

#include <utility>

namespace keel::usecase {

Result<LoadedRanking> LoadRanking(const RankingInput& input, const Context& ctx) {
  LoadedRanking out;
  KEEL_ASSIGN_OR_RETURN(out.objectives, rank::LoadObjectivesYaml(input.objectives_path));
  KEEL_ASSIGN_OR_RETURN(out.scoring, LoadForScoring(input.scoring, ctx));
  return out;
}

Result<ScoredRanking> ScoreCandidates(const rank::Objectives& objectives,
                                      const Candidates& candidates,
                                      const rank::PlanOptions& plan_options, const Context& ctx) {
  ScoredRanking out;
  KEEL_ASSIGN_OR_RETURN(out.plan,
                        rank::RankingPlan::Create(objectives, candidates.model,
                                                  rank::FieldsOf(candidates.table), plan_options));
  auto scored = out.plan->Score(candidates.model, candidates.predictor, candidates.table, ctx,
                                candidates.allow_absent_features);
  if (!scored.ok()) {
    return candidates.source.empty() ? scored.status()
                                     : scored.status().WithContext(candidates.source);
  }
  out.scored = std::move(*scored);
  return out;
}

}  // namespace keel::usecase
