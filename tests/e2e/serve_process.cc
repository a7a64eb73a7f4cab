#include "serve_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "keel_process.h"

extern char** environ;

namespace keel::e2e {

ServeProcess::ServeProcess(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {KeelBinary(), "serve", "--host", "127.0.0.1", "--port", "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  Start(std::move(argv), env, true);
}

ServeProcess::ServeProcess(Program, const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env) {
  Start(argv, env, false);
}

void ServeProcess::Start(std::vector<std::string> argv,
                         const std::map<std::string, std::string>& env, bool wait_for_port) {
  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv = *e;
    if (kv.rfind("KEEL_ADMIN_TOKEN=", 0) == 0 || kv.rfind("KEEL_PII_KEY=", 0) == 0) continue;
    envs.push_back(kv);
  }
  for (const auto& [k, v] : env) envs.push_back(k + "=" + v);

  int err_pipe[2], out_pipe[2];
  if (pipe(err_pipe) != 0 || pipe(out_pipe) != 0) return;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  for (int fd : {err_pipe[0], err_pipe[1], out_pipe[0], out_pipe[1]}) {
    posix_spawn_file_actions_addclose(&fa, fd);
  }
  std::vector<char*> a, e;
  for (auto& s : argv) a.push_back(s.data());
  a.push_back(nullptr);
  for (auto& s : envs) e.push_back(s.data());
  e.push_back(nullptr);
  const int rc = posix_spawn(&pid_, a[0], &fa, nullptr, a.data(), e.data());
  posix_spawn_file_actions_destroy(&fa);
  close(err_pipe[1]);
  close(out_pipe[1]);
  if (rc != 0) {
    pid_ = -1;
    close(err_pipe[0]);
    close(out_pipe[0]);
    err_ = "spawn failed: " + std::string(std::strerror(rc));
    return;
  }
  auto reader = [this](int fd, std::string* sink) {
    char buf[4096];
    for (;;) {
      const ssize_t k = read(fd, buf, sizeof(buf));
      if (k <= 0) break;
      std::lock_guard<std::mutex> lock(mu_);
      sink->append(buf, static_cast<size_t>(k));
    }
    close(fd);
  };
  err_reader_ = std::thread(reader, err_pipe[0], &err_);
  out_reader_ = std::thread(reader, out_pipe[0], &out_);
  if (!wait_for_port) return;

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  static constexpr std::string_view kMarker = "listening on http://127.0.0.1:";
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      const size_t at = err_.find(kMarker);
      if (at != std::string::npos && err_.find('\n', at) != std::string::npos) {
        port_ = std::atoi(err_.c_str() + at + kMarker.size());
        return;
      }
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(10));
  }
  if (err_reader_.joinable()) err_reader_.join();
  if (out_reader_.joinable()) out_reader_.join();
  ExpectNoSanitizerReport(err_, "keel serve");
}

void ServeProcess::Signal(int sig) {
  if (pid_ > 0 && !exited_) kill(pid_, sig);
}

int ServeProcess::Wait(std::chrono::milliseconds timeout) {
  if (exited_) return exit_code_;
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      if (err_reader_.joinable()) err_reader_.join();
      if (out_reader_.joinable()) out_reader_.join();
      return exit_code_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

std::string ServeProcess::err() const {
  std::lock_guard<std::mutex> lock(mu_);
  return err_;
}

bool ServeProcess::WaitForErr(const std::string& text, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (err().find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string ServeProcess::out() const {
  std::lock_guard<std::mutex> lock(mu_);
  return out_;
}

}  // namespace keel::e2e
