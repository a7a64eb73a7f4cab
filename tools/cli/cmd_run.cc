// keel run keel.yaml: the whole pipeline of a project file (src/pipeline), and
// keel quickstart: the same on the bundled example.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "command.h"
#include "usecase/project.h"
#include "usecase/run.h"

namespace keel::cli {
namespace {

namespace fs = std::filesystem;

struct RunFlags {
  CommonFlags common;
  std::string project;
  std::string output;
  int threads = 0;
};

int RunProject(usecase::Project project, const RunFlags& f) {
  ApplyCommonFlags(f.common);
  if (!f.output.empty()) project.output_dir = f.output;
  auto run = usecase::RunPipeline(project, CommandContext(f.common, f.threads));
  if (!run.ok()) {
    // Name keel.yaml once: the project checks already start their messages with it.
    const Status& s = run.status();
    const bool named = s.message().rfind(project.source + ":", 0) == 0;
    return ReportError(named ? s : s.WithContext(project.source), f.common);
  }
  if (f.common.json) {
    PrintJson(usecase::SummaryJson(**run));
  } else {
    std::fputs(usecase::SummaryText(**run).c_str(), stdout);
  }
  return kExitOk;
}

// Where the bundled examples are: $KEEL_EXAMPLES, next to the binary (build tree or an
// install's share/keel), then the source tree the binary was built from.
std::string FindExample(const std::string& name) {
  std::vector<fs::path> roots;
  if (const char* env = std::getenv("KEEL_EXAMPLES")) roots.emplace_back(env);
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    roots.push_back(exe.parent_path().parent_path() / "examples");
    roots.push_back(exe.parent_path().parent_path() / "share" / "keel" / "examples");
  }
  roots.emplace_back(fs::path(KEEL_SOURCE_DIR) / "examples");
  for (const fs::path& root : roots) {
    const fs::path candidate = root / name / "keel.yaml";
    if (fs::exists(candidate, ec)) return candidate.string();
  }
  return {};
}

}  // namespace

Command AddRunCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "run",
      "Run a project file: read and validate the data, train the baseline and the candidate "
      "(tuned first unless keel.yaml says candidate: {tune: off}; docs/tuning.md), compare them "
      "(the candidate ships only if its gain is large, significant and fast "
      "enough), explain, audit fairness and drift, and write the model and report.html");
  auto f = std::make_shared<RunFlags>();
  sub->add_option("project", f->project, "The project file (keel.yaml); see docs/keel_yaml.md")
      ->required();
  sub->add_option("--out", f->output,
                  "Output folder (default: output.dir of keel.yaml, else keel-out/ beside it)");
  sub->add_option("--threads", f->threads, "Worker threads (default 0: all cores)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] {
            auto project = usecase::LoadProject(f->project);
            if (!project.ok()) return ReportError(project.status(), f->common);
            return RunProject(std::move(*project), *f);
          }};
}

Command AddQuickstartCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "quickstart",
      "Run the pipeline on the bundled telco churn example and write the model and report to "
      "./keel-quickstart/");
  auto f = std::make_shared<RunFlags>();
  f->output = "keel-quickstart";
  sub->add_option("--out", f->output, "Output folder")->capture_default_str();
  sub->add_option("--threads", f->threads, "Worker threads (default 0: all cores)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] {
            const std::string path = FindExample("telco_churn");
            if (path.empty()) {
              return ReportError(
                  Status::NotFound("the bundled example examples/telco_churn/keel.yaml was not "
                                   "found next to the keel binary nor in {}; set KEEL_EXAMPLES to "
                                   "the examples folder",
                                   KEEL_SOURCE_DIR),
                  f->common);
            }
            auto project = usecase::LoadProject(path);
            if (!project.ok()) return ReportError(project.status(), f->common);
            if (!f->common.json && !f->common.quiet) {
              std::fprintf(stderr, "keel quickstart: running %s into %s/\n", path.c_str(),
                           f->output.c_str());
            }
            int rc = RunProject(std::move(*project), *f);
            if (rc == kExitOk && !f->common.json) {
              std::printf(
                  "\nOpen %s/report.html in a browser. Next: copy %s, point it at your "
                  "data, and run `keel run keel.yaml`.\n",
                  f->output.c_str(), path.c_str());
            }
            return rc;
          }};
}

}  // namespace keel::cli
