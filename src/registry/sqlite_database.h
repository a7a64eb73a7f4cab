// The SQLite backend of SqlDatabase: a local file in WAL mode (readers never block the
// writer), foreign keys on, synchronous=FULL in durable mode.
#pragma once

#include <memory>
#include <string>

#include "registry/sql_database.h"

namespace keel::registry {

// Opens or creates (options.create) the SQLite file at `path`. Errors: NotFound (absent and
// not to be created), IoError (cannot open, not a database, cannot switch to WAL).
Result<std::unique_ptr<SqlDatabase>> OpenSqliteDatabase(const std::string& path,
                                                        const DatabaseOptions& options);

}  // namespace keel::registry
