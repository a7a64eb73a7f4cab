// keel inspect: what a model file holds, without its bulk tree arrays (usecase/inspect.h).
// This file binds flags and prints.
#include "command.h"
#include "usecase/inspect.h"

namespace keel::cli {
namespace {

struct InspectFlags {
  CommonFlags common;
  usecase::InspectRequest request;
};

int Run(const InspectFlags& f) {
  ApplyCommonFlags(f.common);
  return PrintResult(usecase::Inspect(f.request), f.common);
}

}  // namespace

Command AddInspectCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "inspect",
      "Show what a model file holds: task, classes, features, schema, tree statistics, "
      "lineage, metrics and every other section (not the tree arrays themselves); verifies "
      "the file's checksums");
  auto f = std::make_shared<InspectFlags>();
  sub->add_option("model", f->request.model_path, "Model file (.keel)")->required();
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
