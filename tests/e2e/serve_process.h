// Runs `keel serve` in the background for end-to-end tests: starts it on a free loopback port
// (--port 0), reads the chosen port from its stderr, and stops it with a signal.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace keel::e2e {

class ServeProcess {
 public:
  // Starts `keel serve --host 127.0.0.1 --port 0 args...`. The environment is the test's,
  // without KEEL_ADMIN_TOKEN and KEEL_PII_KEY, plus `env`. Waits up to 30 s for the server
  // to listen; port() is 0 when it did not (see err()).
  explicit ServeProcess(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env = {});
  // Starts any long-running program: `argv` as given (argv[0] a path, the environment the
  // test's plus `env`), without waiting for a port (port() stays 0). For `keel stream` and
  // nats-server in the NATS tests.
  struct Program {};
  ServeProcess(Program, const std::vector<std::string>& argv,
               const std::map<std::string, std::string>& env = {});
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits for the process to exit: its exit code, 128 + signal when killed, -1 on timeout.
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Everything the server wrote on stderr so far.
  std::string err() const;
  // Waits until the server's stderr contains `text`: a line the server writes as it answers is
  // read by another thread, so it may arrive just after the answer. False on timeout.
  bool WaitForErr(const std::string& text,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  std::string out() const;

 private:
  void Start(std::vector<std::string> argv, const std::map<std::string, std::string>& env,
             bool wait_for_port);
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_code_ = -1;
  bool exited_ = false;
  mutable std::mutex mu_;
  std::string err_;
  std::string out_;
  std::thread err_reader_;
  std::thread out_reader_;
};

}  // namespace keel::e2e
