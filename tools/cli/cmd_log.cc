// keel log: retention and erasure of the prediction log (SQLite file or PostgreSQL URL),
// usecase/log.h. This file binds flags and prints.
#include <memory>

#include "command.h"
#include "usecase/log.h"

namespace keel::cli {
namespace {

struct LogFlags {
  CommonFlags common;
  usecase::LogPruneRequest prune;
  usecase::LogForgetRequest forget;
  usecase::LogStatsRequest stats;
  usecase::LogFeedbackRequest feedback;
};

void AddDbFlags(CLI::App* leaf, CommonFlags* common, std::string* db) {
  AddCommonFlags(leaf, common);
  leaf->add_option("--db", *db,
                   "The prediction log: a SQLite file or a postgresql:// URL (default "
                   "keel_predictions.db, as `keel serve --log-db`)");
}

}  // namespace

Command AddLogCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "log",
      "Prediction log retention and erasure: prune old rows, forget one data subject; "
      "labels fed back");
  sub->require_subcommand(1);
  auto f = std::make_shared<LogFlags>();
  auto* prune = sub->add_subcommand("prune", "Delete every row older than the retention period");
  prune
      ->add_option("--retention", f->prune.retention,
                   "Keep rows younger than this: a number with unit d, h, m or s (default 90d)")
      ->check(RetentionCheck());
  AddDbFlags(prune, &f->common, &f->prune.db);
  auto* forget = sub->add_subcommand(
      "forget", "Erasure request: delete every logged row of one data subject and report how many");
  forget
      ->add_option("--subject", f->forget.subject,
                   "The subject's pseudonymized id as logged (64 hex digits; an "
                   "\"hmac-sha256:\" prefix is accepted; anything else is refused, as it "
                   "cannot match a row), or with --clear its clear value")
      ->required();
  forget->add_flag("--clear", f->forget.clear,
                   "--subject is the clear value (e.g. the e-mail address): pseudonymize it with "
                   "the key first (default: off)");
  forget->add_option("--pii-key-file", f->forget.pii_key_file,
                     "File holding the pseudonymization key (default: $KEEL_PII_KEY_FILE, else "
                     "$KEEL_PII_KEY)");
  AddDbFlags(forget, &f->common, &f->forget.db);
  auto* stats = sub->add_subcommand("stats", "Count the rows of the prediction log");
  AddDbFlags(stats, &f->common, &f->stats.db);
  auto* feedback = sub->add_subcommand(
      "feedback",
      "Store labels fed back for logged predictions from a CSV file (as POST "
      "/v1/models/NAME/feedback does), counting unknown ids, duplicates and late labels");
  feedback->add_option("--model", f->feedback.model, "The served model the labels are for")
      ->required();
  feedback->add_option("--labels", f->feedback.labels, "CSV file with a header row")->required();
  feedback->add_option("--id-column", f->feedback.id_column,
                       "Column holding the record id: the schema's id column value as the "
                       "server logged it (default id)");
  feedback->add_option("--label-column", f->feedback.label_column,
                       "Column holding the outcome: a class name, or a number for regression "
                       "(default label)");
  feedback->add_flag("--pseudonymize", f->feedback.pseudonymize,
                     "The ids are pii values: pseudonymize them with the key the server used "
                     "(KEEL_PII_KEY, KEEL_PII_KEY_FILE or --pii-key-file), as the log did");
  feedback->add_option("--pii-key-file", f->feedback.pii_key_file,
                       "File holding the pseudonymization key (default: $KEEL_PII_KEY_FILE, "
                       "else $KEEL_PII_KEY)");
  feedback
      ->add_option("--late-after", f->feedback.late_after,
                   "Labels this long after their prediction are counted as late: a number "
                   "with unit d, h, m or s (default 7d)")
      ->check(RetentionCheck());
  AddDbFlags(feedback, &f->common, &f->feedback.db);
  sub->footer("See docs/registry.md (the prediction log) and docs/serving.md (feedback).");
  return {sub, [f, prune, forget, stats, feedback] {
            ApplyCommonFlags(f->common);
            if (prune->parsed()) return PrintResult(usecase::LogPrune(f->prune), f->common);
            if (forget->parsed()) return PrintResult(usecase::LogForget(f->forget), f->common);
            if (stats->parsed()) return PrintResult(usecase::LogStats(f->stats), f->common);
            if (feedback->parsed()) {
              return PrintResult(usecase::LogFeedback(f->feedback), f->common);
            }
            return kExitUsage;
          }};
}

}  // namespace keel::cli
