#include "registry/postgres_database.h"

#include <libpq-fe.h>

#include <span>
#include <string>
#include <vector>

namespace keel::registry {
namespace {

constexpr Oid kByteaOid = 17;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// BYTEA in text form is "\x" followed by hex digits (bytea_output = hex, set at connect).
std::optional<std::string> DecodeBytea(std::string_view text) {
  if (!text.starts_with("\\x") || text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.resize((text.size() - 2) / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexValue(text[2 + 2 * i]), lo = HexValue(text[3 + 2 * i]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Parameters in libpq's arrays: integers as decimal text, texts and bytes in binary format (the
// bytes themselves, so they need no NUL terminator), null as a null pointer.
struct PgParams {
  explicit PgParams(std::span<const SqlValue> params)
      : values(params.size(), nullptr),
        lengths(params.size(), 0),
        formats(params.size(), 0),
        types(params.size(), 0) {
    ints.reserve(params.size());  // no reallocation: values[] points into it
    for (size_t i = 0; i < params.size(); ++i) {
      if (const auto* v = std::get_if<int64_t>(&params[i])) {
        ints.push_back(std::to_string(*v));
        values[i] = ints.back().c_str();
        types[i] = 20;  // int8
      } else if (const auto* t = std::get_if<std::string_view>(&params[i])) {
        values[i] = t->data() != nullptr ? t->data() : "";
        lengths[i] = static_cast<int>(t->size());
        formats[i] = 1;
        types[i] = 25;  // text
      } else if (const auto* b = std::get_if<SqlBytes>(&params[i])) {
        values[i] = b->data.data() != nullptr ? b->data.data() : "";
        lengths[i] = static_cast<int>(b->data.size());
        formats[i] = 1;
        types[i] = kByteaOid;
      }
    }
  }
  std::vector<std::string> ints;  // decimal texts of integer parameters
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  std::vector<Oid> types;
};

// `res` failed unless it is COMMAND_OK or TUPLES_OK: the IoError naming `name` and `sql`.
Status ResultStatus(PGconn* conn, PGresult* res, const std::string& name, std::string_view sql) {
  const ExecStatusType status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Status::OK();
  return Status::IoError("database {}: {} (while running: {})", name,
                         Trim(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn)),
                         sql);
}

// A server-side prepared statement; each parameter's type is inferred by the server from
// the statement (an INSERT's columns), so a run sends only the values.
class PostgresStatement final : public SqlStatement {
 public:
  PostgresStatement(PGconn* conn, std::string statement_name, const std::string* db_name,
                    std::string sql)
      : conn_(conn),
        statement_(std::move(statement_name)),
        db_name_(db_name),
        sql_(std::move(sql)) {}
  ~PostgresStatement() override {
    const std::string dealloc = "DEALLOCATE " + statement_;
    PQclear(PQexec(conn_, dealloc.c_str()));
  }

  Result<uint64_t> Run(std::span<const SqlValue> params) override {
    const PgParams p(params);
    PGresult* res = PQexecPrepared(conn_, statement_.c_str(), static_cast<int>(params.size()),
                                   p.values.data(), p.lengths.data(), p.formats.data(), 0);
    Status st = ResultStatus(conn_, res, *db_name_, sql_);
    const char* tuples = res != nullptr ? PQcmdTuples(res) : nullptr;
    const uint64_t affected =
        st.ok() && tuples != nullptr && *tuples != '\0' ? std::stoull(tuples) : 0;
    PQclear(res);
    if (!st.ok()) return st;
    return affected;
  }

 private:
  PGconn* conn_;
  std::string statement_;
  const std::string* db_name_;  // the database's, for messages
  std::string sql_;
};

class PostgresDatabase final : public SqlDatabase {
 public:
  PostgresDatabase(PGconn* conn, std::string name) : conn_(conn), name_(std::move(name)) {}
  ~PostgresDatabase() override { PQfinish(conn_); }

  using SqlDatabase::Exec;

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }
  const std::string& display_name() const override { return name_; }

  Result<SqlResult> Exec(std::string_view sql_in, const std::vector<SqlValue>& params) override {
    const std::string sql(sql_in);
    const PgParams p(params);
    PGresult* res =
        PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), p.types.data(),
                     p.values.data(), p.lengths.data(), p.formats.data(), 0);
    struct Clear {
      PGresult* r;
      ~Clear() { PQclear(r); }
    } clear{res};
    KEEL_RETURN_IF_ERROR(ResultStatus(conn_, res, name_, sql_in));
    SqlResult result;
    const int nrows = PQntuples(res), ncols = PQnfields(res);
    result.rows.reserve(static_cast<size_t>(nrows));
    for (int r = 0; r < nrows; ++r) {
      SqlRow row(static_cast<size_t>(ncols));
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res, r, c)) continue;
        std::string_view text(PQgetvalue(res, r, c), static_cast<size_t>(PQgetlength(res, r, c)));
        if (PQftype(res, c) == kByteaOid) {
          auto bytes = DecodeBytea(text);
          if (!bytes) {
            return Status::Corrupt("database {}: malformed bytea value in column {}", name_,
                                   PQfname(res, c));
          }
          row[c] = std::move(*bytes);
        } else {
          row[c].emplace(text);
        }
      }
      result.rows.push_back(std::move(row));
    }
    const char* tuples = PQcmdTuples(res);
    if (tuples != nullptr && *tuples != '\0') result.affected = std::stoull(tuples);
    return result;
  }

  Result<std::unique_ptr<SqlStatement>> Prepare(std::string_view sql_in) override {
    const std::string sql(sql_in);
    std::string statement = "keel_stmt_" + std::to_string(++prepared_);
    PGresult* res = PQprepare(conn_, statement.c_str(), sql.c_str(), 0, nullptr);
    Status st = ResultStatus(conn_, res, name_, sql_in);
    PQclear(res);
    if (!st.ok()) return st;
    return std::unique_ptr<SqlStatement>(
        std::make_unique<PostgresStatement>(conn_, std::move(statement), &name_, sql));
  }

  Status ExecScript(std::string_view sql) override {
    const std::string text(sql);
    PGresult* res = PQexec(conn_, text.c_str());
    const ExecStatusType status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    std::string msg = Trim(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
    PQclear(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return Status::IoError("database {}: {} (while running: {})", name_, msg, sql);
    }
    return Status::OK();
  }

  Status BeginWrite(int64_t lock_key) override {
    KEEL_RETURN_IF_ERROR(ExecScript("BEGIN"));
    auto locked = Exec("SELECT pg_advisory_xact_lock($1)", {lock_key});
    if (!locked.ok()) {
      Rollback().IgnoreError();
      return locked.status();
    }
    return Status::OK();
  }

 private:
  PGconn* conn_;
  std::string name_;
  uint64_t prepared_ = 0;  // statements prepared so far: names them uniquely per connection
};

}  // namespace

std::string RedactPassword(const std::string& url) {
  // postgresql://user:password@host/...: hide what lies between the first ':' after the
  // scheme and the '@'.
  const size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    const size_t at = url.find('@', scheme + 3);
    if (at == std::string::npos) return url;
    const size_t colon = url.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at) return url;
    return url.substr(0, colon + 1) + "***" + url.substr(at);
  }
  const size_t pw = url.find("password=");
  if (pw == std::string::npos) return url;
  size_t end = url.find(' ', pw);
  if (end == std::string::npos) end = url.size();
  return url.substr(0, pw + 9) + "***" + url.substr(end);
}

Result<std::unique_ptr<SqlDatabase>> OpenPostgresDatabase(const std::string& url,
                                                          const DatabaseOptions& options) {
  const std::string name = RedactPassword(url);
  PGconn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr) return Status::IoError("cannot connect to {}: out of memory", name);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = Trim(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::IoError("cannot connect to {}: {}", name, msg);
  }
  auto db = std::make_unique<PostgresDatabase>(conn, name);
  // Quiet NOTICEs ("relation already exists, skipping") and pin the formats we decode.
  KEEL_RETURN_IF_ERROR(
      db->ExecScript("SET client_min_messages = warning; SET bytea_output = 'hex'; "
                     "SET lock_timeout = " +
                     std::to_string(options.busy_timeout_ms) +
                     "; SET synchronous_commit = " + (options.durable ? "on" : "off")));
  return std::unique_ptr<SqlDatabase>(std::move(db));
}

}  // namespace keel::registry
