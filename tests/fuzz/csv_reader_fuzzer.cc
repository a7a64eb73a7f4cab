// libFuzzer target: the CSV reader (ReadTableFromBuffer: dialect sniffing, the SIMD tokenizer,
// type inference, validation, quarantine, statistics, PII handling) on arbitrary bytes.
//
// The first byte picks the options, the rest is the file:
//   bits 0-2  delimiter: sniffed, ',', ';', TAB, '|', sniffed, sniffed, ','; the decimal mark
//             is sniffed, except ',' for value 5 and '.' for value 6
//   bits 3-4  header: sniffed, yes, no, sniffed
//   bit 5     trim and case-normalising off
//   bit 6     drop duplicates, reject out-of-range values and new categories
//   bit 7     extra missing tokens ("-", "none", a 70-byte token)
// Every input is read twice, in one chunk and in chunks of 1-64 bytes (which puts chunk
// boundaries inside quoted fields and CRLF pairs); both reads must agree exactly. A read that
// succeeds is read a third time with the schema it inferred, which must succeed and validate.
// Findings besides crashes and sanitizer reports (abort): counts that do not add up, lines out
// of order, or results that depend on the chunking.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "data/ingest.h"
#include "reader_fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  keel::ReadOptions o;
  o.format = "csv";
  o.pii_key = "fuzz-pii-key";
  static constexpr char kDelimiters[] = {0, ',', ';', '\t', '|', 0, 0, ','};
  o.delimiter = kDelimiters[flags & 7];
  if ((flags & 7) == 5) o.decimal = ',';
  if ((flags & 7) == 6) o.decimal = '.';
  const int header = (flags >> 3) & 3;
  if (header == 1) o.header = true;
  if (header == 2) o.header = false;
  if (flags & 32) {
    o.trim = false;
    o.normalize_case = false;
  }
  if (flags & 64) {
    o.drop_duplicates = true;
    o.reject_out_of_range = true;
    o.reject_new_categories = true;
  }
  if (flags & 128) {
    o.missing_tokens.push_back("-");
    o.missing_tokens.push_back(" none ");
    o.missing_tokens.push_back(std::string(70, '-'));
  }
  keel::fuzz::CheckRead(text, "fuzz.csv", o, size);
  return 0;
}
