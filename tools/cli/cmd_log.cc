// keel log: retention and erasure of the prediction log (SQLite file or PostgreSQL URL).
#include <cctype>
#include <cstdio>
#include <memory>
#include <string_view>

#include "command.h"
#include "data/pseudonymize.h"
#include "keel/table.h"
#include "registry/prediction_log_store.h"
#include "registry/registry.h"

namespace keel::cli {
namespace {

struct LogFlags {
  CommonFlags common;
  std::string db = "keel_predictions.db";
  std::string retention = "90d";
  std::string subject;
  bool clear = false;
  std::string pii_key_file;
};

// Opens an existing prediction log: these commands never create one (a typo in --db would
// otherwise make an empty log and report that nothing was found).
Result<std::unique_ptr<registry::SqlDatabase>> OpenLog(const std::string& location) {
  registry::DatabaseOptions options;
  options.create = false;
  auto db = registry::OpenDatabase(location, options);
  if (!db.ok() && db.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("no prediction log at {} (`keel serve --log-db` writes one)", location);
  }
  return db;
}

// Whether `text` is a pseudonym as logged: 64 hex digits.
bool IsPseudonym(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

int RunPrune(const LogFlags& f) {
  ApplyCommonFlags(f.common);
  auto keep = registry::ParseRetention(f.retention);
  if (!keep.ok()) return ReportError(keep.status(), f.common);
  auto db = OpenLog(f.db);
  if (!db.ok()) return ReportError(db.status(), f.common);
  const int64_t cutoff = registry::NowMicros() - *keep;
  auto removed = registry::PrunePredictions(**db, cutoff);
  if (!removed.ok()) return ReportError(removed.status(), f.common);
  auto remaining = registry::CountPredictions(**db);
  if (!remaining.ok()) return ReportError(remaining.status(), f.common);
  if (f.common.json) {
    PrintJson({{"ok", true},
               {"db", (*db)->display_name()},
               {"retention", f.retention},
               {"cutoff", FormatTimestamp(cutoff)},
               {"rows_removed", *removed},
               {"rows_remaining", *remaining}});
  } else {
    std::printf("removed %llu prediction log rows older than %s (before %s); %llu remain\n",
                static_cast<unsigned long long>(*removed), f.retention.c_str(),
                FormatTimestamp(cutoff).c_str(), static_cast<unsigned long long>(*remaining));
  }
  return kExitOk;
}

int RunForget(const LogFlags& f) {
  ApplyCommonFlags(f.common);
  std::string pseudonym = f.subject;
  if (pseudonym.starts_with("hmac-sha256:")) pseudonym = pseudonym.substr(12);
  if (f.clear) {
    auto key = LoadPiiKey(f.pii_key_file);
    if (!key.ok()) return ReportError(key.status(), f.common);
    if (key->empty()) {
      return ReportError(
          Status::InvalidArgument("--clear needs the pseudonymization key the server used: set "
                                  "KEEL_PII_KEY, KEEL_PII_KEY_FILE or --pii-key-file"),
          f.common);
    }
    pseudonym = Pseudonym(*key, f.subject);
  } else if (!IsPseudonym(pseudonym)) {
    // The subject column holds pseudonyms only: any other text cannot match a row, and
    // reporting "0 rows removed" would pass an unfulfilled erasure request as done.
    return ReportError(
        Status::InvalidArgument(
            "--subject is not a pseudonym: the log keeps subjects as 64 hex digits (HMAC-SHA256 "
            "of the pii value), so a {}-character value cannot match any row; give the "
            "pseudonym as logged, or the clear value with --clear and the key the server used",
            pseudonym.size()),
        f.common);
  } else {
    for (char& c : pseudonym) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  auto db = OpenLog(f.db);
  if (!db.ok()) return ReportError(db.status(), f.common);
  auto removed = registry::ForgetSubject(**db, pseudonym);
  if (!removed.ok()) return ReportError(removed.status(), f.common);
  // Never echo a clear subject id: report the pseudonym only.
  if (f.common.json) {
    PrintJson({{"ok", true},
               {"db", (*db)->display_name()},
               {"subject", pseudonym},
               {"rows_removed", *removed}});
  } else {
    std::printf("removed %llu prediction log rows of subject %s\n",
                static_cast<unsigned long long>(*removed), pseudonym.c_str());
  }
  return kExitOk;
}

int RunStats(const LogFlags& f) {
  ApplyCommonFlags(f.common);
  auto db = OpenLog(f.db);
  if (!db.ok()) return ReportError(db.status(), f.common);
  auto rows = registry::CountPredictions(**db);
  if (!rows.ok()) return ReportError(rows.status(), f.common);
  if (f.common.json) {
    PrintJson({{"ok", true}, {"db", (*db)->display_name()}, {"rows", *rows}});
  } else {
    std::printf("%llu prediction log rows in %s\n", static_cast<unsigned long long>(*rows),
                (*db)->display_name().c_str());
  }
  return kExitOk;
}

}  // namespace

Command AddLogCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "log", "Prediction log retention and erasure: prune old rows, forget one data subject");
  sub->require_subcommand(1);
  auto f = std::make_shared<LogFlags>();
  auto db_flag = [&](CLI::App* leaf) {
    AddCommonFlags(leaf, &f->common);
    leaf->add_option("--db", f->db,
                     "The prediction log: a SQLite file or a postgresql:// URL (default "
                     "keel_predictions.db, as `keel serve --log-db`)");
  };
  auto* prune = sub->add_subcommand("prune", "Delete every row older than the retention period");
  prune->add_option("--retention", f->retention,
                    "Keep rows younger than this: a number with unit d, h, m or s (default 90d)");
  db_flag(prune);
  auto* forget = sub->add_subcommand(
      "forget", "Erasure request: delete every logged row of one data subject and report how many");
  forget
      ->add_option("--subject", f->subject,
                   "The subject's pseudonymized id as logged (64 hex digits; an "
                   "\"hmac-sha256:\" prefix is accepted; anything else is refused, as it "
                   "cannot match a row), or with --clear its clear value")
      ->required();
  forget->add_flag("--clear", f->clear,
                   "--subject is the clear value (e.g. the e-mail address): pseudonymize it with "
                   "the key first (default: off)");
  forget->add_option("--pii-key-file", f->pii_key_file,
                     "File holding the pseudonymization key (default: $KEEL_PII_KEY_FILE, else "
                     "$KEEL_PII_KEY)");
  db_flag(forget);
  auto* stats = sub->add_subcommand("stats", "Count the rows of the prediction log");
  db_flag(stats);
  return {sub, [f, prune, forget, stats] {
            if (prune->parsed()) return RunPrune(*f);
            if (forget->parsed()) return RunForget(*f);
            if (stats->parsed()) return RunStats(*f);
            return kExitUsage;
          }};
}

}  // namespace keel::cli
