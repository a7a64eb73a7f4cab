// keel registry: model versions, stages (staging/production/archived), rollback, lineage and
// the append-only history of stage changes, in SQLite or PostgreSQL (usecase/registry.h).
// This file binds flags and prints.
#include <memory>

#include "command.h"
#include "usecase/registry.h"

namespace keel::cli {
namespace {

// The requests of every subcommand; the one parsed runs.
struct RegistryFlags {
  CommonFlags common;
  usecase::RegistryAddRequest add;
  usecase::RegistryListRequest list;
  usecase::RegistryShowRequest show;
  usecase::RegistryPromoteRequest promote;
  usecase::RegistryRollbackRequest rollback;
  usecase::RegistryArchiveRequest archive;
  usecase::RegistryHistoryRequest history;
  usecase::RegistryExportRequest exp;
};

void AddDbFlag(CLI::App* leaf, std::string* db) {
  leaf->add_option("--db", *db,
                   "Registry location: a SQLite file (WAL mode) or a postgresql://user@host:"
                   "port/db URL (default: $KEEL_REGISTRY, else keel_registry.db)");
}

void AddChangeFlags(CLI::App* leaf, std::string* actor, std::string* reason) {
  leaf->add_option("--reason,--why", *reason,
                   "Why: stored in the append-only history (default: empty)");
  leaf->add_option("--actor", *actor,
                   "Who: stored in the history (default: $KEEL_ACTOR, else $USER)");
}

}  // namespace

Command AddRegistryCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "registry",
      "Model registry: add versions, promote to staging/production, roll back, archive; "
      "show lineage and the stage-change history (SQLite file or PostgreSQL URL)");
  sub->require_subcommand(1);
  auto f = std::make_shared<RegistryFlags>();

  auto* add = sub->add_subcommand(
      "add",
      "Register a .keel artifact as the next version of NAME (creates the registry if absent; "
      "an artifact NAME already holds is refused, naming its version)");
  add->add_option("artifact", f->add.artifact, "The .keel model file")->required();
  add->add_option("--name,-n", f->add.name, "Model name: letters, digits, _ . - (required)")
      ->required();
  add->add_option("--note", f->add.note, "Free text kept with the version (default: empty)");
  add->add_option("--audit", f->add.audit,
                  "Fairness audit to keep with the version: the output of `keel audit --json` "
                  "(default: the artifact's own audit section, if any)");
  add->add_option("--gate", f->add.gate,
                  "Baseline-vs-candidate gate result to keep with the version: the output of "
                  "`keel compare --json` (default: none). A version whose gate says keep the "
                  "baseline is promoted to production only with --override-gate");
  AddCommonFlags(add, &f->common);
  AddDbFlag(add, &f->add.db);
  AddChangeFlags(add, &f->add.actor, &f->add.reason);

  auto* list = sub->add_subcommand("list", "List versions with their stage");
  list->add_option("name", f->list.name, "Only this model (default: all)");
  AddCommonFlags(list, &f->common);
  AddDbFlag(list, &f->list.db);

  auto* show = sub->add_subcommand(
      "show",
      "Show one version: artifact hash, data hash, schema, parameters, metrics, audit and gate "
      "results, the parent version it replaced, and its history");
  show->add_option("ref", f->show.ref,
                   "NAME@VERSION, or NAME for its production version (else its latest)")
      ->required();
  AddCommonFlags(show, &f->common);
  AddDbFlag(show, &f->show.db);

  auto* promote = sub->add_subcommand(
      "promote",
      "Move a version to staging or production; promoting to production archives the version "
      "it replaces (and records it as the parent, for rollback)");
  promote
      ->add_option("ref", f->promote.ref,
                   "NAME@VERSION (with --require-verdict, NAME alone: its staging version)")
      ->required();
  promote->add_option("--to", f->promote.to,
                      "staging or production (required, except with --require-verdict: "
                      "production)");
  promote->add_flag("--require-verdict", f->promote.require_verdict,
                    "Promote only when `keel challenger report` on the prediction log "
                    "(--log-db) says promote, about this version; otherwise exit 1 naming the "
                    "verdict and the p-value (default: off)");
  promote->add_option("--log-db", f->promote.log_db,
                      "The prediction log --require-verdict reads: a SQLite file or a "
                      "postgresql:// URL (default keel_predictions.db, as `keel serve --log-db`)");
  promote->add_option("--override-gate", f->promote.override_gate,
                      "Promote to production although the version's attached gate (add "
                      "--gate) says keep the baseline; REASON is recorded in the history "
                      "(default: such promotions are refused)");
  AddCommonFlags(promote, &f->common);
  AddDbFlag(promote, &f->promote.db);
  AddChangeFlags(promote, &f->promote.actor, &f->promote.reason);

  auto* rollback = sub->add_subcommand(
      "rollback",
      "Put back in production the version the current production version replaced; the "
      "current one is archived");
  rollback->add_option("name", f->rollback.name, "Model name")->required();
  AddCommonFlags(rollback, &f->common);
  AddDbFlag(rollback, &f->rollback.db);
  AddChangeFlags(rollback, &f->rollback.actor, &f->rollback.reason);

  auto* archive = sub->add_subcommand(
      "archive", "Archive a version that is not in production (it stays stored and listed)");
  archive->add_option("ref", f->archive.ref, "NAME@VERSION")->required();
  AddCommonFlags(archive, &f->common);
  AddDbFlag(archive, &f->archive.db);
  AddChangeFlags(archive, &f->archive.actor, &f->archive.reason);

  auto* history = sub->add_subcommand("history", "The append-only history of stage changes");
  history->add_option("name", f->history.name, "Only this model (default: all)");
  AddCommonFlags(history, &f->common);
  AddDbFlag(history, &f->history.db);

  auto* exp =
      sub->add_subcommand("export", "Write a version's artifact to a file (SHA-256 checked)");
  exp->add_option("ref", f->exp.ref, "NAME@VERSION")->required();
  exp->add_option("--out,-o", f->exp.out, "Output .keel file (required)")->required();
  AddCommonFlags(exp, &f->common);
  AddDbFlag(exp, &f->exp.db);

  sub->footer(
      "Environment: KEEL_REGISTRY (default --db), KEEL_ACTOR (default --actor).\n"
      "Only add creates a registry; the other commands fail with \"no registry at PATH\" "
      "when there is none, and list, show, history and export never write.\n"
      "Stages: none -> staging -> production -> archived. One production version per name.\n"
      "See docs/registry.md.");

  return {sub, [f, add, list, show, promote, rollback, archive, history, exp] {
            const CommonFlags& c = f->common;
            ApplyCommonFlags(c);
            if (add->parsed()) return PrintResult(usecase::RegistryAdd(f->add), c);
            if (list->parsed()) return PrintResult(usecase::RegistryList(f->list), c);
            if (show->parsed()) return PrintResult(usecase::RegistryShow(f->show), c);
            if (promote->parsed()) return PrintResult(usecase::RegistryPromote(f->promote), c);
            if (rollback->parsed()) return PrintResult(usecase::RegistryRollback(f->rollback), c);
            if (archive->parsed()) return PrintResult(usecase::RegistryArchive(f->archive), c);
            if (history->parsed()) return PrintResult(usecase::RegistryHistory(f->history), c);
            if (exp->parsed()) return PrintResult(usecase::RegistryExport(f->exp), c);
            return kExitUsage;
          }};
}

}  // namespace keel::cli
