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
  keel::fuzz::CheckRead(text, "fuzz.jsonl", o, size);
  return 0;
}
