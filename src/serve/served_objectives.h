// ServedObjectives: stakeholder objectives configured on the server for each model
// (`keel serve --objectives NAME=O.yaml`), used by POST /v1/models/{name}/rank when a request
// carries no objectives of its own (rank_route.h).
//
// Add() reads the file and checks it against the served model: every name the objectives
// read must be a model output, a column of the model's schema, a model feature or a field the
// file declares under `fields:` (requests may carry fields the model never saw, such as a
// reserve price), with the right kind (RankingPlan::Create's rules). A failure is an error
// naming the file, line and unknown name, so `keel serve` refuses to start.
//
// Hot reload: For() re-reads and re-checks the file the first time it sees a model load it has
// not checked (ServedModel::serial changes on every reload: SIGHUP, POST .../reload, a
// registry promotion), so an edited objectives file follows the model. When the re-read
// fails, requests that rely on the server's objectives get that error (the model keeps
// serving everything else) until the next reload succeeds.
//
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "keel/status.h"
#include "model/model.h"
#include "rank/objectives.h"
#include "rank/ranking_plan.h"
#include "serve/served_model.h"

namespace keel::serve {

// The fields a rank request for `model` may carry according to its schema and features,
// plus the objectives' declared `fields:`. A schema column of free text counts as
// categorical (request strings become categories).
std::vector<rank::FieldInfo> ModelRequestFields(const Model& model,
                                                const rank::Objectives& objectives);

// Checks `objectives` against `model` (ModelRequestFields). Errors: RankingPlan::Create's,
// naming the file, line, objective and name.
Status CheckObjectivesForModel(const rank::Objectives& objectives, const Model& model);

class ServedObjectives {
 public:
  // Reads the objectives file at `path` for the model served as `name` and checks it against
  // `model`. Errors: IoError/NotFound for the file, ParseError with its line, the check's
  // errors; AlreadyExists when `name` already has objectives.
  Status Add(const std::string& name, const std::string& path, const ServedModel& model);

  // The objectives configured for `model` (by its name), re-read when the model was reloaded
  // since they were last checked. Null when none are configured for it. Errors: the re-read's
  // (FailedPrecondition naming the file and the reason).
  Result<std::shared_ptr<const rank::Objectives>> For(const ServedModel& model);

  // The configured model names and files (for logs and --json).
  std::vector<std::pair<std::string, std::string>> List() const;

 private:
  struct Entry {
    std::string path;
    std::shared_ptr<const rank::Objectives> objectives;  // null after a failed re-read
    uint64_t serial = 0;                                 // the model load they were checked for
    Status error;                                        // the failed re-read's error
  };
  static Result<std::shared_ptr<const rank::Objectives>> Read(const std::string& path,
                                                              const Model& model);

  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace keel::serve
