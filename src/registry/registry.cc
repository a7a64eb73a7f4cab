#include "registry/registry.h"

#include <charconv>
#include <chrono>

#include "core/hash.h"
#include "model/model_io.h"
#include "model/model_json.h"

namespace keel::registry {
namespace {

// Bumped when the tables change shape; a newer registry is refused rather than misread.
// 2: registry_events.gate_override.
constexpr int64_t kRegistrySchemaVersion = 2;
// The advisory lock key that serialises registry writers on PostgreSQL ("keelregi").
constexpr int64_t kRegistryLockKey = 0x6b65656c72656769;

constexpr const char* kSqliteSchema = R"sql(
CREATE TABLE IF NOT EXISTS registry_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS registry_versions (
  name TEXT NOT NULL, version INTEGER NOT NULL, stage TEXT NOT NULL,
  sha256 TEXT NOT NULL, size_bytes INTEGER NOT NULL, source_path TEXT NOT NULL,
  artifact BLOB NOT NULL, metadata TEXT NOT NULL, parent_version INTEGER,
  created_us INTEGER NOT NULL, created_by TEXT NOT NULL, note TEXT NOT NULL,
  PRIMARY KEY (name, version));
CREATE TABLE IF NOT EXISTS registry_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, time_us INTEGER NOT NULL, actor TEXT NOT NULL,
  action TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, from_stage TEXT,
  to_stage TEXT NOT NULL, replaced_version INTEGER, reason TEXT NOT NULL, gate_override TEXT);
CREATE INDEX IF NOT EXISTS registry_events_name ON registry_events(name);
CREATE TRIGGER IF NOT EXISTS registry_events_no_update BEFORE UPDATE ON registry_events
  BEGIN SELECT RAISE(ABORT, 'registry_events is append-only'); END;
CREATE TRIGGER IF NOT EXISTS registry_events_no_delete BEFORE DELETE ON registry_events
  BEGIN SELECT RAISE(ABORT, 'registry_events is append-only'); END;
)sql";

constexpr const char* kPostgresSchema = R"sql(
CREATE TABLE IF NOT EXISTS registry_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS registry_versions (
  name TEXT NOT NULL, version BIGINT NOT NULL, stage TEXT NOT NULL,
  sha256 TEXT NOT NULL, size_bytes BIGINT NOT NULL, source_path TEXT NOT NULL,
  artifact BYTEA NOT NULL, metadata TEXT NOT NULL, parent_version BIGINT,
  created_us BIGINT NOT NULL, created_by TEXT NOT NULL, note TEXT NOT NULL,
  PRIMARY KEY (name, version));
CREATE TABLE IF NOT EXISTS registry_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, time_us BIGINT NOT NULL,
  actor TEXT NOT NULL, action TEXT NOT NULL, name TEXT NOT NULL, version BIGINT NOT NULL,
  from_stage TEXT, to_stage TEXT NOT NULL, replaced_version BIGINT, reason TEXT NOT NULL,
  gate_override TEXT);
CREATE INDEX IF NOT EXISTS registry_events_name ON registry_events(name);
CREATE OR REPLACE FUNCTION keel_registry_events_append_only() RETURNS trigger AS $$
  BEGIN RAISE EXCEPTION 'registry_events is append-only'; END $$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER registry_events_append_only BEFORE UPDATE OR DELETE
  ON registry_events FOR EACH ROW EXECUTE FUNCTION keel_registry_events_append_only();
)sql";

constexpr const char* kVersionColumns =
    "name, version, stage, sha256, size_bytes, source_path, parent_version, created_us, "
    "created_by, note";

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<int64_t> OptInt(const SqlResult& r, size_t row, size_t col) {
  if (r.rows[row][col]) return r.Int(row, col);
  return std::nullopt;
}

ModelVersion VersionFromRow(const SqlResult& r, size_t i) {
  ModelVersion v;
  v.name = r.Text(i, 0);
  v.version = r.Int(i, 1);
  if (!ParseStage(r.Text(i, 2), &v.stage)) v.stage = Stage::kNone;
  v.sha256 = r.Text(i, 3);
  v.size_bytes = r.Int(i, 4);
  v.source_path = r.Text(i, 5);
  v.parent_version = OptInt(r, i, 6);
  v.created_us = r.Int(i, 7);
  v.created_by = r.Text(i, 8);
  v.note = r.Text(i, 9);
  return v;
}

nlohmann::json MetadataOf(const Model& model) {
  nlohmann::json m;
  m["task"] = TaskName(model.task);
  m["objective"] = ObjectiveName(model.objective);
  m["kind"] = model.kind == Model::Kind::kForest ? "gbdt" : "linear";
  m["target"] = model.target;
  nlohmann::json features = nlohmann::json::array();
  for (const auto& f : model.features) features.push_back(f.name);
  m["features"] = std::move(features);
  m["schema"] = SchemaToJson(model.schema);
  for (const char* section : {"lineage", "metrics", "fairness", "audit", "gate", "import"}) {
    auto it = model.sections.find(section);
    if (it != model.sections.end()) m[section] = it->second;
  }
  return m;
}

}  // namespace

std::string_view StageName(Stage stage) {
  switch (stage) {
    case Stage::kNone:
      return "none";
    case Stage::kStaging:
      return "staging";
    case Stage::kProduction:
      return "production";
    case Stage::kArchived:
      return "archived";
  }
  return "none";
}

bool ParseStage(std::string_view text, Stage* stage) {
  for (Stage s : {Stage::kNone, Stage::kStaging, Stage::kProduction, Stage::kArchived}) {
    if (text == StageName(s)) {
      *stage = s;
      return true;
    }
  }
  return false;
}

Result<ModelRef> ParseModelRef(std::string_view text) {
  ModelRef ref;
  const size_t at = text.rfind('@');
  ref.name = std::string(text.substr(0, at));
  if (!ValidName(ref.name)) {
    return Status::InvalidArgument(
        "model name \"{}\" is not valid: use 1 to 128 letters, digits, '_', '.' or '-'", ref.name);
  }
  if (at != std::string_view::npos) {
    const std::string_view v = text.substr(at + 1);
    int64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n <= 0) {
      return Status::InvalidArgument("\"{}\": the version after '@' must be a positive integer",
                                     text);
    }
    ref.version = n;
  }
  return ref;
}

GateVerdict AttachedGate(const nlohmann::json& metadata) {
  GateVerdict g;
  if (!metadata.is_object() || !metadata.contains("gate")) return g;
  const nlohmann::json& gate = metadata["gate"];
  if (!gate.is_object() || !gate.contains("verdict") || !gate["verdict"].is_object()) return g;
  const nlohmann::json& v = gate["verdict"];
  if (v.contains("ship_candidate") && v["ship_candidate"].is_boolean()) {
    g.attached = true;
    g.ship_candidate = v["ship_candidate"].get<bool>();
  } else if (v.contains("ship") && v["ship"].is_string()) {
    g.attached = true;
    g.ship_candidate = v["ship"].get<std::string>() == "candidate";
  }
  if (v.contains("reason") && v["reason"].is_string()) g.reason = v["reason"].get<std::string>();
  return g;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<Registry>> Registry::Open(std::unique_ptr<SqlDatabase> db,
                                                 RegistryAccess access) {
  std::unique_ptr<Registry> r(new Registry(std::move(db), access));
  if (access == RegistryAccess::kRead) {
    KEEL_RETURN_IF_ERROR(r->CheckSchema());
  } else {
    KEEL_RETURN_IF_ERROR(r->CreateSchema());
  }
  return r;
}

Result<std::unique_ptr<Registry>> Registry::Open(const std::string& location,
                                                 RegistryAccess access) {
  DatabaseOptions options;
  options.create = access == RegistryAccess::kCreate;
  auto db = OpenDatabase(location, options);
  if (!db.ok() && db.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("no registry at {} (`keel registry add` creates one)", location);
  }
  if (!db.ok()) return db.status();
  return Open(std::move(db).value(), access);
}

// Whether the registry's tables exist (without creating anything), and their version.
Status Registry::CheckSchema() {
  const char* sql = db_->dialect() == SqlDialect::kSqlite
                        ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                          "name = 'registry_meta'"
                        : "SELECT count(*) FROM information_schema.tables WHERE "
                          "table_schema = current_schema() AND table_name = 'registry_meta'";
  KEEL_ASSIGN_OR_RETURN(SqlResult tables, db_->Exec(sql));
  if (tables.Int(0, 0) == 0) {
    return Status::NotFound("no registry at {}: the database has no registry tables",
                            db_->display_name());
  }
  KEEL_ASSIGN_OR_RETURN(SqlResult r,
                        db_->Exec("SELECT value FROM registry_meta WHERE key = 'schema_version'"));
  schema_version_ = r.rows.empty() ? 0 : r.Int(0, 0);
  if (schema_version_ > kRegistrySchemaVersion) {
    return Status::Unsupported("the registry {} has schema version {}; this keel reads version {}",
                               db_->display_name(), r.Text(0, 0), kRegistrySchemaVersion);
  }
  return Status::OK();
}

Status Registry::CreateSchema() {
  // In one locked transaction, so two servers starting together do not race on DDL.
  WriteTransaction tx(db_.get());
  KEEL_RETURN_IF_ERROR(tx.Begin(kRegistryLockKey));
  if (access_ == RegistryAccess::kWrite) KEEL_RETURN_IF_ERROR(CheckSchema());
  KEEL_RETURN_IF_ERROR(
      db_->ExecScript(db_->dialect() == SqlDialect::kSqlite ? kSqliteSchema : kPostgresSchema));
  KEEL_ASSIGN_OR_RETURN(SqlResult r,
                        db_->Exec("SELECT value FROM registry_meta WHERE key = 'schema_version'"));
  const std::string current = std::to_string(kRegistrySchemaVersion);
  if (r.rows.empty()) {
    KEEL_RETURN_IF_ERROR(
        db_->Exec("INSERT INTO registry_meta (key, value) VALUES ('schema_version', $1)",
                  {std::string_view(current)})
            .status());
  } else if (r.Int(0, 0) > kRegistrySchemaVersion) {
    return Status::Unsupported("the registry {} has schema version {}; this keel reads version {}",
                               db_->display_name(), r.Text(0, 0), kRegistrySchemaVersion);
  } else if (r.Int(0, 0) < 2) {
    // Version 1 had no gate_override; the column is added (NULL for the old events).
    KEEL_RETURN_IF_ERROR(
        db_->ExecScript("ALTER TABLE registry_events ADD COLUMN gate_override TEXT"));
    KEEL_RETURN_IF_ERROR(
        db_->Exec("UPDATE registry_meta SET value = $1 WHERE key = 'schema_version'",
                  {std::string_view(current)})
            .status());
  }
  schema_version_ = kRegistrySchemaVersion;
  return tx.Commit();
}

Status Registry::CheckWritable() const {
  if (access_ != RegistryAccess::kRead) return Status::OK();
  return Status::FailedPrecondition("the registry {} was opened read-only", db_->display_name());
}

Result<int64_t> Registry::AppendEvent(const RegistryEvent& e) {
  std::vector<SqlValue> params = {
      e.time_us,
      std::string_view(e.actor),
      std::string_view(e.action),
      std::string_view(e.name),
      e.version,
      e.from_stage.empty() ? SqlValue(nullptr) : SqlValue(std::string_view(e.from_stage)),
      std::string_view(e.to_stage),
      e.replaced_version ? SqlValue(*e.replaced_version) : SqlValue(nullptr),
      std::string_view(e.reason),
      e.gate_override.empty() ? SqlValue(nullptr) : SqlValue(std::string_view(e.gate_override))};
  KEEL_ASSIGN_OR_RETURN(
      SqlResult r, db_->Exec("INSERT INTO registry_events (time_us, actor, action, name, version, "
                             "from_stage, to_stage, replaced_version, reason, gate_override) "
                             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                             params));
  return r.Int(0, 0);
}

Result<ModelVersion> Registry::Add(const std::string& name, std::string_view artifact,
                                   const std::string& source_path, const ChangeInfo& change,
                                   const std::string& note, const nlohmann::json& reports) {
  KEEL_RETURN_IF_ERROR(CheckWritable());
  if (!ValidName(name)) {
    return Status::InvalidArgument(
        "model name \"{}\" is not valid: use 1 to 128 letters, digits, '_', '.' or '-'", name);
  }
  if (reports.is_object() && reports.contains("gate")) {
    const nlohmann::json& gate = reports["gate"];
    if (!gate.is_object() || !gate.contains("verdict") || !gate["verdict"].is_object() ||
        !gate["verdict"].contains("ship_candidate") ||
        !gate["verdict"]["ship_candidate"].is_boolean()) {
      return Status::InvalidArgument(
          "registry add: the attached gate has no verdict.ship_candidate: give the output of "
          "`keel compare BASELINE.keel CANDIDATE.keel --data TEST.csv --json`");
    }
  }
  KEEL_ASSIGN_OR_RETURN(Model model, DeserializeModel(artifact, source_path));
  ModelVersion v;
  v.name = name;
  v.stage = Stage::kNone;
  v.sha256 = ToHex(Sha256(artifact));
  v.size_bytes = static_cast<int64_t>(artifact.size());
  v.source_path = source_path;
  v.created_us = NowMicros();
  v.created_by = change.actor;
  v.note = note;
  v.metadata = MetadataOf(model);
  if (!reports.is_object()) {
    return Status::InvalidArgument("registry add: the attached reports must be a JSON object");
  }
  for (const auto& [key, value] : reports.items()) v.metadata[key] = value;
  const std::string metadata = v.metadata.dump();

  WriteTransaction tx(db_.get());
  KEEL_RETURN_IF_ERROR(tx.Begin(kRegistryLockKey));
  // The same bytes twice would make two versions that cannot differ: refuse, naming the one
  // that holds them.
  KEEL_ASSIGN_OR_RETURN(SqlResult same,
                        db_->Exec("SELECT version, stage FROM registry_versions WHERE name = $1 "
                                  "AND sha256 = $2 ORDER BY version LIMIT 1",
                                  {std::string_view(name), std::string_view(v.sha256)}));
  if (!same.rows.empty()) {
    return Status::AlreadyExists(
        "{}@{} (stage {}) already holds this artifact (sha256 {}): nothing was added; use "
        "{}@{}",
        name, same.Int(0, 0), same.Text(0, 1), v.sha256, name, same.Int(0, 0));
  }
  KEEL_ASSIGN_OR_RETURN(
      SqlResult last,
      db_->Exec("SELECT COALESCE(MAX(version), 0) FROM registry_versions WHERE name = $1",
                {std::string_view(name)}));
  v.version = last.Int(0, 0) + 1;
  KEEL_RETURN_IF_ERROR(
      db_->Exec("INSERT INTO registry_versions (name, version, stage, sha256, size_bytes, "
                "source_path, artifact, metadata, parent_version, created_us, created_by, note) "
                "VALUES ($1, $2, 'none', $3, $4, $5, $6, $7, NULL, $8, $9, $10)",
                {std::string_view(name), v.version, std::string_view(v.sha256), v.size_bytes,
                 std::string_view(source_path), SqlBytes{artifact}, std::string_view(metadata),
                 v.created_us, std::string_view(change.actor), std::string_view(note)})
          .status());
  RegistryEvent e;
  e.time_us = v.created_us;
  e.actor = change.actor;
  e.action = "add";
  e.name = name;
  e.version = v.version;
  e.to_stage = "none";
  e.reason = change.reason;
  KEEL_RETURN_IF_ERROR(AppendEvent(e).status());
  KEEL_RETURN_IF_ERROR(tx.Commit());
  return v;
}

Result<std::vector<ModelVersion>> Registry::List(const std::string& name) {
  const std::string sql = std::string("SELECT ") + kVersionColumns + " FROM registry_versions" +
                          (name.empty() ? "" : " WHERE name = $1") + " ORDER BY name, version";
  std::vector<SqlValue> params;
  if (!name.empty()) params.push_back(std::string_view(name));
  KEEL_ASSIGN_OR_RETURN(SqlResult r, db_->Exec(sql, params));
  std::vector<ModelVersion> out;
  for (size_t i = 0; i < r.rows.size(); ++i) out.push_back(VersionFromRow(r, i));
  return out;
}

Result<ModelVersion> Registry::FindVersion(const std::string& name, int64_t version,
                                           bool metadata) {
  const std::string sql = std::string("SELECT ") + kVersionColumns +
                          ", metadata FROM registry_versions WHERE name = $1 AND version = $2";
  KEEL_ASSIGN_OR_RETURN(SqlResult r, db_->Exec(sql, {std::string_view(name), version}));
  if (r.rows.empty()) {
    return Status::NotFound("model {}@{} is not in the registry {}", name, version,
                            db_->display_name());
  }
  ModelVersion v = VersionFromRow(r, 0);
  if (metadata) {
    v.metadata = nlohmann::json::parse(r.Text(0, 10), nullptr, /*allow_exceptions=*/false);
    if (v.metadata.is_discarded()) {
      return Status::Corrupt("registry {}: the metadata of {}@{} is not valid JSON",
                             db_->display_name(), name, version);
    }
  }
  return v;
}

Result<std::optional<int64_t>> Registry::ProductionOf(const std::string& name) {
  KEEL_ASSIGN_OR_RETURN(SqlResult r,
                        db_->Exec("SELECT version FROM registry_versions WHERE name = $1 AND "
                                  "stage = 'production'",
                                  {std::string_view(name)}));
  if (r.rows.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(r.Int(0, 0));
}

Result<ModelVersion> Registry::Show(const ModelRef& ref) {
  if (ref.version) return FindVersion(ref.name, *ref.version, true);
  KEEL_ASSIGN_OR_RETURN(std::optional<int64_t> prod, ProductionOf(ref.name));
  if (prod) return FindVersion(ref.name, *prod, true);
  KEEL_ASSIGN_OR_RETURN(SqlResult r,
                        db_->Exec("SELECT MAX(version) FROM registry_versions WHERE name = $1",
                                  {std::string_view(ref.name)}));
  if (r.rows.empty() || !r.rows[0][0]) {
    return Status::NotFound("model \"{}\" is not in the registry {}", ref.name,
                            db_->display_name());
  }
  return FindVersion(ref.name, r.Int(0, 0), true);
}

Result<std::string> Registry::Artifact(const std::string& name, int64_t version) {
  KEEL_ASSIGN_OR_RETURN(SqlResult r,
                        db_->Exec("SELECT artifact, sha256 FROM registry_versions WHERE name = $1 "
                                  "AND version = $2",
                                  {std::string_view(name), version}));
  if (r.rows.empty()) {
    return Status::NotFound("model {}@{} is not in the registry {}", name, version,
                            db_->display_name());
  }
  std::string bytes = r.Text(0, 0);
  if (ToHex(Sha256(bytes)) != r.Text(0, 1)) {
    return Status::Corrupt("registry {}: the artifact of {}@{} does not match its SHA-256 {}",
                           db_->display_name(), name, version, r.Text(0, 1));
  }
  return bytes;
}

Status Registry::SetStage(const std::string& name, int64_t version, Stage stage) {
  const std::string_view s = StageName(stage);
  return db_
      ->Exec("UPDATE registry_versions SET stage = $1 WHERE name = $2 AND version = $3",
             {s, std::string_view(name), version})
      .status();
}

Result<Transition> Registry::Promote(const std::string& name, int64_t version, Stage to,
                                     const ChangeInfo& change) {
  if (to != Stage::kStaging && to != Stage::kProduction) {
    return Status::InvalidArgument("promote to \"{}\": use staging or production", StageName(to));
  }
  KEEL_RETURN_IF_ERROR(CheckWritable());
  WriteTransaction tx(db_.get());
  KEEL_RETURN_IF_ERROR(tx.Begin(kRegistryLockKey));
  KEEL_ASSIGN_OR_RETURN(ModelVersion v, FindVersion(name, version, true));
  if (v.stage == to) {
    return Status::FailedPrecondition("{}@{} is already in {}", name, version, StageName(to));
  }
  const GateVerdict gate = AttachedGate(v.metadata);
  const bool gate_says_keep = gate.attached && !gate.ship_candidate;
  if (!change.gate_override.empty() && !(to == Stage::kProduction && gate_says_keep)) {
    return Status::InvalidArgument(
        "{}@{}: nothing to override: the gate override is for promoting to production a "
        "version whose attached gate says keep the baseline, and {}",
        name, version,
        to != Stage::kProduction ? "this promotion is to " + std::string(StageName(to))
        : !gate.attached         ? std::string("no gate is attached to it")
                                 : std::string("its gate says ship it"));
  }
  if (to == Stage::kProduction && gate_says_keep && change.gate_override.empty()) {
    return Status::FailedPrecondition(
        "{}@{}: its attached gate says keep the baseline{}{}: to ship it anyway, promote with "
        "--override-gate \"REASON\" (the reason is recorded in the history)",
        name, version, gate.reason.empty() ? "" : " (",
        gate.reason.empty() ? "" : gate.reason + ")");
  }
  if (v.stage == Stage::kProduction) {
    return Status::FailedPrecondition(
        "{}@{} is the production version: promote another version or roll back instead", name,
        version);
  }
  Transition t{name, version, v.stage, to, std::nullopt, 0};
  if (to == Stage::kProduction) {
    KEEL_ASSIGN_OR_RETURN(std::optional<int64_t> prod, ProductionOf(name));
    if (prod) {
      KEEL_RETURN_IF_ERROR(SetStage(name, *prod, Stage::kArchived));
      t.replaced_version = prod;
    }
    KEEL_RETURN_IF_ERROR(
        db_->Exec("UPDATE registry_versions SET parent_version = $1 WHERE name = $2 AND "
                  "version = $3",
                  {prod ? SqlValue(*prod) : SqlValue(nullptr), std::string_view(name), version})
            .status());
  }
  KEEL_RETURN_IF_ERROR(SetStage(name, version, to));
  RegistryEvent e;
  e.time_us = NowMicros();
  e.actor = change.actor;
  e.action = "promote";
  e.name = name;
  e.version = version;
  e.from_stage = std::string(StageName(v.stage));
  e.to_stage = std::string(StageName(to));
  e.replaced_version = t.replaced_version;
  e.reason = change.reason;
  e.gate_override = change.gate_override;
  t.gate_override = change.gate_override;
  KEEL_ASSIGN_OR_RETURN(t.event_id, AppendEvent(e));
  KEEL_RETURN_IF_ERROR(tx.Commit());
  return t;
}

Result<Transition> Registry::Rollback(const std::string& name, const ChangeInfo& change) {
  KEEL_RETURN_IF_ERROR(CheckWritable());
  WriteTransaction tx(db_.get());
  KEEL_RETURN_IF_ERROR(tx.Begin(kRegistryLockKey));
  KEEL_ASSIGN_OR_RETURN(std::optional<int64_t> prod, ProductionOf(name));
  if (!prod) {
    KEEL_ASSIGN_OR_RETURN(auto versions, List(name));
    if (versions.empty()) {
      return Status::NotFound("model \"{}\" is not in the registry {}", name, db_->display_name());
    }
    return Status::FailedPrecondition("model \"{}\" has no production version to roll back", name);
  }
  KEEL_ASSIGN_OR_RETURN(ModelVersion current, FindVersion(name, *prod, false));
  if (!current.parent_version) {
    return Status::FailedPrecondition(
        "{}@{} replaced no earlier production version: nothing to roll back to", name, *prod);
  }
  KEEL_ASSIGN_OR_RETURN(ModelVersion target, FindVersion(name, *current.parent_version, false));
  KEEL_RETURN_IF_ERROR(SetStage(name, current.version, Stage::kArchived));
  KEEL_RETURN_IF_ERROR(SetStage(name, target.version, Stage::kProduction));
  Transition t{name, target.version, target.stage, Stage::kProduction, current.version, 0};
  RegistryEvent e;
  e.time_us = NowMicros();
  e.actor = change.actor;
  e.action = "rollback";
  e.name = name;
  e.version = target.version;
  e.from_stage = std::string(StageName(target.stage));
  e.to_stage = "production";
  e.replaced_version = current.version;
  e.reason = change.reason;
  KEEL_ASSIGN_OR_RETURN(t.event_id, AppendEvent(e));
  KEEL_RETURN_IF_ERROR(tx.Commit());
  return t;
}

Result<Transition> Registry::Archive(const std::string& name, int64_t version,
                                     const ChangeInfo& change) {
  KEEL_RETURN_IF_ERROR(CheckWritable());
  WriteTransaction tx(db_.get());
  KEEL_RETURN_IF_ERROR(tx.Begin(kRegistryLockKey));
  KEEL_ASSIGN_OR_RETURN(ModelVersion v, FindVersion(name, version, false));
  if (v.stage == Stage::kProduction) {
    return Status::FailedPrecondition(
        "{}@{} is the production version: promote another version or roll back first", name,
        version);
  }
  if (v.stage == Stage::kArchived) {
    return Status::FailedPrecondition("{}@{} is already archived", name, version);
  }
  KEEL_RETURN_IF_ERROR(SetStage(name, version, Stage::kArchived));
  Transition t{name, version, v.stage, Stage::kArchived, std::nullopt, 0};
  RegistryEvent e;
  e.time_us = NowMicros();
  e.actor = change.actor;
  e.action = "archive";
  e.name = name;
  e.version = version;
  e.from_stage = std::string(StageName(v.stage));
  e.to_stage = "archived";
  e.reason = change.reason;
  KEEL_ASSIGN_OR_RETURN(t.event_id, AppendEvent(e));
  KEEL_RETURN_IF_ERROR(tx.Commit());
  return t;
}

Result<std::vector<RegistryEvent>> Registry::Events(const std::string& name) {
  const std::string sql =
      std::string(
          "SELECT id, time_us, actor, action, name, version, from_stage, to_stage, "
          "replaced_version, reason, ") +
      // A version 1 registry opened read-only has no gate_override column.
      (schema_version_ >= 2 ? "gate_override" : "NULL") + " FROM registry_events" +
      (name.empty() ? "" : " WHERE name = $1") + " ORDER BY id";
  std::vector<SqlValue> params;
  if (!name.empty()) params.push_back(std::string_view(name));
  KEEL_ASSIGN_OR_RETURN(SqlResult r, db_->Exec(sql, params));
  std::vector<RegistryEvent> out;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    RegistryEvent e;
    e.id = r.Int(i, 0);
    e.time_us = r.Int(i, 1);
    e.actor = r.Text(i, 2);
    e.action = r.Text(i, 3);
    e.name = r.Text(i, 4);
    e.version = r.Int(i, 5);
    e.from_stage = r.Text(i, 6);
    e.to_stage = r.Text(i, 7);
    e.replaced_version = OptInt(r, i, 8);
    e.reason = r.Text(i, 9);
    e.gate_override = r.Text(i, 10);
    out.push_back(std::move(e));
  }
  return out;
}

Result<int64_t> Registry::LastEventId() {
  KEEL_ASSIGN_OR_RETURN(SqlResult r, db_->Exec("SELECT COALESCE(MAX(id), 0) FROM registry_events"));
  return r.Int(0, 0);
}

Result<std::vector<ProductionVersion>> Registry::ProductionVersions() {
  KEEL_ASSIGN_OR_RETURN(SqlResult r,
                        db_->Exec("SELECT name, version, sha256 FROM registry_versions WHERE "
                                  "stage = 'production' ORDER BY name"));
  std::vector<ProductionVersion> out;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    out.push_back({r.Text(i, 0), r.Int(i, 1), r.Text(i, 2)});
  }
  return out;
}

}  // namespace keel::registry
