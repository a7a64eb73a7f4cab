// The messy exports of tests/data/messy (made by make_messy.py, with a manifest listing every
// change): every bad record is rejected at its line, no clean row is lost, duplicates are
// counted, and the values read equal the clean original's.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "data/cell_text.h"
#include "data/ingest.h"

namespace keel {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// An independent RFC 4180 reader for the clean R exports (no BOM, LF, no bad records).
std::vector<std::vector<std::string>> ParseClean(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (c == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
    } else {
      field += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

struct Case {
  std::string name;
  size_t chunk_bytes;
};

class MessyManifest : public ::testing::TestWithParam<Case> {};

TEST_P(MessyManifest, EveryRecordAccountedForWithCleanValues) {
  const std::string dir = std::string(KEEL_SHARED_DATA_DIR);
  const std::string messy = dir + "/messy/" + GetParam().name + "_messy.csv";
  const auto man = nlohmann::json::parse(Slurp(dir + "/messy/" + GetParam().name + "_messy.manifest.json"));
  const auto clean = ParseClean(Slurp(dir + "/" + GetParam().name + ".csv"));
  ASSERT_EQ(clean.size(), man["source"]["rows"].get<size_t>() + 1);

  ReadOptions options;
  options.chunk_bytes = GetParam().chunk_bytes;
  auto read = ReadTable(messy, options, Context{});
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  const IngestResult& r = *read;
  const IngestReport& rep = r.report;

  // Counts add up, and match the manifest.
  const auto& counts = man["counts"];
  EXPECT_EQ(rep.rows_read, counts["output_records"].get<uint64_t>());
  EXPECT_EQ(rep.rows_rejected, counts["bad_records"].get<uint64_t>());
  EXPECT_EQ(rep.rows_used, counts["good_records"].get<uint64_t>());
  EXPECT_EQ(rep.rows_read, rep.rows_used + rep.rows_rejected);
  EXPECT_EQ(rep.duplicates, counts["duplicate_records"].get<uint64_t>());
  EXPECT_EQ(rep.lines, counts["physical_lines"].get<uint64_t>());

  // Every bad record rejected at its line; garbage cells name their column.
  std::map<uint64_t, const RejectedRecord*> rejected;
  for (const auto& rr : rep.rejected) rejected[rr.line] = &rr;
  std::set<uint64_t> bad_records;
  for (const auto& b : man["bad_records"]) {
    const uint64_t line = b["line"].get<uint64_t>();
    bad_records.insert(b["record"].get<uint64_t>());
    auto it = rejected.find(line);
    ASSERT_NE(it, rejected.end()) << "bad record at line " << line << " (" << b["kind"] << ") not rejected";
    if (b["kind"] == "garbage_numeric") {
      EXPECT_EQ(it->second->column, b["column"].get<std::string>()) << "line " << line;
      EXPECT_EQ(it->second->kind, AnomalyKind::kTypeMismatch);
    } else {
      EXPECT_EQ(it->second->kind, AnomalyKind::kWrongFieldCount) << "line " << line;
    }
  }
  EXPECT_EQ(rejected.size(), bad_records.size());

  // Duplicates found at their lines.
  std::set<uint64_t> dup_lines;
  for (const auto& d : rep.duplicate_records) dup_lines.insert(d.line);
  for (const auto& d : man["duplicate_records"]) {
    EXPECT_TRUE(dup_lines.count(d["line"].get<uint64_t>())) << "duplicate at line " << d["line"];
  }

  // Column kinds follow the manifest's typing; notes is free text.
  const auto& types = man["column_types"];
  for (auto it = types.begin(); it != types.end(); ++it) {
    const Column* c = r.table.Find(it.key());
    ASSERT_NE(c, nullptr) << it.key();
    if (it.value() == "numeric") {
      EXPECT_EQ(c->kind(), ColumnKind::kNumeric) << it.key();
    } else {
      EXPECT_EQ(c->kind(), ColumnKind::kCategorical) << it.key();
    }
  }

  // Values of every good record equal the clean source row (with the manifest's overrides).
  std::map<std::pair<uint64_t, std::string>, nlohmann::json> overrides;
  std::map<uint64_t, uint64_t> record_line;
  for (const auto& fc : man["field_changes"]) {
    overrides[{fc["record"].get<uint64_t>(), fc["column"].get<std::string>()}] = fc["expected"];
    record_line[fc["record"].get<uint64_t>()] = fc["line"].get<uint64_t>();
  }
  for (const auto& d : man["duplicate_records"]) record_line[d["record"].get<uint64_t>()] = d["line"].get<uint64_t>();
  const auto& header = clean[0];
  const auto& src_rows = man["record_source_rows"];
  const std::string notes = man["generator"]["notes_column"].get<std::string>();
  size_t row = 0;
  size_t checked = 0;
  for (uint64_t rec = 1; rec <= src_rows.size(); ++rec) {
    if (bad_records.count(rec)) continue;
    ASSERT_LT(row, r.table.num_rows());
    if (record_line.count(rec)) {
      ASSERT_EQ(r.table.source_lines()[row], record_line[rec]) << "record " << rec;
    }
    const auto& src = clean[src_rows[rec - 1].get<size_t>()];
    for (size_t j = 0; j <= header.size(); ++j) {
      const std::string name = j < header.size() ? header[j] : notes;
      std::optional<std::string> want;
      if (j < header.size() && !src[j].empty()) want = src[j];
      auto ov = overrides.find({rec, name});
      if (ov != overrides.end()) {
        want = ov->second.is_null() ? std::nullopt : std::optional(ov->second.get<std::string>());
      }
      const Column& col = *r.table.Find(name);
      if (!want) {
        EXPECT_TRUE(col.IsMissing(row)) << name << " record " << rec;
        continue;
      }
      ASSERT_FALSE(col.IsMissing(row)) << name << " record " << rec;
      if (col.kind() == ColumnKind::kNumeric) {
        EXPECT_EQ(col.numeric()[row], std::strtod(want->c_str(), nullptr)) << name << " record " << rec;
      } else {
        EXPECT_EQ(col.CellText(row), std::string(TrimCell(*want))) << name << " record " << rec;
      }
      ++checked;
    }
    ++row;
  }
  EXPECT_EQ(row, r.table.num_rows());
  EXPECT_GT(checked, rep.rows_used * 10);
}

INSTANTIATE_TEST_SUITE_P(
    SharedData, MessyManifest,
    ::testing::Values(Case{"wa_churn", 0}, Case{"credit_data", 0}, Case{"wa_churn", 20000},
                      Case{"credit_data", 7777}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return info.param.name + (info.param.chunk_bytes ? "_Chunked" : "");
    });

}  // namespace
}  // namespace keel
