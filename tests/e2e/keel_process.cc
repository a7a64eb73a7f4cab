#include "keel_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace keel::e2e {

std::string KeelBinary() {
  if (const char* p = std::getenv("KEEL_BIN"); p != nullptr && *p != '\0') return p;
  return KEEL_BIN;
}

ProcessResult RunProgram(const std::vector<std::string>& argv, const std::string& input,
                         int timeout_seconds) {
  ProcessResult res;
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0 || pipe(err_pipe) != 0) return res;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
    posix_spawn_file_actions_addclose(&fa, fd);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    close(err_pipe[0]);
    res.err = "spawn failed";
    return res;
  }
  fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  size_t written = 0;
  if (input.empty()) {
    close(in_pipe[1]);
    in_pipe[1] = -1;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  bool out_open = true, err_open = true, timed_out = false;
  char buf[65536];
  while (out_open || err_open) {
    pollfd fds[3];
    int n = 0;
    int out_i = -1, err_i = -1, in_i = -1;
    if (out_open) {
      fds[n] = {out_pipe[0], POLLIN, 0};
      out_i = n++;
    }
    if (err_open) {
      fds[n] = {err_pipe[0], POLLIN, 0};
      err_i = n++;
    }
    if (in_pipe[1] >= 0) {
      fds[n] = {in_pipe[1], POLLOUT, 0};
      in_i = n++;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    if (poll(fds, static_cast<nfds_t>(n), static_cast<int>(std::min<long>(left.count(), 1000))) <
        0) {
      if (errno == EINTR) continue;
      break;
    }
    if (out_i >= 0 && (fds[out_i].revents & (POLLIN | POLLHUP))) {
      const ssize_t k = read(out_pipe[0], buf, sizeof(buf));
      if (k > 0)
        res.out.append(buf, static_cast<size_t>(k));
      else
        out_open = false;
    }
    if (err_i >= 0 && (fds[err_i].revents & (POLLIN | POLLHUP))) {
      const ssize_t k = read(err_pipe[0], buf, sizeof(buf));
      if (k > 0)
        res.err.append(buf, static_cast<size_t>(k));
      else
        err_open = false;
    }
    if (in_i >= 0 && (fds[in_i].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t k = write(in_pipe[1], input.data() + written, input.size() - written);
      if (k > 0) written += static_cast<size_t>(k);
      if (k < 0 && errno != EAGAIN) written = input.size();
      if (written >= input.size()) {
        close(in_pipe[1]);
        in_pipe[1] = -1;
      }
    }
  }
  if (in_pipe[1] >= 0) close(in_pipe[1]);
  close(out_pipe[0]);
  close(err_pipe[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (timed_out) {
    res.exit_code = 124;
  } else if (WIFEXITED(status)) {
    res.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    res.exit_code = 128 + WTERMSIG(status);
  }
  ExpectNoSanitizerReport(res.err, argv.empty() ? "" : argv[0]);
  return res;
}

bool HasSanitizerReport(const std::string& err) {
  // ASan and LSan: "==PID==ERROR: AddressSanitizer: ..." / "ERROR: LeakSanitizer: ...";
  // UBSan: "file.cc:12:5: runtime error: ...".
  for (const char* marker :
       {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", ": runtime error: "}) {
    if (err.find(marker) != std::string::npos) return true;
  }
  return false;
}

void ExpectNoSanitizerReport(const std::string& err, const std::string& who) {
  if (HasSanitizerReport(err)) ADD_FAILURE() << who << " printed a sanitizer report:\n" << err;
}

ProcessResult RunKeel(const std::vector<std::string>& args, const std::string& input,
                      int timeout_seconds) {
  std::vector<std::string> argv = {KeelBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, input, timeout_seconds);
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "keel-e2e-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) ADD_FAILURE() << "cannot write " << path;
}

std::string ReadText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        cells.push_back(cell);
        cell.clear();
      } else {
        cell += c;
      }
    }
    cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

std::vector<std::string> HelpFlags(const std::string& help) {
  std::vector<std::string> flags;
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) {
    // An option line: indented, starts with its names ("-m,--model TEXT ...", "--no-log").
    const size_t start = line.find_first_not_of(' ');
    if (start == 0 || start == std::string::npos || line[start] != '-') continue;
    const std::string names = line.substr(start, line.find(' ', start) - start);
    const size_t dashes = names.find("--");
    if (dashes == std::string::npos) continue;
    const std::string flag = names.substr(dashes, names.find(',', dashes) - dashes);
    if (flag == "--help" || flag == "--json" || flag == "--quiet" || flag == "--verbose") continue;
    flags.push_back(flag);
  }
  return flags;
}

void WriteHead(const std::string& from, const std::string& to, size_t rows) {
  std::ifstream in(from);
  std::ofstream out(to);
  std::string line;
  for (size_t i = 0; i <= rows && std::getline(in, line); ++i) out << line << '\n';
}

std::string DataFile(const std::string& name) {
  return std::string(KEEL_SHARED_DATA_DIR) + "/" + name;
}
std::string FixtureFile(const std::string& name) {
  return std::string(KEEL_FIXTURES_DIR) + "/" + name;
}

}  // namespace keel::e2e
