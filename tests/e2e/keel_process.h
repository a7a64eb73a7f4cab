// Helpers for end-to-end tests: run the `keel` binary as a user would and capture its output.
#pragma once

#include <string>
#include <vector>

namespace keel::e2e {

struct ProcessResult {
  int exit_code = -1;  // exit status, or 128 + signal number when killed by a signal
  std::string out;     // everything written to stdout
  std::string err;     // everything written to stderr
};

// Path of the keel binary under test.
std::string KeelBinary();

// Whether a child's stderr holds an AddressSanitizer, LeakSanitizer or UndefinedBehaviorSanitizer
// report. Under the asan preset a sanitized child that finds a bug exits 86 (CMakePresets.json),
// but a report must fail the test whatever the exit code, even one the test expects (1).
bool HasSanitizerReport(const std::string& err);

// Fails the running test (ADD_FAILURE, with the report) when `err`, the stderr of `who`, holds
// a sanitizer report. RunProgram, RunKeel and ServeProcess call it on every child.
void ExpectNoSanitizerReport(const std::string& err, const std::string& who);

// Runs `keel args...` with `input` on stdin; waits at most `timeout_seconds` (then kills it
// and reports exit code 124, like timeout(1)).
ProcessResult RunKeel(const std::vector<std::string>& args, const std::string& input = "",
                      int timeout_seconds = 120);

// Runs any program (argv[0] searched in PATH).
ProcessResult RunProgram(const std::vector<std::string>& argv, const std::string& input = "",
                         int timeout_seconds = 120);

// A fresh empty directory for one test, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes `text` to `path` (test helper; aborts the test on failure via ADD_FAILURE).
void WriteText(const std::string& path, const std::string& text);
// Reads a whole file ("" when it does not exist).
std::string ReadText(const std::string& path);
// The cells of simple CSV text, row by row: ',' separates cells, '"' toggles quoting and is
// dropped (no escaped quotes inside cells), a trailing '\r' is dropped.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text);

// The long flags ("--name") a `--help` text declares in its option list, in order, without
// --help and the common --json, --quiet and --verbose.
std::vector<std::string> HelpFlags(const std::string& help);

// Path of a file in the repository's tests/data folder (copies of the shared data sets).
std::string DataFile(const std::string& name);
// Path of a file in tests/fixtures.
std::string FixtureFile(const std::string& name);

// Writes the header and the first `rows` records of the file `from` (one record a line) to `to`:
// small, fast projects from the data sets.
void WriteHead(const std::string& from, const std::string& to, size_t rows);

}  // namespace keel::e2e
