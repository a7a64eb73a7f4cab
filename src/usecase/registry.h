// `keel registry`: the model registry's operations (registry/registry.h), one request and one
// result per subcommand: add a version, list, show one (lineage, metrics, gate, history),
// promote, roll back, archive, the history of stage changes, export an artifact.
//
// Every request names the registry in `db` (a SQLite file or a postgresql:// URL; "" =
// $KEEL_REGISTRY, else keel_registry.db). Only add creates a registry; the others fail with
// "no registry at ..." when there is none, and list, show, history and export never write.
// Changes record who made them (`actor`; "" = $KEEL_ACTOR, else the user) and why (`reason`)
// in the append-only history.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "keel/status.h"
#include "registry/registry.h"
#include "usecase/log.h"

namespace keel::usecase {

struct RegistryAddRequest {
  std::string db;
  std::string artifact;  // the .keel file
  std::string name;      // letters, digits, _ . -
  std::string note;      // kept with the version
  std::string audit;     // a `keel audit --json` output to keep with the version; "" = none
  std::string gate;      // a `keel compare --json` output (the gate); "" = none
  std::string actor, reason;
};

struct RegistryAddResult {
  registry::ModelVersion version;

  nlohmann::json ToJson() const;
  std::string ToText() const;
};

// Errors: those of reading the files, ParseError (an --audit or --gate file that is not
// JSON), those of Registry::Open and Registry::Add.
Result<RegistryAddResult> RegistryAdd(const RegistryAddRequest& request);

struct RegistryListRequest {
  std::string db;
  std::string name;  // only this model; "" = all
};

struct RegistryListResult {
  std::vector<registry::ModelVersion> versions;

  nlohmann::json ToJson() const;
  std::string ToText() const;  // a table
};

Result<RegistryListResult> RegistryList(const RegistryListRequest& request);

struct RegistryShowRequest {
  std::string db;
  std::string ref;  // NAME@VERSION, or NAME for its production version (else its latest)
};

struct RegistryShowResult {
  registry::ModelVersion version;               // with its metadata
  std::vector<registry::RegistryEvent> events;  // the history of this version, oldest first

  nlohmann::json ToJson() const;  // every value in full
  std::string ToText() const;     // rounded for reading
};

Result<RegistryShowResult> RegistryShow(const RegistryShowRequest& request);

// What promote, rollback and archive did.
struct RegistryTransitionResult {
  registry::Transition transition;
  std::string verb;  // "promoted", "rolled back to", "archived"

  nlohmann::json ToJson() const;
  std::string ToText() const;
};

struct RegistryPromoteRequest {
  std::string db;
  std::string ref;            // NAME@VERSION; NAME alone with require_verdict: its staging version
  std::string to;             // staging or production ("" = production with require_verdict)
  std::string override_gate;  // promote over a gate that says keep the baseline, for this reason
  std::string actor, reason;
  // The gate on live data (serve/challenger_report.h): promote only when the challenger report
  // of NAME on this prediction log says "promote" and judged this very version.
  bool require_verdict = false;
  std::string log_db = kDefaultPredictionLog;  // SQLite file or postgresql:// URL
};

// Errors: InvalidArgument (a ref without a version, a --to other than staging or
// production), FailedPrecondition (require_verdict and the verdict is not "promote", or is
// about another challenger version; the message names the verdict and the p-value), those of
// ChallengerReport and Registry::Promote.
Result<RegistryTransitionResult> RegistryPromote(const RegistryPromoteRequest& request);

struct RegistryRollbackRequest {
  std::string db;
  std::string name;  // the model whose production version the one it replaced takes back
  std::string actor, reason;
};

Result<RegistryTransitionResult> RegistryRollback(const RegistryRollbackRequest& request);

struct RegistryArchiveRequest {
  std::string db;
  std::string ref;  // NAME@VERSION, not in production
  std::string actor, reason;
};

Result<RegistryTransitionResult> RegistryArchive(const RegistryArchiveRequest& request);

struct RegistryHistoryRequest {
  std::string db;
  std::string name;  // only this model; "" = all
};

struct RegistryHistoryResult {
  std::vector<registry::RegistryEvent> events;  // oldest first

  nlohmann::json ToJson() const;
  std::string ToText() const;  // one line per event
};

Result<RegistryHistoryResult> RegistryHistory(const RegistryHistoryRequest& request);

struct RegistryExportRequest {
  std::string db;
  std::string ref;  // NAME@VERSION
  std::string out;  // the .keel file to write
};

struct RegistryExportResult {
  std::string name;
  int64_t version = 0;
  std::string out;
  uint64_t bytes = 0;

  nlohmann::json ToJson() const;
  std::string ToText() const;
};

// Errors: InvalidArgument (a ref without a version), Corrupt (bytes that fail their SHA-256),
// those of writing `out`.
Result<RegistryExportResult> RegistryExport(const RegistryExportRequest& request);

}  // namespace keel::usecase
