// keel registry: model versions, stages (staging/production/archived), rollback, lineage and
// the append-only history of stage changes, in SQLite or PostgreSQL.
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "command.h"
#include "core/file_io.h"
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
  std::string artifact;       // add
  std::string name;           // add --name, list NAME, history NAME
  std::string note;           // add
  std::string ref;            // show/promote/rollback/archive/export NAME[@VERSION]
  std::string to;             // promote --to
  std::string out;            // export --out
  std::string audit;          // add --audit FILE.json
  std::string gate;           // add --gate FILE.json
  std::string override_gate;  // promote --override-gate REASON
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
  return {f.actor.empty() ? DefaultActor() : f.actor, f.reason, f.override_gate};
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
      {"reason", e.reason},
      {"gate_override",
       e.gate_override.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.gate_override)}};
}

nlohmann::json TransitionJson(const registry::Transition& t) {
  return {{"ok", true},
          {"name", t.name},
          {"version", t.version},
          {"from_stage", registry::StageName(t.from)},
          {"to_stage", registry::StageName(t.to)},
          {"replaced_version",
           t.replaced_version ? nlohmann::json(*t.replaced_version) : nlohmann::json(nullptr)},
          {"event_id", t.event_id},
          {"gate_override",
           t.gate_override.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.gate_override)}};
}

void PrintTransition(const char* verb, const registry::Transition& t) {
  std::printf("%s %s@%lld: %s -> %s", verb, t.name.c_str(), static_cast<long long>(t.version),
              std::string(registry::StageName(t.from)).c_str(),
              std::string(registry::StageName(t.to)).c_str());
  if (t.replaced_version) {
    std::printf(" (replaces %s@%lld, now archived)", t.name.c_str(),
                static_cast<long long>(*t.replaced_version));
  }
  if (!t.gate_override.empty()) {
    std::printf("; the gate said keep the baseline, overridden: %s", t.gate_override.c_str());
  }
  std::printf("\n");
}

// One history line for people.
std::string EventText(const registry::RegistryEvent& e) {
  std::string text =
      fmt::format("#{} {} {:<8} {}@{} {} -> {}", e.id, Time(e.time_us), e.action, e.name, e.version,
                  e.from_stage.empty() ? "-" : e.from_stage, e.to_stage);
  if (e.replaced_version) text += fmt::format(" replacing @{}", *e.replaced_version);
  text += " by " + e.actor;
  if (!e.reason.empty()) text += ": " + e.reason;
  if (!e.gate_override.empty()) text += " [gate overridden: " + e.gate_override + "]";
  return text;
}

// A value for people: numbers rounded to 4 significant digits, long texts cut, arrays and
// objects by size (`registry show --json` keeps every value in full).
std::string ValueText(const nlohmann::json& j) {
  constexpr size_t kMaxText = 160;
  if (j.is_number_float()) return fmt::format("{:.4g}", j.get<double>());
  if (j.is_string()) {
    const std::string& t = j.get_ref<const std::string&>();
    return t.size() <= kMaxText ? t : t.substr(0, kMaxText) + "...";
  }
  if (j.is_array()) return fmt::format("[{} items]", j.size());
  if (j.is_object()) return fmt::format("{{{} fields}}", j.size());
  return j.dump();
}

// "k=v k=v ..." of an object's first few entries, then how many more there are.
std::string FieldsText(const nlohmann::json& j, size_t max_fields = 8) {
  if (!j.is_object()) return ValueText(j);
  std::string out;
  size_t shown = 0;
  for (const auto& [k, v] : j.items()) {
    if (shown == max_fields) break;
    if (!out.empty()) out += ' ';
    out += k + "=" + ValueText(v);
    ++shown;
  }
  if (j.size() > shown) out += fmt::format(" (+{} more)", j.size() - shown);
  return out;
}

void PrintShow(const ModelVersion& v, const std::vector<registry::RegistryEvent>& events) {
  const nlohmann::json& m = v.metadata;
  auto str = [&](const nlohmann::json& obj, const char* key, const char* fallback) {
    return obj.is_object() && obj.contains(key) ? ValueText(obj[key]) : std::string(fallback);
  };
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
  std::printf("  model        %s %s, target \"%s\", %zu features\n", str(m, "kind", "").c_str(),
              str(m, "objective", "").c_str(), str(m, "target", "").c_str(),
              m.contains("features") ? m["features"].size() : size_t{0});
  if (m.contains("lineage") && m["lineage"].is_object()) {
    const nlohmann::json& l = m["lineage"];
    if (l.contains("data")) {
      const nlohmann::json& d = l["data"];
      std::printf("  data         %s sha256 %s, %s rows\n", str(d, "path", "?").c_str(),
                  str(d, "sha256", "?").c_str(), str(d, "rows", "?").c_str());
    }
    if (l.contains("parameters")) {
      std::printf("  parameters   %s\n", FieldsText(l["parameters"]).c_str());
    }
    for (const char* k : {"split", "created", "keel_version"}) {
      if (l.contains(k)) std::printf("  %-12s %s\n", k, ValueText(l[k]).c_str());
    }
  } else {
    std::printf("  lineage      none recorded in the artifact\n");
  }
  if (m.contains("schema") && m["schema"].contains("columns")) {
    const nlohmann::json& cols = m["schema"]["columns"];
    constexpr size_t kShown = 12;
    std::printf("  schema       %zu columns:", cols.size());
    size_t shown = 0;
    for (const auto& c : cols) {
      if (shown++ == kShown) break;
      std::printf(" %s:%s/%s", str(c, "name", "").c_str(), str(c, "kind", "").c_str(),
                  str(c, "role", "feature").c_str());
    }
    if (cols.size() > kShown) std::printf(" (+%zu more)", cols.size() - kShown);
    std::printf("\n");
  }
  if (m.contains("metrics") && m["metrics"].is_object()) {
    for (const auto& [split, values] : m["metrics"].items()) {
      std::printf("  metrics %-5s %s\n", split.c_str(), FieldsText(values, 10).c_str());
    }
  }
  const registry::GateVerdict gate = registry::AttachedGate(m);
  if (gate.attached) {
    std::printf("  gate         %s%s%s\n",
                gate.ship_candidate ? "ship the candidate" : "keep the baseline",
                gate.reason.empty() ? "" : ": ", gate.reason.c_str());
  } else if (m.contains("gate")) {
    std::printf("  gate         %s\n", FieldsText(m["gate"]).c_str());
  }
  for (const char* k : {"audit", "fairness"}) {
    if (m.contains(k)) std::printf("  %-12s %s\n", k, FieldsText(m[k]).c_str());
  }
  if (!m.contains("audit") && !m.contains("fairness") && !m.contains("gate")) {
    std::printf("  audit/gate   none recorded in the artifact\n");
  }
  std::printf("  history\n");
  for (const auto& e : events) {
    if (e.version != v.version && e.replaced_version != v.version) continue;
    std::printf("    %s\n", EventText(e).c_str());
  }
  std::printf("(rounded for reading; --json prints every value in full)\n");
}

// add creates the registry; changes need an existing one; reads never write.
registry::RegistryAccess AccessOf(const std::string& action) {
  if (action == "add") return registry::RegistryAccess::kCreate;
  if (action == "promote" || action == "rollback" || action == "archive") {
    return registry::RegistryAccess::kWrite;
  }
  return registry::RegistryAccess::kRead;
}

int Run(const std::string& action, const RegistryFlags& f) {
  ApplyCommonFlags(f.common);
  auto opened = Registry::Open(f.db.empty() ? DefaultDb() : f.db, AccessOf(action));
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
      for (const auto& e : *events) std::printf("%s\n", EventText(e).c_str());
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
  auto* add = sub->add_subcommand(
      "add",
      "Register a .keel artifact as the next version of NAME (creates the registry if absent; "
      "an artifact NAME already holds is refused, naming its version)");
  add->add_option("artifact", f->artifact, "The .keel model file")->required();
  add->add_option("--name,-n", f->name, "Model name: letters, digits, _ . - (required)")
      ->required();
  add->add_option("--note", f->note, "Free text kept with the version (default: empty)");
  add->add_option("--audit", f->audit,
                  "Fairness audit to keep with the version: the output of `keel audit --json` "
                  "(default: the artifact's own audit section, if any)");
  add->add_option("--gate", f->gate,
                  "Baseline-vs-candidate gate result to keep with the version: the output of "
                  "`keel compare --json` (default: none). A version whose gate says keep the "
                  "baseline is promoted to production only with --override-gate");
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
  promote->add_option("--override-gate", f->override_gate,
                      "Promote to production although the version's attached gate (add "
                      "--gate) says keep the baseline; REASON is recorded in the history "
                      "(default: such promotions are refused)");
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
      "Only add creates a registry; the other commands fail with \"no registry at PATH\" "
      "when there is none, and list, show, history and export never write.\n"
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
