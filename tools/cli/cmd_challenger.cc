// keel challenger report: the gate on live data, usecase/challenger.h. This file binds flags
// and prints.
#include <memory>

#include "command.h"
#include "usecase/challenger.h"

namespace keel::cli {
namespace {

struct ChallengerFlags {
  CommonFlags common;
  usecase::ChallengerReportRequest report;
};

}  // namespace

Command AddChallengerCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "challenger", "Champion and challenger in production: the gate on live, labeled traffic");
  sub->require_subcommand(1);
  auto f = std::make_shared<ChallengerFlags>();
  auto* report = sub->add_subcommand(
      "report",
      "Both variants' metrics with intervals on the labeled traffic of a model, the paired "
      "(shadow) or unpaired (canary) DeLong test, and the verdict: promote, keep, or not "
      "enough labels yet (with how many more)");
  AddCommonFlags(report, &f->common);
  serve::ChallengerReportOptions& o = f->report.options;
  report->add_option("--db", f->report.db,
                     "The prediction log: a SQLite file or a postgresql:// URL (default "
                     "keel_predictions.db, as `keel serve --log-db`)");
  report->add_option("--model", o.model, "The served model name")->required();
  report->add_option("--alpha", o.alpha, "Significance level of the test (default 0.05)")
      ->check(CLI::Range(1e-9, 0.5));
  report
      ->add_option("--min-gain", o.min_gain,
                   "Smallest gain worth a promotion, in the metric's units (default 0)")
      ->check(CLI::Range(0.0, 1e9));
  report->add_option("--min-labels", o.min_labels,
                     "Labeled rows (pairs in shadow mode, per variant in canary mode) before a "
                     "verdict (default 100)");
  sub->footer("See docs/serving.md (champion and challenger).");
  return {sub, [f, report] {
            ApplyCommonFlags(f->common);
            if (report->parsed()) {
              return PrintResult(usecase::ChallengerReport(f->report, CommandContext(f->common, 0)),
                                 f->common);
            }
            return kExitUsage;
          }};
}

}  // namespace keel::cli
