#include "registry/sql_database.h"

#include <charconv>

#include "registry/postgres_database.h"
#include "registry/sqlite_database.h"

namespace keel::registry {

int64_t SqlResult::Int(size_t row, size_t col, int64_t fallback) const {
  if (row >= rows.size() || col >= rows[row].size() || !rows[row][col]) return fallback;
  const std::string& s = *rows[row][col];
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return fallback;
  return v;
}

const std::string& SqlResult::Text(size_t row, size_t col) const {
  static const std::string kEmpty;
  if (row >= rows.size() || col >= rows[row].size() || !rows[row][col]) return kEmpty;
  return *rows[row][col];
}

bool IsPostgresLocation(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://") ||
         location.starts_with("host=") || location.starts_with("dbname=");
}

Result<std::unique_ptr<SqlDatabase>> OpenDatabase(const std::string& location,
                                                  const DatabaseOptions& options) {
  if (location.empty()) return Status::InvalidArgument("empty database location");
  if (IsPostgresLocation(location)) return OpenPostgresDatabase(location, options);
  std::string path = location;
  if (path.starts_with("sqlite://")) path = path.substr(9);
  const size_t scheme = path.find("://");
  if (scheme != std::string::npos && path.find('/') > scheme) {
    return Status::Unsupported(
        "database \"{}\": unknown scheme \"{}\" (use a SQLite file path or a postgresql:// URL)",
        RedactPassword(location), path.substr(0, scheme));
  }
  return OpenSqliteDatabase(path, options);
}

}  // namespace keel::registry
