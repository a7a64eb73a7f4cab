#include "registry/postgres_test_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "registry/sql_database.h"

namespace keel::registry::testing {
namespace {

namespace fs = std::filesystem;

// The newest /usr/lib/postgresql/<N>/bin holding initdb and pg_ctl, or KEEL_PG_BIN.
std::string FindBinaries() {
  if (const char* env = std::getenv("KEEL_PG_BIN"); env != nullptr && *env != '\0') return env;
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string bin = entry.path().string() + "/bin";
    if (!fs::exists(bin + "/initdb") || !fs::exists(bin + "/pg_ctl")) continue;
    const int v = std::atoi(entry.path().filename().c_str());
    if (v > best_version) {
      best_version = v;
      best = bin;
    }
  }
  return best;
}

// Runs argv (as `nobody` when as_nobody) in `cwd`; returns the exit code, output in *out.
int Run(std::vector<std::string> argv, bool as_nobody, const std::string& cwd, std::string* out) {
  if (as_nobody) argv.insert(argv.begin(), {"runuser", "-u", "nobody", "--"});
  int pipefd[2];
  if (pipe(pipefd) != 0) return -1;
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    close(pipefd[0]);
    close(pipefd[1]);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    if (chdir(cwd.c_str()) != 0) _exit(126);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(pipefd[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) out->append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

}  // namespace

std::unique_ptr<PostgresTestCluster> PostgresTestCluster::Start(std::string* why,
                                                                bool* binaries_missing) {
  *binaries_missing = false;
  std::unique_ptr<PostgresTestCluster> c(new PostgresTestCluster());
  c->bin_ = FindBinaries();
  if (c->bin_.empty()) {
    *binaries_missing = true;
    *why =
        "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin "
        "(apt-get install postgresql, or set KEEL_PG_BIN)";
    return nullptr;
  }
  c->as_nobody_ = geteuid() == 0;
  if (c->as_nobody_ && getpwnam("nobody") == nullptr) {
    *why = "running as root and there is no user 'nobody' to run PostgreSQL as";
    return nullptr;
  }
  std::string tmpl = (fs::temp_directory_path() / "keel-pg-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    *why = "cannot create a temporary directory";
    return nullptr;
  }
  c->dir_ = tmpl;
  if (c->as_nobody_) {
    const passwd* pw = getpwnam("nobody");
    if (chown(c->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      *why = "cannot hand " + c->dir_ + " to user nobody";
      return nullptr;
    }
  }
  const std::string data = c->dir_ + "/data";
  std::string out;
  int rc = Run({c->bin_ + "/initdb", "-D", data, "-U", "keel", "-A", "trust", "-E", "UTF8",
                "--locale=C", "--no-sync"},
               c->as_nobody_, c->dir_, &out);
  if (rc != 0) {
    *why = "initdb failed (exit " + std::to_string(rc) + "): " + out;
    return nullptr;
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    c->port_ = FreeLoopbackPort();
    out.clear();
    const std::string opts = "-p " + std::to_string(c->port_) + " -k " + c->dir_ +
                             " -c listen_addresses=127.0.0.1 -c fsync=off"
                             " -c full_page_writes=off -c shared_buffers=16MB"
                             " -c max_connections=60";
    rc = Run({c->bin_ + "/pg_ctl", "-D", data, "-o", opts, "-l", c->dir_ + "/server.log", "-w",
              "-t", "60", "start"},
             c->as_nobody_, c->dir_, &out);
    if (rc == 0) return c;
  }
  std::string log;
  Run({"cat", c->dir_ + "/server.log"}, false, "/", &log);
  *why = "pg_ctl start failed: " + out + "\nserver log:\n" + log;
  return nullptr;
}

PostgresTestCluster::~PostgresTestCluster() {
  if (port_ != 0 && !dir_.empty()) {
    std::string out;
    Run({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"}, as_nobody_, dir_,
        &out);
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string PostgresTestCluster::Url(const std::string& database) const {
  return "postgresql://keel@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresTestCluster::CreateDatabase() {
  auto db = OpenDatabase(Url());
  if (!db.ok()) {
    last_error_ = db.status().ToString();
    return "";
  }
  const std::string name =
      "keel_test_" + std::to_string(getpid()) + "_" + std::to_string(++next_db_);
  Status st = (*db)->ExecScript("CREATE DATABASE " + name);
  if (!st.ok()) {
    last_error_ = st.ToString();
    return "";
  }
  return Url(name);
}

PostgresTestCluster* PostgresTestCluster::Shared(std::string* why, bool* binaries_missing) {
  static std::string start_error;
  static bool missing = false;
  static std::unique_ptr<PostgresTestCluster> shared = [] {
    return Start(&start_error, &missing);
  }();
  *why = start_error;
  *binaries_missing = missing;
  return shared.get();
}

}  // namespace keel::registry::testing
