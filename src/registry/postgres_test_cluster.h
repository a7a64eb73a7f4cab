// A throwaway PostgreSQL server for tests: initdb into a temporary directory, start it on a
// free loopback port with pg_ctl, stop it and remove the directory on destruction.
//
// The binaries come from KEEL_PG_BIN (if set) or Debian's /usr/lib/postgresql/<N>/bin
// (newest N). PostgreSQL refuses to run as root, so when the test runs as root (CI
// containers) the server runs as the unprivileged user `nobody` via runuser(1), in a
// directory handed to that user. Authentication is `trust` on loopback only.
//
// Test-only code: compiled into test binaries, never into libkeel.
#pragma once

#include <memory>
#include <string>

namespace keel::registry::testing {

class PostgresTestCluster {
 public:
  // Starts a server. On failure returns null and sets *why (binaries absent, initdb or
  // pg_ctl failed, with their output). `*binaries_missing` tells a skip from a failure.
  static std::unique_ptr<PostgresTestCluster> Start(std::string* why, bool* binaries_missing);
  ~PostgresTestCluster();
  PostgresTestCluster(const PostgresTestCluster&) = delete;
  PostgresTestCluster& operator=(const PostgresTestCluster&) = delete;

  int port() const { return port_; }
  // postgresql://keel@127.0.0.1:PORT/<database>.
  std::string Url(const std::string& database = "postgres") const;
  // Creates a fresh, empty database and returns its URL; "" on failure (see last_error()).
  std::string CreateDatabase();
  const std::string& last_error() const { return last_error_; }

  // The process-wide cluster, started on first use and stopped at exit (one per test
  // binary run). Null when it could not start; *why says why.
  static PostgresTestCluster* Shared(std::string* why, bool* binaries_missing);

 private:
  PostgresTestCluster() = default;
  std::string bin_;
  std::string dir_;
  int port_ = 0;
  bool as_nobody_ = false;
  int next_db_ = 0;
  std::string last_error_;
};

}  // namespace keel::registry::testing
