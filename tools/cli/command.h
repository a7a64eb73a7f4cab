// The `keel` command line: shared plumbing for subcommands.
//
// Each subcommand lives in its own cmd_<name>.cc and exposes one Add<Name>Command function
// that declares its flags on a CLI11 subcommand and returns what to run. Subcommands hold no
// logic the library lacks: they parse flags, call libkeel, and print.
//
// Contract (DESIGN.md): every command takes --json to print one JSON object on stdout;
// progress and logs go to stderr; errors exit non-zero with a clear message.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/context.h"
#include "core/readable_number.h"
#include "keel/status.h"
#include "usecase/option_ranges.h"

namespace keel::cli {

// Flags every subcommand accepts.
struct CommonFlags {
  bool json = false;
  bool quiet = false;
  bool verbose = false;
};

// What a subcommand runs once its flags are parsed: returns the process exit code.
using RunFn = std::function<int()>;

struct Command {
  CLI::App* app = nullptr;
  RunFn run;
};

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command could not do its job (bad input, I/O)
inline constexpr int kExitUsage = 2;    // wrong flags or arguments

// Adds --json, --quiet and --verbose to a subcommand.
void AddCommonFlags(CLI::App* sub, CommonFlags* flags);

// Applies --quiet/--verbose/--json to logging and progress bars; call first in a RunFn.
void ApplyCommonFlags(const CommonFlags& flags);

// The Context a command runs its use case with: `threads` (< 1: all cores), progress bars
// unless --quiet or --json.
Context CommandContext(const CommonFlags& flags, int threads);

// Prints `j` as one line of JSON on stdout.
void PrintJson(const nlohmann::json& j);

// Reports a failed Status: a clear message on stderr and, with --json, an
// {"ok": false, "error": {...}} object on stdout. Returns kExitFailure.
int ReportError(const Status& status, const CommonFlags& flags);
// The same for a usage error found after parsing (flags that contradict each other):
// returns kExitUsage.
int ReportUsageError(const Status& status, const CommonFlags& flags);

// Prints a use case's result that succeeded. A result with a `csv` member (the data, when the
// command writes it to stdout: predictions, explanations, a ranking) has that printed first;
// then ToJson() with --json, else ToText(), on stdout, or on stderr when the data took stdout.
template <typename R>
void PrintOutput(const R& result, const CommonFlags& flags) {
  std::FILE* text_to = stdout;
  if constexpr (requires { result.csv; }) {
    if (!result.csv.empty()) {
      std::fwrite(result.csv.data(), 1, result.csv.size(), stdout);
      std::fflush(stdout);  // before the summary, when both streams are one terminal
      text_to = stderr;
    }
  }
  if (flags.json) {
    PrintJson(result.ToJson());
  } else {
    const std::string text = result.ToText();
    std::fwrite(text.data(), 1, text.size(), text_to);
  }
  std::fflush(stdout);
}

// The one exit path of most commands: a failure as ReportError reports it (kExitFailure),
// else PrintOutput and kExitOk.
template <typename R>
int PrintResult(const Result<R>& result, const CommonFlags& flags) {
  if (!result.ok()) return ReportError(result.status(), flags);
  PrintOutput(*result, flags);
  return kExitOk;
}

// A CLI11 check that runs `parse` on a flag's text: a value it refuses is a usage error at
// parse time (exit 2, the Status message after the flag's name), exactly like a word given
// to a numeric flag, instead of a failure once the command runs.
CLI::Validator StatusCheck(std::function<Status(const std::string&)> parse);
// The same for a flag with a fixed set of values: `accepts` is the library's parser (e.g.
// ParseMetric on a scratch value); a refused value is reported as `"TEXT": expected EXPECTED`.
CLI::Validator ChoiceCheck(std::function<bool(const std::string&)> accepts, std::string expected);
// The same with a parser of the form `bool Parse(std::string_view, T*)` (ParseMetric, ...).
template <typename T>
CLI::Validator ChoiceCheck(bool (*parse)(std::string_view, T*), std::string expected) {
  return ChoiceCheck(
      [parse](const std::string& text) {
        T value{};
        return parse(text, &value);
      },
      std::move(expected));
}

// A number in an interval, checked when the flags are parsed; an open end excludes its bound
// (Interval(0, 1, true, false) is (0, 1]). For the ranges the library would refuse later.
CLI::Validator Interval(double lo, double hi, bool lo_open, bool hi_open);
// The same for a use case's declared range (usecase/option_ranges.h), which the Python binding
// checks too.
CLI::Validator Interval(const usecase::OptionRange& range);

// Reads a duration: "500ms", "90s", "15m" (or "15min"), "1h", "1d", "1w", or a bare number of
// seconds, into microseconds. Errors: InvalidArgument naming `flag` and the text.
Status ParseDuration(const std::string& text, std::string_view flag, int64_t* micros);
// A check that a flag's text is a duration ParseDuration reads.
CLI::Validator DurationCheck(std::string flag);

// A check that a flag's text is a prediction-log retention period (registry::ParseRetention:
// a number with unit d, h, m or s), so a bad one is a usage error (exit 2).
CLI::Validator RetentionCheck();

// After a parse error: when the command line holds a command or flag that does not exist,
// prints on stderr what it is and the nearest existing name ("keel: unknown command 'trian';
// did you mean 'train'?") and returns true; returns false when every word was known (the
// parse error is about something else and CLI11's message says what).
bool ExplainUnknownArguments(const CLI::App& root);

// Registration of every subcommand, in --help order. Defined in the cmd_*.cc files.
// Each keeps its parsed options in a shared_ptr captured by its RunFn.
Command AddVersionCommand(CLI::App& root);
Command AddRunCommand(CLI::App& root);
Command AddQuickstartCommand(CLI::App& root);
Command AddEvaluateCommand(CLI::App& root);
Command AddCompareCommand(CLI::App& root);
Command AddIngestCommand(CLI::App& root);
Command AddSchemaCommand(CLI::App& root);
Command AddTrainCommand(CLI::App& root);
Command AddPredictCommand(CLI::App& root);
Command AddImportCommand(CLI::App& root);
Command AddInspectCommand(CLI::App& root);
Command AddServeCommand(CLI::App& root);
Command AddRegistryCommand(CLI::App& root);
Command AddLogCommand(CLI::App& root);
Command AddChallengerCommand(CLI::App& root);
Command AddAuditCommand(CLI::App& root);
Command AddDriftCommand(CLI::App& root);
Command AddStreamCommand(CLI::App& root);
Command AddMonitorCommand(CLI::App& root);
Command AddExplainCommand(CLI::App& root);
Command AddRankCommand(CLI::App& root);
Command AddTradeoffCommand(CLI::App& root);

}  // namespace keel::cli
