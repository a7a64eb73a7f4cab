#include "ranking_inputs.h"

#include <utility>

#include "model/model_io.h"

namespace keel::cli {

Result<RankingInputs> LoadRankingInputs(const std::string& objectives_path,
                                        const std::string& model_path, const std::string& data_path,
                                        ReadOptions read, const Context& ctx) {
  RankingInputs in;
  KEEL_ASSIGN_OR_RETURN(in.objectives, rank::LoadObjectivesYaml(objectives_path));
  KEEL_ASSIGN_OR_RETURN(in.model, LoadModel(model_path));
  auto predictor = Predictor::Create(in.model);
  if (!predictor.ok()) return predictor.status().WithContext(model_path);
  in.predictor = std::move(*predictor);
  read.schema = &in.model.schema;
  KEEL_ASSIGN_OR_RETURN(in.data, ReadTable(data_path, read, ctx));
  return in;
}

}  // namespace keel::cli
