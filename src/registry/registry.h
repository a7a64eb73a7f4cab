// The model registry: named, numbered model versions with a stage each, stored with their
// artifact bytes, SHA-256 and lineage, and an append-only history of every stage change.
//
// Stages: "none" (registered), "staging", "production", "archived". Each name has at most
// one production version. One artifact (by SHA-256) is registered at most once per name.
// A version whose attached gate (`keel compare --json`, see AttachedGate) says keep the
// baseline is promoted to production only with an override reason, kept in the history. Promoting a
// version to production archives the one it replaces and records it as the new version's parent;
// Rollback re-promotes the parent of the production version and archives the current one. Every
// change appends one row to `registry_events` (who, when, why, from and to stage, the version
// replaced) in the same transaction as the change; triggers refuse UPDATE and DELETE on that table,
// in both backends.
//
// Tables (both backends; docs in the header of registry.cc):
//   registry_versions(name, version, stage, sha256, size_bytes, source_path, artifact,
//                     metadata JSON, parent_version, created_us, created_by, note)
//   registry_events(id, time_us, actor, action, name, version, from_stage, to_stage,
//                   replaced_version, reason, gate_override)
// (layout version 2; a version 1 registry gains gate_override when opened for writing)
//
// Concurrency: writers are serialised by the database (SQLite write lock, PostgreSQL
// advisory lock), so two processes promoting at once never leave two production versions.
// Thread-safety: a Registry is one connection; use it from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.h"
#include "registry/sql_database.h"

namespace keel::registry {

enum class Stage : uint8_t { kNone, kStaging, kProduction, kArchived };
std::string_view StageName(Stage stage);  // "none", "staging", "production", "archived"
bool ParseStage(std::string_view text, Stage* stage);

// "NAME" or "NAME@VERSION" (VERSION a positive integer). Errors: InvalidArgument.
struct ModelRef {
  std::string name;
  std::optional<int64_t> version;
};
Result<ModelRef> ParseModelRef(std::string_view text);

struct ModelVersion {
  std::string name;
  int64_t version = 0;
  Stage stage = Stage::kNone;
  std::string sha256;  // lowercase hex of the artifact bytes
  int64_t size_bytes = 0;
  std::string source_path;                // where the artifact was added from (informational)
  std::optional<int64_t> parent_version;  // the production version it replaced, if any
  int64_t created_us = 0;                 // Unix time, microseconds
  std::string created_by;
  std::string note;
  // From the artifact: task, objective, kind, target, features, schema, and its sections
  // lineage (data hash, parameters, ...), metrics, fairness and audit (gate results) when
  // present.
  nlohmann::json metadata;
};

struct RegistryEvent {
  int64_t id = 0;
  int64_t time_us = 0;
  std::string actor;
  std::string action;  // "add", "promote", "rollback", "archive"
  std::string name;
  int64_t version = 0;
  std::string from_stage;  // "" for add
  std::string to_stage;
  std::optional<int64_t> replaced_version;
  std::string reason;
  // A promotion to production over an attached gate that said keep the baseline: why.
  std::string gate_override;
};

// Who makes a change and why (stored in the event).
struct ChangeInfo {
  std::string actor;
  std::string reason;
  // Promote to production only: ships a version whose attached gate says keep the baseline,
  // for this reason (stored in the event). Empty = no override.
  std::string gate_override;
};

// The verdict of the gate attached to a version (metadata "gate": the output of
// `keel compare --json`).
struct GateVerdict {
  bool attached = false;        // a gate with a verdict is attached
  bool ship_candidate = false;  // its verdict: ship the candidate (false = keep the baseline)
  std::string reason;           // the verdict's sentence, "" when none
};
GateVerdict AttachedGate(const nlohmann::json& metadata);

// How Registry::Open treats the database.
enum class RegistryAccess : uint8_t {
  kCreate,  // create the SQLite file and the tables when absent; upgrade an older layout
  kWrite,   // an existing registry (else NotFound); upgrade an older layout
  kRead,    // an existing registry (else NotFound), never written to: for commands that read
};

// What a stage change did.
struct Transition {
  std::string name;
  int64_t version = 0;
  Stage from = Stage::kNone;
  Stage to = Stage::kNone;
  std::optional<int64_t> replaced_version;  // the production version it archived
  int64_t event_id = 0;
  std::string gate_override;  // the override reason recorded, "" when none
};

// One name's production version, as a server needs it.
struct ProductionVersion {
  std::string name;
  int64_t version = 0;
  std::string sha256;
};

class Registry {
 public:
  // Takes the connection; with kCreate creates the tables if absent. Errors: IoError,
  // NotFound ("no registry at ...": kWrite/kRead on a database without the registry's
  // tables), Unsupported (a registry written by a newer keel).
  static Result<std::unique_ptr<Registry>> Open(std::unique_ptr<SqlDatabase> db,
                                                RegistryAccess access = RegistryAccess::kCreate);
  // OpenDatabase(location) then Open; kWrite and kRead never create a SQLite file (a missing
  // one is NotFound "no registry at PATH").
  static Result<std::unique_ptr<Registry>> Open(const std::string& location,
                                                RegistryAccess access = RegistryAccess::kCreate);

  // Registers artifact bytes as the next version of `name` (stage none). The bytes are
  // verified and decoded first (a corrupt artifact is refused: Corrupt). `reports` (a JSON
  // object, e.g. {"audit": <keel audit --json>, "gate": <keel compare --json>}) is merged
  // into the metadata over the artifact's own sections; a "gate" report must carry a verdict
  // (verdict.ship_candidate, as `keel compare --json` writes). Errors: InvalidArgument for a
  // bad name, a non-object `reports` or a gate without a verdict; AlreadyExists when a
  // version of `name` already holds these bytes (naming it; nothing is added); those of
  // DeserializeModel; IoError; FailedPrecondition when opened with kRead.
  Result<ModelVersion> Add(const std::string& name, std::string_view artifact,
                           const std::string& source_path, const ChangeInfo& change,
                           const std::string& note = "",
                           const nlohmann::json& reports = nlohmann::json::object());

  // Every version (of `name`, or of all names when empty), by name then version, without
  // metadata.
  Result<std::vector<ModelVersion>> List(const std::string& name = "");
  // One version with its metadata; without a version: the production version, else the
  // latest. Errors: NotFound.
  Result<ModelVersion> Show(const ModelRef& ref);
  // The artifact bytes of one version, checked against the stored SHA-256 (Corrupt if not).
  Result<std::string> Artifact(const std::string& name, int64_t version);

  // Errors: NotFound; FailedPrecondition when the version already has that stage, is the
  // production version being moved to staging, or goes to production while its attached
  // gate says keep the baseline and change.gate_override is empty; InvalidArgument for a
  // gate_override on a promotion that has no such gate to override.
  Result<Transition> Promote(const std::string& name, int64_t version, Stage to,
                             const ChangeInfo& change);
  // Re-promotes the version the production version replaced. Errors: NotFound (no such
  // name), FailedPrecondition (no production version, or it replaced nothing).
  Result<Transition> Rollback(const std::string& name, const ChangeInfo& change);
  // Errors: NotFound; FailedPrecondition for the production version (promote another or
  // roll back first) or one already archived.
  Result<Transition> Archive(const std::string& name, int64_t version, const ChangeInfo& change);

  // The stage history of `name` (all names when empty), oldest first.
  Result<std::vector<RegistryEvent>> Events(const std::string& name = "");
  // The id of the latest event (0 when none): a cheap change detector for pollers.
  Result<int64_t> LastEventId();
  // The production version of every name that has one, by name.
  Result<std::vector<ProductionVersion>> ProductionVersions();

  SqlDatabase& database() { return *db_; }

 private:
  Registry(std::unique_ptr<SqlDatabase> db, RegistryAccess access)
      : db_(std::move(db)), access_(access) {}
  Status CreateSchema();
  Status CheckSchema();
  Status CheckWritable() const;
  Result<ModelVersion> FindVersion(const std::string& name, int64_t version, bool metadata);
  Result<std::optional<int64_t>> ProductionOf(const std::string& name);
  Result<int64_t> AppendEvent(const RegistryEvent& event);
  Status SetStage(const std::string& name, int64_t version, Stage stage);

  std::unique_ptr<SqlDatabase> db_;
  RegistryAccess access_;
  int64_t schema_version_ = 0;  // the layout version of the tables
};

// Microseconds since the Unix epoch.
int64_t NowMicros();

}  // namespace keel::registry
