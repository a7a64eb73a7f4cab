#include "data/pseudonymize.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "core/file_io.h"
#include "core/hash.h"
#include "data/csv_tokenizer.h"

namespace keel {
namespace {

constexpr std::string_view kRedacted = "<pii>";

bool AnyPiiValue(std::string_view t) {
  return LooksLikeEmail(t) || LooksLikePhone(t) || LooksLikeCardNumber(t) ||
         LooksLikeIpAddress(t) || LooksLikeNationalId(t);
}

std::string_view Trimmed(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) {
    t.remove_suffix(1);
  }
  return t;
}

// The parts of free text that are personal data: the whole text when a classifier
// recognises it, else each whitespace-separated word that one does ("call 555-010-1234").
void AppendPiiFragments(std::string_view text, std::vector<std::string>* out) {
  text = Trimmed(text);
  if (text.empty()) return;
  if (AnyPiiValue(text)) {
    out->emplace_back(text);
    return;
  }
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ' ' || text[i] == '\t' || text[i] == '\n') {
      std::string_view word = text.substr(start, i - start);
      while (!word.empty() &&
             std::string_view("\"'(<[,;").find(word.front()) != std::string_view::npos) {
        word.remove_prefix(1);
      }
      while (!word.empty() &&
             std::string_view("\"')>],;.").find(word.back()) != std::string_view::npos) {
        word.remove_suffix(1);
      }
      if (!word.empty() && AnyPiiValue(word)) out->emplace_back(word);
      start = i + 1;
    }
  }
}

std::string Replacement(std::string_view key, std::string_view clear) {
  return key.empty() ? std::string(kRedacted) : Pseudonym(key, clear);
}

// Replaces every occurrence of each clear value (longest first, so a value containing
// another is replaced whole) in `text`.
std::string ReplaceAll(std::string text, std::vector<std::string> clear, std::string_view key) {
  std::sort(clear.begin(), clear.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  clear.erase(std::unique(clear.begin(), clear.end()), clear.end());
  for (const std::string& c : clear) {
    if (c.empty()) continue;
    const std::string rep = Replacement(key, c);
    size_t pos = 0;
    while ((pos = text.find(c, pos)) != std::string::npos) {
      text.replace(pos, c.size(), rep);
      pos += rep.size();
    }
  }
  return text;
}

// Splits on any of `seps`, ignoring quoting (the fallback for malformed records).
std::vector<std::string> NaiveSplit(std::string_view text, std::string_view seps) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || seps.find(text[i]) != std::string_view::npos) {
      std::string_view piece = Trimmed(text.substr(start, i - start));
      while (!piece.empty() && (piece.front() == '"' || piece.front() == '\'')) {
        piece.remove_prefix(1);
      }
      while (!piece.empty() && (piece.back() == '"' || piece.back() == '\''))
        piece.remove_suffix(1);
      out.emplace_back(piece);
      start = i + 1;
    }
  }
  return out;
}

// The clear texts of personal data in one rejected record.
std::vector<std::string> PiiValuesInRecord(std::string_view record, char delimiter,
                                           std::span<const size_t> pii_fields,
                                           std::span<const std::string> pii_names) {
  std::vector<std::string> found;
  auto consider = [&](std::string_view value, bool is_pii_field) {
    const std::string_view t = Trimmed(value);
    if (t.empty()) return;
    if (is_pii_field) {
      found.emplace_back(t);
    } else {
      AppendPiiFragments(t, &found);
    }
  };
  if (delimiter != 0) {
    CsvFormat format;
    format.delimiter = delimiter;
    const CsvRecord rec = record.empty() ? CsvRecord{} : ReadCsvRecord(record, 0, format);
    std::vector<std::string> fields = rec.status == RecordStatus::kOk
                                          ? rec.fields
                                          : NaiveSplit(record, std::string_view(&delimiter, 1));
    for (size_t i = 0; i < fields.size(); ++i) {
      const bool pii = std::find(pii_fields.begin(), pii_fields.end(), i) != pii_fields.end();
      consider(fields[i], pii);
    }
    return found;
  }
  const nlohmann::json j = nlohmann::json::parse(record, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      const bool pii = std::find(pii_names.begin(), pii_names.end(), k) != pii_names.end();
      if (v.is_string()) {
        consider(v.get<std::string>(), pii);
      } else if (v.is_primitive() && !v.is_null()) {
        consider(v.dump(), pii);
      } else if (pii) {
        found.push_back(v.dump());
      }
    }
    return found;
  }
  for (const std::string& piece : NaiveSplit(record, ",:{}[]\t")) consider(piece, false);
  return found;
}

}  // namespace

std::string Pseudonym(std::string_view key, std::string_view value) {
  const Sha256Digest d = HmacSha256(key, value);
  return ToHex(d);
}

Result<std::string> LoadPiiKey(const std::string& key_file) {
  std::string file = key_file;
  std::string key;
  if (file.empty()) {
    if (const char* env = std::getenv("KEEL_PII_KEY_FILE"); env != nullptr) file = env;
  }
  std::string source;
  if (!file.empty()) {
    KEEL_ASSIGN_OR_RETURN(key, ReadFile(file));
    source = "the key file " + file;
  } else if (const char* env = std::getenv("KEEL_PII_KEY"); env != nullptr) {
    key = env;
    source = "KEEL_PII_KEY";
  } else {
    return std::string();
  }
  if (!key.empty() && key.back() == '\n') key.pop_back();
  if (!key.empty() && key.back() == '\r') key.pop_back();
  if (key.size() < kMinPiiKeyBytes) {
    return Status::InvalidArgument(
        "the pseudonymization key from {} has {} bytes; use at least {} (e.g. `openssl rand "
        "-hex 32`)",
        source, key.size(), kMinPiiKeyBytes);
  }
  return key;
}

std::string ScrubRecordText(std::string_view record, char delimiter,
                            std::span<const size_t> pii_fields,
                            std::span<const std::string> pii_names, std::string_view key) {
  return ReplaceAll(std::string(record),
                    PiiValuesInRecord(record, delimiter, pii_fields, pii_names), key);
}

void ProtectPii(std::span<const PiiFinding> findings, std::string_view key, char delimiter,
                Table* table, Schema* schema, IngestReport* report) {
  // Field positions of the PII columns in the source records (table order = header order;
  // taken before any column is dropped).
  std::vector<size_t> pii_fields;
  std::vector<std::string> pii_names;
  std::set<std::string, std::less<>> pii_set;
  for (const PiiFinding& f : findings) {
    pii_set.insert(f.column);
    pii_names.push_back(f.column);
    for (size_t i = 0; i < table->num_columns(); ++i) {
      if (table->column(i).name() == f.column) pii_fields.push_back(i);
    }
  }
  const bool pseudonymize = !key.empty();

  // Clear values of PII columns that the report may quote (categorical top values and
  // anomaly values), collected before the columns change.
  for (const PiiFinding& f : findings) {
    auto index = table->IndexOf(f.column);
    if (!index.ok()) continue;
    Column& col = table->mutable_column(*index);
    if (pseudonymize) {
      const size_t n = col.size();
      std::vector<std::string> values(n);
      std::vector<uint8_t> missing(n, 0);
      for (size_t r = 0; r < n; ++r) {
        if (col.IsMissing(r)) {
          missing[r] = 1;
        } else {
          values[r] = Pseudonym(key, col.CellText(r));
        }
      }
      col = Column::String(f.column, std::move(values), std::move(missing));
      if (ColumnSchema* cs = schema->Find(f.column); cs != nullptr) {
        cs->kind = ColumnKind::kString;
        cs->role = Role::kPii;
        cs->categories.clear();
        cs->category_order = CategoryOrder::kUnstated;
        cs->category_order_note.clear();  // may quote the column's values
        cs->min.reset();
        cs->max.reset();
        cs->seen.mean.reset();
      }
    } else {
      table->RemoveColumn(f.column).IgnoreError();
      std::erase_if(schema->columns, [&](const ColumnSchema& c) { return c.name == f.column; });
    }
    report->pii_columns.push_back({f.column, std::string(PiiKindName(f.kind)), f.reason,
                                   pseudonymize ? "pseudonymized" : "dropped"});
  }

  // The report: statistics, anomalies, rejected records.
  for (ColumnStats& c : report->columns) {
    const bool pii = pii_set.count(c.name) > 0;
    if (pii) {
      c.min.reset();
      c.max.reset();
      c.mean.reset();
      if (pseudonymize) c.kind = ColumnKind::kString;
    }
    for (auto& [value, count] : c.top_values) {
      if (pii || AnyPiiValue(Trimmed(value))) value = Replacement(key, value);
    }
    if (pii && !pseudonymize) c.top_values.clear();
  }
  for (Anomaly& a : report->anomalies) {
    const bool pii = pii_set.count(a.column) > 0;
    std::vector<std::string> clear;
    if (pii && !a.value.empty()) {
      clear.push_back(a.value);
    } else {
      AppendPiiFragments(a.value, &clear);
    }
    a.message = ReplaceAll(std::move(a.message), clear, key);
    a.value = ReplaceAll(std::move(a.value), clear, key);
  }
  for (RejectedRecord& r : report->rejected) {
    std::vector<std::string> clear = PiiValuesInRecord(r.raw, delimiter, pii_fields, pii_names);
    r.raw = ReplaceAll(std::move(r.raw), clear, key);
    r.reason = ReplaceAll(std::move(r.reason), std::move(clear), key);
  }
}

}  // namespace keel
