// keel registry: model versions, stages (staging/production/archived), rollback, lineage and
// the append-only history of stage changes, in SQLite or PostgreSQL.
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "command.h"
#include "core/file_io.h"
#include "core/number_format.h"
#include "keel/table.h"
#include "registry/registry.h"

namespace keel::cli {
namespace {

using registry::ChangeInfo;
using registry::ModelVersion;
using registry::Registry;
using registry::Stage;

struct RegistryFlags {
  CommonFlags common;
  std::string db;
  std::string actor;
  std::string reason;
  std::string artifact;  // add
  std::string name;      // add --name, list NAME, history NAME
  std::string note;      // add
  std::string ref;       // show/promote/rollback/archive/export NAME[@VERSION]
  std::string to;        // promote --to
  std::string out;       // export --out
  std::string audit;     // add --audit FILE.json
  std::string gate;      // add --gate FILE.json
};

std::string DefaultActor() {
  for (const char* var : {"KEEL_ACTOR", "USER", "LOGNAME"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') return v;
  }
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr) return pw->pw_name;
  return "unknown";
}

std::string DefaultDb() {
  const char* v = std::getenv("KEEL_REGISTRY");
  return v != nullptr && *v != '\0' ? v : "keel_registry.db";
}

ChangeInfo Change(const RegistryFlags& f) {
  return {f.actor.empty() ? DefaultActor() : f.actor, f.reason};
}

std::string Time(int64_t micros) {
  return FormatTimestamp(micros);
}

nlohmann::json VersionJson(const ModelVersion& v, bool with_metadata) {
  nlohmann::json j = {{"name", v.name},
                      {"version", v.version},
                      {"stage", registry::StageName(v.stage)},
                      {"sha256", v.sha256},
                      {"size_bytes", v.size_bytes},
                      {"source_path", v.source_path},
                      {"parent_version", v.parent_version ? nlohmann::json(*v.parent_version)
                                                          : nlohmann::json(nullptr)},
                      {"created", Time(v.created_us)},
                      {"created_by", v.created_by},
                      {"note", v.note}};
  if (with_metadata) j["metadata"] = v.metadata;
  return j;
}

nlohmann::json EventJson(const registry::RegistryEvent& e) {
  return {
      {"id", e.id},
      {"time", Time(e.time_us)},
      {"actor", e.actor},
      {"action", e.action},
      {"name", e.name},
      {"version", e.version},
      {"from_stage", e.from_stage.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.from_stage)},
      {"to_stage", e.to_stage},
      {"replaced_version",
       e.replaced_version ? nlohmann::json(*e.replaced_version) : nlohmann::json(nullptr)},
      {"reason", e.reason}};
}

nlohmann::json TransitionJson(const registry::Transition& t) {
  return {{"ok", true},
          {"name", t.name},
          {"version", t.version},
          {"from_stage", registry::StageName(t.from)},
          {"to_stage", registry::StageName(t.to)},
          {"replaced_version",
           t.replaced_version ? nlohmann::json(*t.replaced_version) : nlohmann::json(nullptr)},
          {"event_id", t.event_id}};
}

void PrintTransition(const char* verb, const registry::Transition& t) {
  std::printf("%s %s@%lld: %s -> %s", verb, t.name.c_str(), static_cast<long long>(t.version),
              std::string(registry::StageName(t.from)).c_str(),
              std::string(registry::StageName(t.to)).c_str());
  if (t.replaced_version) {
    std::printf(" (replaces %s@%lld, now archived)", t.name.c_str(),
                static_cast<long long>(*t.replaced_version));
  }
  std::printf("\n");
}

std::string JsonText(const nlohmann::json& j) {
  if (j.is_number_float()) return FormatDouble(j.get<double>());
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

void PrintShow(const ModelVersion& v, const std::vector<registry::RegistryEvent>& events) {
  const nlohmann::json& m = v.metadata;
  std::printf("%s@%lld  stage %s\n", v.name.c_str(), static_cast<long long>(v.version),
              std::string(registry::StageName(v.stage)).c_str());
  std::printf("  artifact     sha256 %s, %lld bytes, added from %s\n", v.sha256.c_str(),
              static_cast<long long>(v.size_bytes), v.source_path.c_str());
  std::printf("  created      %s by %s%s%s\n", Time(v.created_us).c_str(), v.created_by.c_str(),
              v.note.empty() ? "" : ": ", v.note.c_str());
  if (v.parent_version) {
    std::printf("  parent       %s@%lld (the production version it replaced)\n", v.name.c_str(),
                static_cast<long long>(*v.parent_version));
  } else {
    std::printf("  parent       none\n");
  }
  std::printf("  model        %s %s, target \"%s\", %zu features\n",
              JsonText(m.value("kind", nlohmann::json(""))).c_str(),
              JsonText(m.value("objective", nlohmann::json(""))).c_str(),
              JsonText(m.value("target", nlohmann::json(""))).c_str(),
              m.contains("features") ? m["features"].size() : size_t{0});
  if (m.contains("lineage")) {
    const nlohmann::json& l = m["lineage"];
    if (l.contains("data")) {
      const nlohmann::json& d = l["data"];
      std::printf("  data         %s sha256 %s, %s rows\n",
                  JsonText(d.value("path", nlohmann::json("?"))).c_str(),
                  JsonText(d.value("sha256", nlohmann::json("?"))).c_str(),
                  JsonText(d.value("rows", nlohmann::json("?"))).c_str());
    }
    if (l.contains("parameters")) {
      std::printf("  parameters   %s\n", l["parameters"].dump().c_str());
    }
    for (const char* k : {"split", "created", "keel_version"}) {
      if (l.contains(k)) std::printf("  %-12s %s\n", k, JsonText(l[k]).c_str());
    }
  } else {
    std::printf("  lineage      none recorded in the artifact\n");
  }
  if (m.contains("schema") && m["schema"].contains("columns")) {
    std::printf("  schema      ");
    for (const auto& c : m["schema"]["columns"]) {
      std::printf(" %s:%s/%s", JsonText(c.value("name", nlohmann::json(""))).c_str(),
                  JsonText(c.value("kind", nlohmann::json(""))).c_str(),
                  JsonText(c.value("role", nlohmann::json("feature"))).c_str());
    }
    std::printf("\n");
  }
  if (m.contains("metrics")) {
    for (const auto& [split, values] : m["metrics"].items()) {
      std::printf("  metrics %-5s", split.c_str());
      if (values.is_object()) {
        for (const auto& [k, x] : values.items())
          std::printf(" %s=%s", k.c_str(), JsonText(x).c_str());
      }
      std::printf("\n");
    }
  }
  for (const char* k : {"audit", "fairness", "gate"}) {
    if (m.contains(k)) std::printf("  %-12s %s\n", k, m[k].dump().c_str());
  }
  if (!m.contains("audit") && !m.contains("fairness") && !m.contains("gate")) {
    std::printf("  audit/gate   none recorded in the artifact\n");
  }
  std::printf("  history\n");
  for (const auto& e : events) {
    if (e.version != v.version && e.replaced_version != v.version) continue;
    std::printf(
        "    #%lld %s %s %s@%lld %s -> %s%s by %s%s%s\n", static_cast<long long>(e.id),
        Time(e.time_us).c_str(), e.action.c_str(), e.name.c_str(),
        static_cast<long long>(e.version), e.from_stage.empty() ? "-" : e.from_stage.c_str(),
        e.to_stage.c_str(),
        e.replaced_version ? (" replacing @" + std::to_string(*e.replaced_version)).c_str() : "",
        e.actor.c_str(), e.reason.empty() ? "" : ": ", e.reason.c_str());
  }
}

int Run(const std::string& action, const RegistryFlags& f) {
  ApplyCommonFlags(f.common);
  auto opened = Registry::Open(f.db.empty() ? DefaultDb() : f.db);
  if (!opened.ok()) return ReportError(opened.status(), f.common);
  Registry& reg = **opened;

  if (action == "add") {
    auto bytes = ReadFile(f.artifact);
    if (!bytes.ok()) return ReportError(bytes.status(), f.common);
    nlohmann::json reports = nlohmann::json::object();
    for (const auto& [key, path] :
         {std::pair<const char*, const std::string&>{"audit", f.audit}, {"gate", f.gate}}) {
      if (path.empty()) continue;
      auto text = ReadFile(path);
      if (!text.ok()) return ReportError(text.status(), f.common);
      nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded()) {
        return ReportError(
            Status::ParseError("--{} {}: not valid JSON (give the output of "
                               "`keel {} --json`)",
                               key, path, key == std::string("audit") ? "audit" : "compare"),
            f.common);
      }
      reports[key] = std::move(j);
    }
    auto v = reg.Add(f.name, *bytes, f.artifact, Change(f), f.note, reports);
    if (!v.ok()) return ReportError(v.status(), f.common);
    if (f.common.json) {
      nlohmann::json j = VersionJson(*v, false);
      j["ok"] = true;
      PrintJson(j);
    } else {
      std::printf("added %s@%lld (sha256 %s, %lld bytes, stage none)\n", v->name.c_str(),
                  static_cast<long long>(v->version), v->sha256.c_str(),
                  static_cast<long long>(v->size_bytes));
    }
    return kExitOk;
  }
  if (action == "list") {
    auto list = reg.List(f.name);
    if (!list.ok()) return ReportError(list.status(), f.common);
    if (f.common.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& v : *list) arr.push_back(VersionJson(v, false));
      PrintJson({{"ok", true}, {"versions", arr}});
    } else {
      std::printf("%-24s %7s %-11s %-14s %-20s %s\n", "name", "version", "stage", "sha256",
                  "created", "by");
      for (const auto& v : *list) {
        std::printf(
            "%-24s %7lld %-11s %-14s %-20s %s\n", v.name.c_str(), static_cast<long long>(v.version),
            std::string(registry::StageName(v.stage)).c_str(), v.sha256.substr(0, 12).c_str(),
            Time(v.created_us).c_str(), v.created_by.c_str());
      }
    }
    return kExitOk;
  }
  if (action == "history") {
    auto events = reg.Events(f.name);
    if (!events.ok()) return ReportError(events.status(), f.common);
    if (f.common.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& e : *events) arr.push_back(EventJson(e));
      PrintJson({{"ok", true}, {"events", arr}});
    } else {
      for (const auto& e : *events) {
        std::printf("#%lld %s %-8s %s@%lld %s -> %s by %s%s%s\n", static_cast<long long>(e.id),
                    Time(e.time_us).c_str(), e.action.c_str(), e.name.c_str(),
                    static_cast<long long>(e.version),
                    e.from_stage.empty() ? "-" : e.from_stage.c_str(), e.to_stage.c_str(),
                    e.actor.c_str(), e.reason.empty() ? "" : ": ", e.reason.c_str());
      }
    }
    return kExitOk;
  }

  auto ref = registry::ParseModelRef(f.ref);
  if (!ref.ok()) return ReportError(ref.status(), f.common);
  auto need_version = [&](const char* what) -> Status {
    if (ref->version) return Status::OK();
    return Status::InvalidArgument("{} needs NAME@VERSION (e.g. {}@3); got \"{}\"", what, ref->name,
                                   f.ref);
  };
  if (action == "show") {
    auto v = reg.Show(*ref);
    if (!v.ok()) return ReportError(v.status(), f.common);
    auto events = reg.Events(v->name);
    if (!events.ok()) return ReportError(events.status(), f.common);
    if (f.common.json) {
      nlohmann::json j = VersionJson(*v, true);
      j["ok"] = true;
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& e : *events) {
        if (e.version == v->version || e.replaced_version == v->version)
          arr.push_back(EventJson(e));
      }
      j["events"] = arr;
      PrintJson(j);
    } else {
      PrintShow(*v, *events);
    }
    return kExitOk;
  }
  if (action == "export") {
    Status st = need_version("export");
    if (!st.ok()) return ReportError(st, f.common);
    auto bytes = reg.Artifact(ref->name, *ref->version);
    if (!bytes.ok()) return ReportError(bytes.status(), f.common);
    st = WriteFileAtomic(f.out, *bytes);
    if (!st.ok()) return ReportError(st, f.common);
    if (f.common.json) {
      PrintJson({{"ok", true}, {"out", f.out}, {"bytes", bytes->size()}});
    } else {
      std::printf("wrote %s@%lld to %s (%zu bytes, SHA-256 verified)\n", ref->name.c_str(),
                  static_cast<long long>(*ref->version), f.out.c_str(), bytes->size());
    }
    return kExitOk;
  }
  Result<registry::Transition> t = Status::Internal("unknown registry action {}", action);
  const char* verb = "";
  if (action == "promote") {
    Status st = need_version("promote");
    if (!st.ok()) return ReportError(st, f.common);
    Stage to;
    if (!registry::ParseStage(f.to, &to) || (to != Stage::kStaging && to != Stage::kProduction)) {
      return ReportError(Status::InvalidArgument("--to \"{}\": use staging or production", f.to),
                         f.common);
    }
    t = reg.Promote(ref->name, *ref->version, to, Change(f));
    verb = "promoted";
  } else if (action == "rollback") {
    if (ref->version) {
      return ReportError(
          Status::InvalidArgument("rollback takes a NAME (it restores the version the production "
                                  "version replaced); got \"{}\"",
                                  f.ref),
          f.common);
    }
    t = reg.Rollback(ref->name, Change(f));
    verb = "rolled back to";
  } else if (action == "archive") {
    Status st = need_version("archive");
    if (!st.ok()) return ReportError(st, f.common);
    t = reg.Archive(ref->name, *ref->version, Change(f));
    verb = "archived";
  }
  if (!t.ok()) return ReportError(t.status(), f.common);
  if (f.common.json) {
    PrintJson(TransitionJson(*t));
  } else {
    PrintTransition(verb, *t);
  }
  return kExitOk;
}

}  // namespace

Command AddRegistryCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "registry",
      "Model registry: add versions, promote to staging/production, roll back, archive; "
      "show lineage and the stage-change history (SQLite file or PostgreSQL URL)");
  sub->require_subcommand(1);
  auto f = std::make_shared<RegistryFlags>();
  auto shared = [&](CLI::App* leaf, bool change) {
    AddCommonFlags(leaf, &f->common);
    leaf->add_option("--db", f->db,
                     "Registry location: a SQLite file (WAL mode) or a postgresql://user@host:"
                     "port/db URL (default: $KEEL_REGISTRY, else keel_registry.db)");
    if (change) {
      leaf->add_option("--reason,--why", f->reason,
                       "Why: stored in the append-only history (default: empty)");
      leaf->add_option("--actor", f->actor,
                       "Who: stored in the history (default: $KEEL_ACTOR, else $USER)");
    }
  };
  auto* add = sub->add_subcommand("add", "Register a .keel artifact as the next version of NAME");
  add->add_option("artifact", f->artifact, "The .keel model file")->required();
  add->add_option("--name,-n", f->name, "Model name: letters, digits, _ . - (required)")
      ->required();
  add->add_option("--note", f->note, "Free text kept with the version (default: empty)");
  add->add_option("--audit", f->audit,
                  "Fairness audit to keep with the version: the output of `keel audit --json` "
                  "(default: the artifact's own audit section, if any)");
  add->add_option("--gate", f->gate,
                  "Baseline-vs-candidate gate result to keep with the version: the output of "
                  "`keel compare --json` (default: none)");
  shared(add, true);
  auto* list = sub->add_subcommand("list", "List versions with their stage");
  list->add_option("name", f->name, "Only this model (default: all)");
  shared(list, false);
  auto* show = sub->add_subcommand(
      "show",
      "Show one version: artifact hash, data hash, schema, parameters, metrics, audit and gate "
      "results, the parent version it replaced, and its history");
  show->add_option("ref", f->ref,
                   "NAME@VERSION, or NAME for its production version (else its latest)")
      ->required();
  shared(show, false);
  auto* promote = sub->add_subcommand(
      "promote",
      "Move a version to staging or production; promoting to production archives the version "
      "it replaces (and records it as the parent, for rollback)");
  promote->add_option("ref", f->ref, "NAME@VERSION")->required();
  promote->add_option("--to", f->to, "staging or production (required)")->required();
  shared(promote, true);
  auto* rollback = sub->add_subcommand(
      "rollback",
      "Put back in production the version the current production version replaced; the "
      "current one is archived");
  rollback->add_option("name", f->ref, "Model name")->required();
  shared(rollback, true);
  auto* archive = sub->add_subcommand(
      "archive", "Archive a version that is not in production (it stays stored and listed)");
  archive->add_option("ref", f->ref, "NAME@VERSION")->required();
  shared(archive, true);
  auto* history = sub->add_subcommand("history", "The append-only history of stage changes");
  history->add_option("name", f->name, "Only this model (default: all)");
  shared(history, false);
  auto* exp =
      sub->add_subcommand("export", "Write a version's artifact to a file (SHA-256 checked)");
  exp->add_option("ref", f->ref, "NAME@VERSION")->required();
  exp->add_option("--out,-o", f->out, "Output .keel file (required)")->required();
  shared(exp, false);
  sub->footer(
      "Environment: KEEL_REGISTRY (default --db), KEEL_ACTOR (default --actor).\n"
      "Stages: none -> staging -> production -> archived. One production version per name.");

  std::vector<std::pair<CLI::App*, std::string>> actions = {
      {add, "add"},           {list, "list"},       {show, "show"},       {promote, "promote"},
      {rollback, "rollback"}, {archive, "archive"}, {history, "history"}, {exp, "export"}};
  return {sub, [f, actions] {
            for (const auto& [app, name] : actions) {
              if (app->parsed()) return Run(name, *f);
            }
            return kExitUsage;
          }};
}

}  // namespace keel::cli
