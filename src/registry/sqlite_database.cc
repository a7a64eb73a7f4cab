#include "registry/sqlite_database.h"

#include <sqlite3.h>
#include <sys/stat.h>

namespace keel::registry {
namespace {

// Rewrites PostgreSQL-style `$N` parameters to SQLite's `?N` (outside quoted literals), so
// one SQL text serves both backends.
std::string ToSqliteParams(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '1' && sql[i + 1] <= '9') {
      out.push_back('?');
      continue;
    }
    out.push_back(c);
  }
  return out;
}

// Binds params[i] to parameter i + 1 (texts and bytes without a copy: they must stay alive
// until the statement is reset). Returns the first SQLite error code, or SQLITE_OK.
int BindAll(sqlite3_stmt* st, std::span<const SqlValue> params) {
  for (size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i + 1);
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::nullptr_t>(params[i])) {
      rc = sqlite3_bind_null(st, idx);
    } else if (const auto* v = std::get_if<int64_t>(&params[i])) {
      rc = sqlite3_bind_int64(st, idx, *v);
    } else if (const auto* t = std::get_if<std::string_view>(&params[i])) {
      rc = sqlite3_bind_text64(st, idx, t->data(), t->size(), SQLITE_STATIC, SQLITE_UTF8);
    } else {
      const auto& b = std::get<SqlBytes>(params[i]);
      rc = sqlite3_bind_blob64(st, idx, b.data.empty() ? "" : b.data.data(), b.data.size(),
                               SQLITE_STATIC);
    }
    if (rc != SQLITE_OK && rc != SQLITE_RANGE) return rc;
  }
  return SQLITE_OK;
}

// Internal (a caller's bug) when `st` has more parameters than `given`.
Status CheckParamCount(sqlite3_stmt* st, size_t given, const std::string& path,
                       std::string_view sql) {
  const int needed = sqlite3_bind_parameter_count(st);
  if (static_cast<size_t>(needed) <= given) return Status::OK();
  return Status::Internal("database {}: statement needs {} parameters, got {}: {}", path, needed,
                          given, sql);
}

class SqliteStatement final : public SqlStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* st, const std::string* path, std::string sql)
      : db_(db), st_(st), path_(path), sql_(std::move(sql)) {}
  ~SqliteStatement() override { sqlite3_finalize(st_); }

  Result<uint64_t> Run(std::span<const SqlValue> params) override;

 private:
  sqlite3* db_;
  sqlite3_stmt* st_;
  const std::string* path_;  // the database's, for messages
  std::string sql_;
};

Result<uint64_t> SqliteStatement::Run(std::span<const SqlValue> params) {
  KEEL_RETURN_IF_ERROR(CheckParamCount(st_, params.size(), *path_, sql_));
  int rc = BindAll(st_, params);
  while (rc == SQLITE_OK || rc == SQLITE_ROW) rc = sqlite3_step(st_);
  Status st;
  if (rc != SQLITE_DONE) {
    st = Status::IoError("database {}: {} (while running: {})", *path_, sqlite3_errmsg(db_), sql_);
  }
  // Reset at once: the bound texts are the caller's and are only borrowed for this call.
  sqlite3_reset(st_);
  if (!st.ok()) return st;
  return static_cast<uint64_t>(sqlite3_changes64(db_));
}

class SqliteDatabase final : public SqlDatabase {
 public:
  SqliteDatabase(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteDatabase() override { sqlite3_close(db_); }

  using SqlDatabase::Exec;

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }
  const std::string& display_name() const override { return path_; }

  Result<SqlResult> Exec(std::string_view sql_in, const std::vector<SqlValue>& params) override {
    KEEL_ASSIGN_OR_RETURN(sqlite3_stmt * st, Compile(sql_in));
    struct Finalizer {
      sqlite3_stmt* st;
      ~Finalizer() { sqlite3_finalize(st); }
    } finalizer{st};
    KEEL_RETURN_IF_ERROR(CheckParamCount(st, params.size(), path_, sql_in));
    if (BindAll(st, params) != SQLITE_OK) return Error(sql_in);
    SqlResult result;
    for (;;) {
      const int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Error(sql_in);
      const int n = sqlite3_column_count(st);
      SqlRow row(static_cast<size_t>(n));
      for (int c = 0; c < n; ++c) {
        const int type = sqlite3_column_type(st, c);
        if (type == SQLITE_NULL) continue;
        if (type == SQLITE_BLOB) {
          const void* p = sqlite3_column_blob(st, c);
          row[c].emplace(static_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(st, c)));
        } else {
          const unsigned char* p = sqlite3_column_text(st, c);
          row[c].emplace(reinterpret_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(st, c)));
        }
      }
      result.rows.push_back(std::move(row));
    }
    result.affected = sqlite3_stmt_readonly(st) ? 0 : static_cast<uint64_t>(sqlite3_changes64(db_));
    return result;
  }

  Result<std::unique_ptr<SqlStatement>> Prepare(std::string_view sql_in) override {
    KEEL_ASSIGN_OR_RETURN(sqlite3_stmt * st, Compile(sql_in));
    return std::unique_ptr<SqlStatement>(
        std::make_unique<SqliteStatement>(db_, st, &path_, std::string(sql_in)));
  }

  Status ExecScript(std::string_view sql) override {
    const std::string text(sql);
    char* err = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      return Status::IoError("database {}: {} (while running: {})", path_, msg, sql);
    }
    return Status::OK();
  }

  Status BeginWrite(int64_t) override { return ExecScript("BEGIN IMMEDIATE"); }

 private:
  // The compiled statement (the caller finalizes it). Errors: IoError naming the SQL.
  Result<sqlite3_stmt*> Compile(std::string_view sql_in) {
    const std::string sql = ToSqliteParams(sql_in);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr) !=
        SQLITE_OK) {
      return Error(sql_in);
    }
    return st;
  }

  Status Error(std::string_view sql) const {
    return Status::IoError("database {}: {} (while running: {})", path_, sqlite3_errmsg(db_), sql);
  }

  sqlite3* db_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<SqlDatabase>> OpenSqliteDatabase(const std::string& path,
                                                        const DatabaseOptions& options) {
  if (!options.create) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      return Status::NotFound("{} does not exist", path);
    }
  }
  sqlite3* raw = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (options.create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw != nullptr ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    return Status::IoError("cannot open the database {}: {}", path, msg);
  }
  auto db = std::make_unique<SqliteDatabase>(raw, path);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // journal_mode answers with a row, so run it through Exec: it also proves the file is a
  // SQLite database (a text file fails here with "file is not a database"). A file opened
  // only to be read keeps its mode.
  KEEL_ASSIGN_OR_RETURN(
      SqlResult mode, db->Exec(options.create ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode"));
  if (options.create && mode.Text(0, 0) != "wal") {
    return Status::IoError("database {}: cannot switch to WAL mode (journal mode is \"{}\")", path,
                           mode.Text(0, 0));
  }
  KEEL_RETURN_IF_ERROR(
      db->ExecScript(options.durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  return std::unique_ptr<SqlDatabase>(std::move(db));
}

}  // namespace keel::registry
