#include "registry/prediction_log_store.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>

namespace keel::registry {
namespace {

// The layout version a SQLite log records in PRAGMA user_version.
// 2 added `variant` (champion / challenger) and `record_id` (the join key of fed-back labels)
// and the labels table.
constexpr int64_t kLogSchemaVersion = 2;

// The table and its indexes. The dialects differ only in the identity column and the width
// of the time column.
std::string TableDdl(SqlDialect dialect) {
  const bool sqlite = dialect == SqlDialect::kSqlite;
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS predictions ("
      " id {}, request_id TEXT NOT NULL, instance INTEGER NOT NULL,"
      " time_us {} NOT NULL, model TEXT NOT NULL, model_version TEXT NOT NULL,"
      " subject TEXT, inputs TEXT NOT NULL, output TEXT NOT NULL,"
      " variant TEXT NOT NULL DEFAULT 'champion', record_id TEXT);"
      "CREATE INDEX IF NOT EXISTS predictions_time ON predictions(time_us);"
      "CREATE INDEX IF NOT EXISTS predictions_subject ON predictions(subject);",
      sqlite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
      sqlite ? "INTEGER" : "BIGINT");
}

// Created after the columns exist (a version 1 log gains them first).
constexpr const char* kRecordIdIndex =
    "CREATE INDEX IF NOT EXISTS predictions_record ON predictions(model, record_id);";

// Fed-back outcomes, one per (model, record id): the first label of an id is kept.
std::string LabelsDdl(SqlDialect dialect) {
  const bool sqlite = dialect == SqlDialect::kSqlite;
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS labels ("
      " id {}, model TEXT NOT NULL, record_id TEXT NOT NULL, label TEXT NOT NULL,"
      " time_us {} NOT NULL, UNIQUE (model, record_id));",
      sqlite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
      sqlite ? "INTEGER" : "BIGINT");
}

// Adds the version 2 columns to a log written by version 1 (old rows: champion, no record
// id). SQLite has no ADD COLUMN IF NOT EXISTS: the columns are looked up first.
Status MigrateColumns(SqlDatabase& db) {
  if (db.dialect() == SqlDialect::kSqlite) {
    KEEL_ASSIGN_OR_RETURN(SqlResult cols, db.Exec("PRAGMA table_info(predictions)"));
    bool has_variant = false, has_record = false;
    for (size_t i = 0; i < cols.rows.size(); ++i) {
      has_variant = has_variant || cols.Text(i, 1) == "variant";
      has_record = has_record || cols.Text(i, 1) == "record_id";
    }
    if (!has_variant) {
      KEEL_RETURN_IF_ERROR(db.ExecScript(
          "ALTER TABLE predictions ADD COLUMN variant TEXT NOT NULL DEFAULT 'champion'"));
    }
    if (!has_record) {
      KEEL_RETURN_IF_ERROR(db.ExecScript("ALTER TABLE predictions ADD COLUMN record_id TEXT"));
    }
    return Status::OK();
  }
  return db.ExecScript(
      "ALTER TABLE predictions ADD COLUMN IF NOT EXISTS variant TEXT NOT NULL DEFAULT "
      "'champion';"
      "ALTER TABLE predictions ADD COLUMN IF NOT EXISTS record_id TEXT;");
}

Status CreateTables(SqlDatabase& db) {
  KEEL_RETURN_IF_ERROR(db.ExecScript(TableDdl(db.dialect())));
  KEEL_RETURN_IF_ERROR(MigrateColumns(db));
  KEEL_RETURN_IF_ERROR(db.ExecScript(kRecordIdIndex));
  return db.ExecScript(LabelsDdl(db.dialect()));
}

constexpr const char* kInsert =
    "INSERT INTO predictions (request_id, instance, time_us, model, model_version, subject, "
    "inputs, output, variant, record_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

// The insert of OpenIdempotent: the row only when its (request_id, instance) is not logged yet.
// The casts type the parameters for PostgreSQL (an INSERT ... SELECT gives them no column).
constexpr const char* kInsertOnce =
    "INSERT INTO predictions (request_id, instance, time_us, model, model_version, subject, "
    "inputs, output, variant, record_id) SELECT CAST($1 AS TEXT), CAST($2 AS INTEGER), "
    "CAST($3 AS BIGINT), CAST($4 AS TEXT), CAST($5 AS TEXT), CAST($6 AS TEXT), "
    "CAST($7 AS TEXT), CAST($8 AS TEXT), CAST($9 AS TEXT), CAST($10 AS TEXT) "
    "WHERE NOT EXISTS (SELECT 1 FROM predictions WHERE request_id = CAST($1 AS TEXT) AND "
    "instance = CAST($2 AS INTEGER))";
constexpr const char* kRequestIndex =
    "CREATE INDEX IF NOT EXISTS predictions_request ON predictions(request_id)";

// The advisory lock key serialising DDL on PostgreSQL ("keelplog").
constexpr int64_t kLogLockKey = 0x6b65656c706c6f67;

Status RequireTable(SqlDatabase& db) {
  const char* sql = db.dialect() == SqlDialect::kSqlite
                        ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
                          "'predictions'"
                        : "SELECT 1 FROM information_schema.tables WHERE table_name = "
                          "'predictions' AND table_schema = current_schema()";
  KEEL_ASSIGN_OR_RETURN(SqlResult r, db.Exec(sql));
  if (r.rows.empty()) {
    return Status::NotFound("{} holds no prediction log (no table \"predictions\")",
                            db.display_name());
  }
  return Status::OK();
}

}  // namespace

Status EnsurePredictionLogSchema(SqlDatabase& db) {
  if (db.dialect() == SqlDialect::kSqlite) {
    KEEL_ASSIGN_OR_RETURN(SqlResult v, db.Exec("PRAGMA user_version"));
    if (v.Int(0, 0) > kLogSchemaVersion) {
      return Status::Unsupported(
          "the prediction log {} has schema version {}; this keel writes version {}",
          db.display_name(), v.Int(0, 0), kLogSchemaVersion);
    }
    KEEL_RETURN_IF_ERROR(CreateTables(db));
    return db.ExecScript(fmt::format("PRAGMA user_version = {}", kLogSchemaVersion));
  }
  WriteTransaction tx(&db);
  KEEL_RETURN_IF_ERROR(tx.Begin(kLogLockKey));
  KEEL_RETURN_IF_ERROR(CreateTables(db));
  return tx.Commit();
}

Result<std::unique_ptr<PredictionLogWriter>> PredictionLogWriter::Open(SqlDatabase* db) {
  KEEL_RETURN_IF_ERROR(EnsurePredictionLogSchema(*db));
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<SqlStatement> insert, db->Prepare(kInsert));
  return std::unique_ptr<PredictionLogWriter>(new PredictionLogWriter(db, std::move(insert)));
}

Result<std::unique_ptr<PredictionLogWriter>> PredictionLogWriter::OpenIdempotent(SqlDatabase* db) {
  KEEL_RETURN_IF_ERROR(EnsurePredictionLogSchema(*db));
  if (db->dialect() == SqlDialect::kSqlite) {
    KEEL_RETURN_IF_ERROR(db->ExecScript(kRequestIndex));
  } else {
    WriteTransaction tx(db);
    KEEL_RETURN_IF_ERROR(tx.Begin(kLogLockKey));
    KEEL_RETURN_IF_ERROR(db->ExecScript(kRequestIndex));
    KEEL_RETURN_IF_ERROR(tx.Commit());
  }
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<SqlStatement> insert, db->Prepare(kInsertOnce));
  return std::unique_ptr<PredictionLogWriter>(new PredictionLogWriter(db, std::move(insert)));
}

Status PredictionLogWriter::Insert(std::span<const LoggedPrediction> rows) {
  if (rows.empty()) return Status::OK();
  WriteTransaction tx(db_);
  KEEL_RETURN_IF_ERROR(tx.Begin(kLogLockKey + 1));
  for (const LoggedPrediction& r : rows) {
    const std::array<SqlValue, 10> values = {
        r.request_id,
        int64_t{r.instance},
        r.time_micros,
        r.model,
        r.model_version,
        r.subject.empty() ? SqlValue(nullptr) : SqlValue(r.subject),
        r.inputs_json,
        r.output_json,
        r.variant.empty() ? SqlValue(std::string_view("champion")) : SqlValue(r.variant),
        r.record_id.empty() ? SqlValue(nullptr) : SqlValue(r.record_id)};
    KEEL_RETURN_IF_ERROR(insert_->Run(values).status());
  }
  return tx.Commit();
}

Status InsertPredictions(SqlDatabase& db, std::span<const LoggedPrediction> rows) {
  if (rows.empty()) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<SqlStatement> insert, db.Prepare(kInsert));
  return PredictionLogWriter(&db, std::move(insert)).Insert(rows);
}

Result<uint64_t> PrunePredictions(SqlDatabase& db, int64_t cutoff_us) {
  KEEL_RETURN_IF_ERROR(RequireTable(db));
  KEEL_ASSIGN_OR_RETURN(SqlResult r,
                        db.Exec("DELETE FROM predictions WHERE time_us < $1", {cutoff_us}));
  return r.affected;
}

Result<uint64_t> ForgetSubject(SqlDatabase& db, std::string_view pseudonym) {
  if (pseudonym.empty()) return Status::InvalidArgument("forget: the subject id is empty");
  KEEL_RETURN_IF_ERROR(RequireTable(db));
  // Erasure must not leave the rows readable in free pages: SQLite zeroes deleted content
  // with secure_delete, and the checkpoint moves the zeroed pages out of the WAL into the
  // file (best effort: a concurrent reader may delay it to the server's next checkpoint).
  if (db.dialect() == SqlDialect::kSqlite) {
    KEEL_RETURN_IF_ERROR(db.Exec("PRAGMA secure_delete = ON").status());
  }
  KEEL_ASSIGN_OR_RETURN(SqlResult r,
                        db.Exec("DELETE FROM predictions WHERE subject = $1", {pseudonym}));
  if (db.dialect() == SqlDialect::kSqlite) {
    db.Exec("PRAGMA wal_checkpoint(TRUNCATE)").status().IgnoreError();
  }
  return r.affected;
}

Result<uint64_t> CountPredictions(SqlDatabase& db, std::optional<std::string_view> subject) {
  KEEL_RETURN_IF_ERROR(RequireTable(db));
  std::vector<SqlValue> params;
  if (subject) params.push_back(*subject);
  KEEL_ASSIGN_OR_RETURN(SqlResult r, db.Exec(subject ? "SELECT COUNT(*) FROM predictions WHERE "
                                                       "subject = $1"
                                                     : "SELECT COUNT(*) FROM predictions",
                                             params));
  return static_cast<uint64_t>(r.Int(0, 0));
}

// "90d", "12h", "30m", "45s" (a bare number is days) -> microseconds.
Result<int64_t> ParseRetention(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, n);
  const std::string_view unit = text.substr(digits);
  int64_t scale = 0;
  if (unit.empty() || unit == "d") scale = 86400;
  if (unit == "h") scale = 3600;
  if (unit == "m") scale = 60;
  if (unit == "s") scale = 1;
  if (digits == 0 || ec != std::errc() || scale == 0 || n > 365LL * 1000) {
    return Status::InvalidArgument(
        "retention \"{}\": give a number with a unit d, h, m or s (e.g. 90d, 12h)", text);
  }
  return n * scale * 1000000;
}

}  // namespace keel::registry
