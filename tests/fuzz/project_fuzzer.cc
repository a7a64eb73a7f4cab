// libFuzzer target: keel.yaml (usecase/project.h) on arbitrary text.
//
// ParseProject must answer every input with a Project or an error, never a crash. A parsed
// project is also turned into JSON (the summary's lineage), and when it has objectives they
// are checked against a small schema (CheckProjectObjectives), as `keel run` does once the
// data is read. Any crash, sanitizer report or failed check (abort) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "usecase/project.h"

namespace {

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz check failed: %s\n", what);
    std::abort();
  }
}

const keel::Schema& AdsSchema() {
  static const keel::Schema s = [] {
    keel::Schema s;
    const std::pair<const char*, keel::ColumnKind> columns[] = {
        {"request_id", keel::ColumnKind::kCategorical},
        {"bid", keel::ColumnKind::kNumeric},
        {"reserve", keel::ColumnKind::kNumeric},
        {"ad_cost", keel::ColumnKind::kNumeric},
        {"advertiser_id", keel::ColumnKind::kCategorical},
        {"country", keel::ColumnKind::kString},
        {"clicked", keel::ColumnKind::kBoolean},
        {"event_time", keel::ColumnKind::kTimestamp}};
    for (const auto& [name, kind] : columns) {
      keel::ColumnSchema c;
      c.name = name;
      c.kind = kind;
      s.columns.push_back(c);
    }
    return s;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto project = keel::usecase::ParseProject(text, "fuzz/keel.yaml", "/fuzz");
  if (!project.ok()) {
    Require(!project.status().message().empty(), "an error says what is wrong");
    return 0;
  }
  Require(!project->data_path.empty(), "a parsed project has a data path");
  (void)keel::usecase::ProjectToJson(*project).dump();
  if (project->objectives) {
    Require(!project->objectives->group_by.empty(), "keel.yaml objectives name group_by");
    (void)keel::usecase::CheckProjectObjectives(*project, AdsSchema());
  }
  return 0;
}
