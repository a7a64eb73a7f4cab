// What `keel rank` and `keel tradeoff` both load before they score: the objectives file, the
// model, its predictor and the candidates table (read against the model's schema).
#pragma once

#include <memory>
#include <string>

#include "data/ingest.h"
#include "keel/status.h"
#include "model/model.h"
#include "predict/predictor.h"
#include "rank/objectives.h"

namespace keel::cli {

struct RankingInputs {
  rank::Objectives objectives;
  Model model;
  std::unique_ptr<Predictor> predictor;
  IngestResult data;  // data.table: the candidates
};

// Loads the three files in order; `read` gets the model's schema set. Errors name the file
// that failed.
Result<RankingInputs> LoadRankingInputs(const std::string& objectives_path,
                                        const std::string& model_path, const std::string& data_path,
                                        ReadOptions read, const Context& ctx);

}  // namespace keel::cli
