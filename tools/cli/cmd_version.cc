// keel version: the version and the git commit it was built from.
#include "command.h"
#include "keel/version_info.h"

namespace keel::cli {

Command AddVersionCommand(CLI::App& root) {
  auto* sub = root.add_subcommand("version", "Print the version and the git commit");
  auto flags = std::make_shared<CommonFlags>();
  AddCommonFlags(sub, flags.get());
  return {sub, [flags] {
            if (flags->json) {
              PrintJson({{"version", KEEL_VERSION}, {"git", KEEL_GIT_HASH}});
            } else {
              std::printf("keel %s (git %s)\n", KEEL_VERSION, KEEL_GIT_HASH);
            }
            return kExitOk;
          }};
}

}  // namespace keel::cli
