// keel: the command-line entry point. Parses flags, dispatches to one subcommand, and is the
// outermost place where exceptions from below (bad_alloc, STL) are caught.
#include <cstdio>
#include <exception>
#include <new>

#include "command.h"
#include "keel/version_info.h"

int main(int argc, char** argv) {
  using namespace keel::cli;
  CLI::App app{
      "Keel: from messy tabular data to an accountable, low-latency model service.\n"
      "Run `keel <command> --help` for the flags of one command.",
      "keel"};
  app.require_subcommand(1);
  app.set_version_flag("-V,--version",
                       std::string("keel ") + KEEL_VERSION + " (git " + KEEL_GIT_HASH + ")");
  app.footer(
      "Every command takes --json (one JSON object on stdout); logs and progress go to stderr.\n"
      "Exit codes: 0 success, 1 the command failed (message on stderr), 2 bad usage.");

  std::vector<Command> commands = {
      AddVersionCommand(app),    AddRunCommand(app),      AddQuickstartCommand(app),
      AddIngestCommand(app),     AddSchemaCommand(app),   AddTrainCommand(app),
      AddPredictCommand(app),    AddEvaluateCommand(app), AddCompareCommand(app),
      AddImportCommand(app),     AddInspectCommand(app),  AddServeCommand(app),
      AddRegistryCommand(app),   AddLogCommand(app),      AddAuditCommand(app),
      AddDriftCommand(app),      AddStreamCommand(app),   AddMonitorCommand(app),
      AddExplainCommand(app),    AddRankCommand(app),     AddTradeoffCommand(app),
      AddChallengerCommand(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // A misspelt command or flag: name it and the nearest real one instead of CLI11's "A
    // subcommand is required" or "arguments not expected".
    if (!ExplainUnknownArguments(app)) app.exit(e);
    return kExitUsage;
  }

  try {
    for (const auto& c : commands) {
      if (c.app->parsed()) return c.run();
    }
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "keel: error: out of memory\n");
    return kExitFailure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "keel: internal error: %s\n", e.what());
    return kExitFailure;
  }
  return kExitUsage;
}
