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
      "enough labels yet (with how many more); per variant, the CBPE estimate over the "
      "predictions still without a label, the drift of its logged inputs against its model's "
      "training profile and the fairness audit and gate of its labeled rows");
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
  report->add_option("--champion-model", f->report.champion_model,
                     "The champion's .keel file: the drift of its logged inputs against its "
                     "training profile, and its fairness audit (default: none, those sections "
                     "are left out)");
  report->add_option("--challenger-model", f->report.challenger_model,
                     "The challenger's .keel file, as --champion-model");
  report->add_option("--fairness-limit", f->report.fairness_limits,
                     "A limit of the per-variant fairness gate, METRIC=VALUE (repeatable; "
                     "keel.yaml's fairness limits, e.g. demographic_parity_difference=0.1, "
                     "disparate_impact_ratio=0.8; default: none, the gate passes)");
  report->add_option("--html", f->report.html,
                     "Also write the report as a self-contained HTML file: the verdict, both "
                     "variants' metrics over time, the drift and fairness comparison (default: "
                     "none)");
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
