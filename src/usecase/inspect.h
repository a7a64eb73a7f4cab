// `keel inspect`: what a model file holds (task, classes, features, schema, tree statistics,
// file sections and every metadata section), without its bulk tree arrays; reading it
// verifies the file's checksums.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "keel/status.h"
#include "model/model.h"
#include "model/model_io.h"

namespace keel::usecase {

struct InspectRequest {
  std::string model_path;
};

struct InspectResult {
  InspectRequest request;
  Model model;
  ArtifactInfo info;
  nlohmann::json summary;  // ModelSummaryJson(model, &info)

  // The summary with "ok" and "path".
  nlohmann::json ToJson() const;
  // The summary for people: numbers rounded, each metadata section cut to one line.
  std::string ToText() const;
};

// Reads the file, verifies its container and decodes the model. Errors: IoError for the
// file, those of InspectArtifact and DeserializeModel (naming the path).
Result<InspectResult> Inspect(const InspectRequest& request);

}  // namespace keel::usecase
