// The PostgreSQL backend of SqlDatabase (libpq): one connection per SqlDatabase, parameters
// sent separately from the SQL (never spliced into it), BYTEA columns decoded to bytes.
#pragma once

#include <memory>
#include <string>

#include "registry/sql_database.h"

namespace keel::registry {

// Connects to `url` (postgresql://user:password@host:port/db?... or a libpq key=value
// string). Errors: IoError naming the server (without the password) and libpq's message.
Result<std::unique_ptr<SqlDatabase>> OpenPostgresDatabase(const std::string& url,
                                                          const DatabaseOptions& options);

// `url` with any password replaced by "***", for messages and logs.
std::string RedactPassword(const std::string& url);

}  // namespace keel::registry
