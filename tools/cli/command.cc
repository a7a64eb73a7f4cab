#include "command.h"

#include <cstdio>
#include <iostream>

#include "core/log.h"
#include "core/progress.h"

namespace keel::cli {

void AddCommonFlags(CLI::App* sub, CommonFlags* flags) {
  sub->add_flag("--json", flags->json, "Print one machine-readable JSON object on stdout");
  sub->add_flag("-q,--quiet", flags->quiet, "Only print errors on stderr (no progress)");
  sub->add_flag("-v,--verbose", flags->verbose, "Print debug logs on stderr");
}

void ApplyCommonFlags(const CommonFlags& flags) {
  if (flags.quiet) {
    log::SetLevel(log::Level::kError);
  } else if (flags.verbose) {
    log::SetLevel(log::Level::kDebug);
  }
  if (flags.quiet || flags.json) Progress::SetGloballyEnabled(false);
}

void PrintJson(const nlohmann::json& j) {
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

int ReportError(const Status& status, const CommonFlags& flags) {
  std::fprintf(stderr, "keel: error: %s\n", status.message().c_str());
  if (flags.json) {
    PrintJson({{"ok", false},
               {"error", {{"code", std::string(StatusCodeName(status.code()))},
                          {"message", status.message()}}}});
  }
  return kExitFailure;
}

}  // namespace keel::cli
