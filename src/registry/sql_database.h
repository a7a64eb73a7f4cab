// SqlDatabase: the one storage abstraction under the model registry and the prediction log.
//
// Two backends implement it: SQLite (a local file, WAL mode; the default) and PostgreSQL via
// libpq (a `postgresql://` or `postgres://` URL), so one registry and one log can be shared by
// several servers. Callers write SQL in the common subset of both dialects with numbered
// parameters `$1`, `$2`, ... (rewritten to `?1`, `?2` for SQLite); where the dialects differ
// (DDL, identity columns) they branch on dialect().
//
// Values travel as SqlValue (null, 64-bit integer, text, or bytes). Results come back as
// text (integers in decimal) or, for BLOB/BYTEA columns, the raw bytes.
//
// Thread-safety: one SqlDatabase is one connection; use it from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keel/status.h"

namespace keel::registry {

enum class SqlDialect : uint8_t { kSqlite, kPostgres };

// Bytes bound as BLOB (SQLite) or BYTEA (PostgreSQL), as opposed to text.
struct SqlBytes {
  std::string_view data;
};

// A parameter: null, integer, text (borrowed for the call) or bytes (borrowed for the call).
using SqlValue = std::variant<std::nullptr_t, int64_t, std::string_view, SqlBytes>;

// One result row: a value per column; nullopt is SQL NULL.
using SqlRow = std::vector<std::optional<std::string>>;

struct SqlResult {
  std::vector<SqlRow> rows;
  uint64_t affected = 0;  // rows inserted, updated or deleted by the statement

  // Column `col` of row `row` as an integer; `fallback` when NULL or not a number.
  int64_t Int(size_t row, size_t col, int64_t fallback = 0) const;
  // Column `col` of row `row` as text; "" when NULL.
  const std::string& Text(size_t row, size_t col) const;
};

struct DatabaseOptions {
  // SQLite: synchronous=FULL (every commit reaches the disk before it returns) instead of
  // NORMAL (WAL: a power loss may undo the last commits; a process crash never does).
  bool durable = true;
  // How long a writer waits for another connection's lock before failing.
  int busy_timeout_ms = 10000;
  // SQLite: create the file when absent and switch it to WAL mode. Off for commands that only
  // read: a missing file is then NotFound (nothing is created) and an existing one is opened
  // as it is. PostgreSQL databases are never created.
  bool create = true;
};

// A statement parsed once and run many times, for writers that insert row after row (the
// prediction log): each run only binds its parameters. It belongs to the SqlDatabase that
// prepared it, must not outlive it, and is used from that database's thread.
class SqlStatement {
 public:
  virtual ~SqlStatement() = default;
  // Runs the statement with parameters $1..$N = params[0..N-1] (texts and bytes are borrowed
  // for the call); returns the rows it inserted, updated or deleted. Result rows, if any, are
  // discarded. Errors: IoError naming the database, the backend's message and the statement.
  virtual Result<uint64_t> Run(std::span<const SqlValue> params) = 0;
};

class SqlDatabase {
 public:
  virtual ~SqlDatabase() = default;

  virtual SqlDialect dialect() const = 0;
  // The location without a password, for messages.
  virtual const std::string& display_name() const = 0;

  // Runs one statement with parameters $1..$N = params[0..N-1]. Errors: IoError naming the
  // database, the backend's message and the statement.
  virtual Result<SqlResult> Exec(std::string_view sql, const std::vector<SqlValue>& params) = 0;
  Result<SqlResult> Exec(std::string_view sql) { return Exec(sql, {}); }

  // Parses `sql` (parameters $1..$N, as for Exec) once for many runs. Errors: IoError.
  virtual Result<std::unique_ptr<SqlStatement>> Prepare(std::string_view sql) = 0;

  // Runs several `;`-separated statements without parameters (schema DDL).
  virtual Status ExecScript(std::string_view sql) = 0;

  // Starts a transaction that will write: SQLite takes the write lock now (BEGIN IMMEDIATE);
  // PostgreSQL serialises writers of the same `lock_key` with a transaction advisory lock.
  virtual Status BeginWrite(int64_t lock_key) = 0;
  Status Commit() { return ExecScript("COMMIT"); }
  Status Rollback() { return ExecScript("ROLLBACK"); }
};

// Opens `location`: a `postgresql://` / `postgres://` URL (or libpq "key=value" string
// starting with "host=" / "dbname="), else a SQLite file path (created if absent unless
// options.create is off; a `sqlite://` prefix is stripped). Errors: IoError when the
// database cannot be opened or reached, NotFound for a missing SQLite file that is not to be
// created, Unsupported for another URL scheme.
Result<std::unique_ptr<SqlDatabase>> OpenDatabase(const std::string& location,
                                                  const DatabaseOptions& options = {});

// Whether `location` names a PostgreSQL server rather than a SQLite file.
bool IsPostgresLocation(std::string_view location);

// Commits on Commit(); rolls back on destruction otherwise.
class WriteTransaction {
 public:
  explicit WriteTransaction(SqlDatabase* db) : db_(db) {}
  ~WriteTransaction() {
    if (open_) db_->Rollback().IgnoreError();
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  Status Begin(int64_t lock_key) {
    KEEL_RETURN_IF_ERROR(db_->BeginWrite(lock_key));
    open_ = true;
    return Status::OK();
  }
  Status Commit() {
    open_ = false;
    return db_->Commit();
  }

 private:
  SqlDatabase* db_;
  bool open_ = false;
};

}  // namespace keel::registry
