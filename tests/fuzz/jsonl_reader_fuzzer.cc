// libFuzzer target: the JSON Lines reader (ReadTableFromBuffer with format jsonl: simdjson
// per line, key union, type inference, validation, quarantine, statistics) on arbitrary bytes.
//
// The first byte picks the options, the rest is the file:
//   bit 0  trim and case-normalising off
//   bit 1  drop duplicates, reject out-of-range values and new categories
//   bit 2  extra missing tokens ("-", "none")
// Every input is read twice, in one chunk and in chunks of 1-64 bytes; both reads must agree
// exactly. A read that succeeds is read again with the schema it inferred.
// Findings besides crashes and sanitizer reports (abort): counts that do not add up, lines out
// of order, or results that depend on the chunking.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "data/ingest.h"
#include "reader_fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  keel::ReadOptions o;
  o.format = "jsonl";
  o.threads = 1;
  o.progress = false;
  o.pii_key = "fuzz-pii-key";
  if (flags & 1) {
    o.trim = false;
    o.normalize_case = false;
  }
  if (flags & 2) {
    o.drop_duplicates = true;
    o.reject_out_of_range = true;
    o.reject_new_categories = true;
  }
  if (flags & 4) {
    o.missing_tokens.push_back("-");
    o.missing_tokens.push_back("none");
  }
  auto whole = keel::ReadTableFromBuffer(text, "fuzz.jsonl", o);
  keel::ReadOptions chunked = o;
  chunked.chunk_bytes = 1 + size % 64;
  auto pieces = keel::ReadTableFromBuffer(text, "fuzz.jsonl", chunked);
  keel::fuzz::Check(whole.ok() == pieces.ok(), "chunking: the same inputs fail");
  if (!whole.ok()) return 0;
  keel::fuzz::CheckAccounting(*whole);
  keel::fuzz::CheckAccounting(*pieces);
  keel::fuzz::CheckSameResult(*whole, *pieces);

  const keel::Schema schema = whole->schema;
  keel::ReadOptions validated = o;
  validated.schema = &schema;
  validated.allow_missing_columns = true;
  auto again = keel::ReadTableFromBuffer(text, "fuzz.jsonl", validated);
  if (again.ok()) keel::fuzz::CheckAccounting(*again);
  return 0;
}
