#include "usecase/registry.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <utility>

#include "core/file_io.h"
#include "keel/table.h"
#include "usecase/challenger.h"

namespace keel::usecase {
namespace {

using registry::ModelVersion;
using registry::Registry;
using registry::RegistryAccess;
using registry::RegistryEvent;
using registry::Stage;

std::string DefaultActor() {
  for (const char* var : {"KEEL_ACTOR", "USER", "LOGNAME"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') return v;
  }
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr) return pw->pw_name;
  return "unknown";
}

// Opens the registry at `db` ("" = $KEEL_REGISTRY, else keel_registry.db).
Result<std::unique_ptr<Registry>> OpenRegistry(const std::string& db, RegistryAccess access) {
  std::string location = db;
  if (location.empty()) {
    const char* v = std::getenv("KEEL_REGISTRY");
    location = v != nullptr && *v != '\0' ? v : "keel_registry.db";
  }
  return Registry::Open(location, access);
}

registry::ChangeInfo Change(const std::string& actor, const std::string& reason,
                            const std::string& gate_override = "") {
  return {actor.empty() ? DefaultActor() : actor, reason, gate_override};
}

// The version a ref names; InvalidArgument naming `what` when it has none.
Result<registry::ModelRef> VersionRef(const std::string& text, const char* what) {
  KEEL_ASSIGN_OR_RETURN(registry::ModelRef ref, registry::ParseModelRef(text));
  if (!ref.version) {
    return Status::InvalidArgument("{} needs NAME@VERSION (e.g. {}@3); got \"{}\"", what, ref.name,
                                   text);
  }
  return ref;
}

std::string Time(int64_t micros) {
  return FormatTimestamp(micros);
}

nlohmann::json OrNull(const std::optional<int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json OrNull(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

nlohmann::json VersionJson(const ModelVersion& v, bool with_metadata) {
  nlohmann::json j = {{"name", v.name},
                      {"version", v.version},
                      {"stage", registry::StageName(v.stage)},
                      {"sha256", v.sha256},
                      {"size_bytes", v.size_bytes},
                      {"source_path", v.source_path},
                      {"parent_version", OrNull(v.parent_version)},
                      {"created", Time(v.created_us)},
                      {"created_by", v.created_by},
                      {"note", v.note}};
  if (with_metadata) j["metadata"] = v.metadata;
  return j;
}

nlohmann::json EventJson(const RegistryEvent& e) {
  return {{"id", e.id},
          {"time", Time(e.time_us)},
          {"actor", e.actor},
          {"action", e.action},
          {"name", e.name},
          {"version", e.version},
          {"from_stage", OrNull(e.from_stage)},
          {"to_stage", e.to_stage},
          {"replaced_version", OrNull(e.replaced_version)},
          {"reason", e.reason},
          {"gate_override", OrNull(e.gate_override)}};
}

// One history line for people.
std::string EventText(const RegistryEvent& e) {
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

// The show text's lines about the artifact's content: model, lineage, schema, metrics, gate
// and audit.
void AppendMetadataText(const nlohmann::json& m, std::string* out) {
  auto str = [&](const nlohmann::json& obj, const char* key, const char* fallback) {
    return obj.is_object() && obj.contains(key) ? ValueText(obj[key]) : std::string(fallback);
  };
  *out += fmt::format("  model        {} {}, target \"{}\", {} features\n", str(m, "kind", ""),
                      str(m, "objective", ""), str(m, "target", ""),
                      m.contains("features") ? m["features"].size() : size_t{0});
  if (m.contains("lineage") && m["lineage"].is_object()) {
    const nlohmann::json& l = m["lineage"];
    if (l.contains("data")) {
      const nlohmann::json& d = l["data"];
      *out += fmt::format("  data         {} sha256 {}, {} rows\n", str(d, "path", "?"),
                          str(d, "sha256", "?"), str(d, "rows", "?"));
    }
    if (l.contains("parameters")) {
      *out += fmt::format("  parameters   {}\n", FieldsText(l["parameters"]));
    }
    for (const char* k : {"split", "created", "keel_version"}) {
      if (l.contains(k)) *out += fmt::format("  {:<12} {}\n", k, ValueText(l[k]));
    }
  } else {
    *out += "  lineage      none recorded in the artifact\n";
  }
  if (m.contains("schema") && m["schema"].contains("columns")) {
    const nlohmann::json& cols = m["schema"]["columns"];
    constexpr size_t kShown = 12;
    *out += fmt::format("  schema       {} columns:", cols.size());
    size_t shown = 0;
    for (const auto& c : cols) {
      if (shown++ == kShown) break;
      *out += fmt::format(" {}:{}/{}", str(c, "name", ""), str(c, "kind", ""),
                          str(c, "role", "feature"));
    }
    if (cols.size() > kShown) *out += fmt::format(" (+{} more)", cols.size() - kShown);
    *out += "\n";
  }
  if (m.contains("metrics") && m["metrics"].is_object()) {
    for (const auto& [split, values] : m["metrics"].items()) {
      *out += fmt::format("  metrics {:<5} {}\n", split, FieldsText(values, 10));
    }
  }
  const registry::GateVerdict gate = registry::AttachedGate(m);
  if (gate.attached) {
    *out += fmt::format("  gate         {}{}{}\n",
                        gate.ship_candidate ? "ship the candidate" : "keep the baseline",
                        gate.reason.empty() ? "" : ": ", gate.reason);
  } else if (m.contains("gate")) {
    *out += fmt::format("  gate         {}\n", FieldsText(m["gate"]));
  }
  for (const char* k : {"audit", "fairness"}) {
    if (m.contains(k)) *out += fmt::format("  {:<12} {}\n", k, FieldsText(m[k]));
  }
  if (!m.contains("audit") && !m.contains("fairness") && !m.contains("gate")) {
    *out += "  audit/gate   none recorded in the artifact\n";
  }
}

}  // namespace

nlohmann::json RegistryAddResult::ToJson() const {
  nlohmann::json j = VersionJson(version, false);
  j["ok"] = true;
  return j;
}

std::string RegistryAddResult::ToText() const {
  return fmt::format("added {}@{} (sha256 {}, {} bytes, stage none)\n", version.name,
                     version.version, version.sha256, version.size_bytes);
}

Result<RegistryAddResult> RegistryAdd(const RegistryAddRequest& request) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<Registry> reg,
                        OpenRegistry(request.db, RegistryAccess::kCreate));
  KEEL_ASSIGN_OR_RETURN(std::string bytes, ReadFile(request.artifact));
  nlohmann::json reports = nlohmann::json::object();
  for (const auto& [key, path] :
       {std::pair<const char*, const std::string&>{"audit", request.audit},
        {"gate", request.gate}}) {
    if (path.empty()) continue;
    KEEL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      return Status::ParseError("--{} {}: not valid JSON (give the output of `keel {} --json`)",
                                key, path, key == std::string("audit") ? "audit" : "compare");
    }
    reports[key] = std::move(j);
  }
  RegistryAddResult r;
  KEEL_ASSIGN_OR_RETURN(r.version,
                        reg->Add(request.name, bytes, request.artifact,
                                 Change(request.actor, request.reason), request.note, reports));
  return r;
}

nlohmann::json RegistryListResult::ToJson() const {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& v : versions) arr.push_back(VersionJson(v, false));
  return {{"ok", true}, {"versions", arr}};
}

std::string RegistryListResult::ToText() const {
  std::string out = fmt::format("{:<24} {:>7} {:<11} {:<14} {:<20} {}\n", "name", "version",
                                "stage", "sha256", "created", "by");
  for (const auto& v : versions) {
    out += fmt::format("{:<24} {:>7} {:<11} {:<14} {:<20} {}\n", v.name, v.version,
                       registry::StageName(v.stage), v.sha256.substr(0, 12), Time(v.created_us),
                       v.created_by);
  }
  return out;
}

Result<RegistryListResult> RegistryList(const RegistryListRequest& request) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<Registry> reg,
                        OpenRegistry(request.db, RegistryAccess::kRead));
  RegistryListResult r;
  KEEL_ASSIGN_OR_RETURN(r.versions, reg->List(request.name));
  return r;
}

nlohmann::json RegistryShowResult::ToJson() const {
  nlohmann::json j = VersionJson(version, true);
  j["ok"] = true;
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& e : events) arr.push_back(EventJson(e));
  j["events"] = arr;
  return j;
}

std::string RegistryShowResult::ToText() const {
  const ModelVersion& v = version;
  std::string out =
      fmt::format("{}@{}  stage {}\n", v.name, v.version, registry::StageName(v.stage));
  out += fmt::format("  artifact     sha256 {}, {} bytes, added from {}\n", v.sha256, v.size_bytes,
                     v.source_path);
  out += fmt::format("  created      {} by {}{}{}\n", Time(v.created_us), v.created_by,
                     v.note.empty() ? "" : ": ", v.note);
  if (v.parent_version) {
    out += fmt::format("  parent       {}@{} (the production version it replaced)\n", v.name,
                       *v.parent_version);
  } else {
    out += "  parent       none\n";
  }
  AppendMetadataText(v.metadata, &out);
  out += "  history\n";
  for (const auto& e : events) out += "    " + EventText(e) + "\n";
  out += "(rounded for reading; --json prints every value in full)\n";
  return out;
}

Result<RegistryShowResult> RegistryShow(const RegistryShowRequest& request) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<Registry> reg,
                        OpenRegistry(request.db, RegistryAccess::kRead));
  KEEL_ASSIGN_OR_RETURN(registry::ModelRef ref, registry::ParseModelRef(request.ref));
  RegistryShowResult r;
  KEEL_ASSIGN_OR_RETURN(r.version, reg->Show(ref));
  KEEL_ASSIGN_OR_RETURN(std::vector<RegistryEvent> events, reg->Events(r.version.name));
  for (auto& e : events) {
    if (e.version == r.version.version || e.replaced_version == r.version.version) {
      r.events.push_back(std::move(e));
    }
  }
  return r;
}

nlohmann::json RegistryTransitionResult::ToJson() const {
  const registry::Transition& t = transition;
  return {{"ok", true},
          {"name", t.name},
          {"version", t.version},
          {"from_stage", registry::StageName(t.from)},
          {"to_stage", registry::StageName(t.to)},
          {"replaced_version", OrNull(t.replaced_version)},
          {"event_id", t.event_id},
          {"gate_override", OrNull(t.gate_override)}};
}

std::string RegistryTransitionResult::ToText() const {
  const registry::Transition& t = transition;
  std::string out = fmt::format("{} {}@{}: {} -> {}", verb, t.name, t.version,
                                registry::StageName(t.from), registry::StageName(t.to));
  if (t.replaced_version) {
    out += fmt::format(" (replaces {}@{}, now archived)", t.name, *t.replaced_version);
  }
  if (!t.gate_override.empty()) {
    out += fmt::format("; the gate said keep the baseline, overridden: {}", t.gate_override);
  }
  return out + "\n";
}

namespace {

// --require-verdict: NAME's challenger report on the prediction log must say promote, about
// version `v` (logged under its registry version when served from the registry, or under the
// first 12 hex digits of its SHA-256 when served from a file).
Status RequireVerdict(const RegistryPromoteRequest& request, const ModelVersion& v) {
  const std::string& name = v.name;
  const int64_t version = v.version;
  ChallengerReportRequest rr;
  rr.db = request.log_db;
  rr.options.model = name;
  auto report = ChallengerReport(rr, Context{1, false, nullptr});
  if (!report.ok()) {
    return Status(report.status().code(),
                  fmt::format("--require-verdict: no challenger verdict for '{}': {}", name,
                              report.status().message()));
  }
  const std::string p_value =
      report->tested ? fmt::format("p = {:.3g}", report->test.p_value) : "no test yet";
  if (report->verdict != "promote") {
    return Status::FailedPrecondition(
        "--require-verdict: the challenger report of '{}' ({}) says {}, not promote ({}): {}; "
        "{}@{} not promoted",
        name, request.log_db, report->verdict, p_value, report->reason, name, version);
  }
  const std::vector<std::string>& judged = report->challenger.versions;
  const bool judged_this = std::any_of(judged.begin(), judged.end(), [&](const std::string& j) {
    return j == std::to_string(version) || (!j.empty() && v.sha256.starts_with(j));
  });
  if (!judged_this) {
    return Status::FailedPrecondition(
        "--require-verdict: the challenger report of '{}' says promote ({}) for version(s) {}, "
        "not for {}@{}: not promoted",
        name, p_value, fmt::join(judged, ", "), name, version);
  }
  return Status::OK();
}

// The version the ref names, or with require_verdict and NAME alone, NAME's latest staging
// version.
Result<int64_t> PromotedVersion(Registry& reg, const RegistryPromoteRequest& request) {
  KEEL_ASSIGN_OR_RETURN(registry::ModelRef ref, registry::ParseModelRef(request.ref));
  if (ref.version || !request.require_verdict) {
    KEEL_ASSIGN_OR_RETURN(ref, VersionRef(request.ref, "promote"));
    return *ref.version;
  }
  KEEL_ASSIGN_OR_RETURN(std::vector<ModelVersion> versions, reg.List(ref.name));
  std::optional<int64_t> staging;
  for (const ModelVersion& v : versions) {
    if (v.stage == Stage::kStaging && (!staging || v.version > *staging)) staging = v.version;
  }
  if (!staging) {
    return Status::NotFound("'{}' has no staging version to promote (name NAME@VERSION)", ref.name);
  }
  return *staging;
}

}  // namespace

Result<RegistryTransitionResult> RegistryPromote(const RegistryPromoteRequest& request) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<Registry> reg,
                        OpenRegistry(request.db, RegistryAccess::kWrite));
  KEEL_ASSIGN_OR_RETURN(const int64_t version, PromotedVersion(*reg, request));
  const std::string name = registry::ParseModelRef(request.ref)->name;
  const std::string to_text =
      request.to.empty() && request.require_verdict ? "production" : request.to;
  if (to_text.empty()) {
    return Status::InvalidArgument("--to: name the stage, staging or production");
  }
  Stage to;
  if (!registry::ParseStage(to_text, &to) || (to != Stage::kStaging && to != Stage::kProduction)) {
    return Status::InvalidArgument("--to \"{}\": use staging or production", request.to);
  }
  if (request.require_verdict) {
    KEEL_ASSIGN_OR_RETURN(const ModelVersion v, reg->Show(registry::ModelRef{name, version}));
    KEEL_RETURN_IF_ERROR(RequireVerdict(request, v));
  }
  RegistryTransitionResult r;
  r.verb = "promoted";
  KEEL_ASSIGN_OR_RETURN(r.transition,
                        reg->Promote(name, version, to,
                                     Change(request.actor, request.reason, request.override_gate)));
  return r;
}

Result<RegistryTransitionResult> RegistryRollback(const RegistryRollbackRequest& request) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<Registry> reg,
                        OpenRegistry(request.db, RegistryAccess::kWrite));
  KEEL_ASSIGN_OR_RETURN(registry::ModelRef ref, registry::ParseModelRef(request.name));
  if (ref.version) {
    return Status::InvalidArgument(
        "rollback takes a NAME (it restores the version the production version replaced); "
        "got \"{}\"",
        request.name);
  }
  RegistryTransitionResult r;
  r.verb = "rolled back to";
  KEEL_ASSIGN_OR_RETURN(r.transition,
                        reg->Rollback(ref.name, Change(request.actor, request.reason)));
  return r;
}

Result<RegistryTransitionResult> RegistryArchive(const RegistryArchiveRequest& request) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<Registry> reg,
                        OpenRegistry(request.db, RegistryAccess::kWrite));
  KEEL_ASSIGN_OR_RETURN(registry::ModelRef ref, VersionRef(request.ref, "archive"));
  RegistryTransitionResult r;
  r.verb = "archived";
  KEEL_ASSIGN_OR_RETURN(
      r.transition, reg->Archive(ref.name, *ref.version, Change(request.actor, request.reason)));
  return r;
}

nlohmann::json RegistryHistoryResult::ToJson() const {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& e : events) arr.push_back(EventJson(e));
  return {{"ok", true}, {"events", arr}};
}

std::string RegistryHistoryResult::ToText() const {
  std::string out;
  for (const auto& e : events) out += EventText(e) + "\n";
  return out;
}

Result<RegistryHistoryResult> RegistryHistory(const RegistryHistoryRequest& request) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<Registry> reg,
                        OpenRegistry(request.db, RegistryAccess::kRead));
  RegistryHistoryResult r;
  KEEL_ASSIGN_OR_RETURN(r.events, reg->Events(request.name));
  return r;
}

nlohmann::json RegistryExportResult::ToJson() const {
  return {{"ok", true}, {"out", out}, {"bytes", bytes}};
}

std::string RegistryExportResult::ToText() const {
  return fmt::format("wrote {}@{} to {} ({} bytes, SHA-256 verified)\n", name, version, out, bytes);
}

Result<RegistryExportResult> RegistryExport(const RegistryExportRequest& request) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<Registry> reg,
                        OpenRegistry(request.db, RegistryAccess::kRead));
  KEEL_ASSIGN_OR_RETURN(registry::ModelRef ref, VersionRef(request.ref, "export"));
  KEEL_ASSIGN_OR_RETURN(std::string bytes, reg->Artifact(ref.name, *ref.version));
  KEEL_RETURN_IF_ERROR(WriteFileAtomic(request.out, bytes));
  RegistryExportResult r;
  r.name = ref.name;
  r.version = *ref.version;
  r.out = request.out;
  r.bytes = bytes.size();
  return r;
}

}  // namespace keel::usecase
