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
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "keel/status.h"

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

// Prints `j` as one line of JSON on stdout.
void PrintJson(const nlohmann::json& j);

// Reports a failed Status: a clear message on stderr and, with --json, an
// {"ok": false, "error": {...}} object on stdout. Returns kExitFailure.
int ReportError(const Status& status, const CommonFlags& flags);

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
Command AddAuditCommand(CLI::App& root);
Command AddDriftCommand(CLI::App& root);
Command AddStreamCommand(CLI::App& root);
Command AddMonitorCommand(CLI::App& root);
Command AddExplainCommand(CLI::App& root);
Command AddRankCommand(CLI::App& root);
Command AddTradeoffCommand(CLI::App& root);

}  // namespace keel::cli
