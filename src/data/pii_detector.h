// PII detection: which columns of a table hold personal data, and why.
//
// A column is PII when the schema declares its role `pii`, when its name is one people give
// to personal data (first_name, email, phone, ssn, date_of_birth, ...; matched on the whole
// name, case and separators ignored, so "phone_service" is not a phone number), or when most
// of its non-missing values look like one kind of personal data:
//   e-mail addresses  local@domain.tld
//   phone numbers     10 to 15 digits with a leading '+' or phone-style separators
//   card numbers      13 to 19 digits (spaces/dashes allowed) passing the Luhn check, with
//                     an issuer prefix (2-6)
//   IP addresses      dotted-quad IPv4 or IPv6 (inet_pton)
//   national ids      US SSN (ddd-dd-dddd, valid area/group/serial), UK National Insurance
//                     numbers, IBANs (ISO 13616 mod-97 check)
// Integral numeric columns are checked as digit strings (card and phone numbers are often
// read as numbers). Each value classifier is exposed for tests and for scrubbing free text.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/schema.h"
#include "keel/table.h"

namespace keel {

enum class PiiKind : uint8_t {
  kDeclared,    // role pii in the schema
  kPersonName,  // by column name
  kEmail,
  kPhone,
  kCardNumber,
  kIpAddress,
  kNationalId,
  kDateOfBirth,    // by column name
  kPostalAddress,  // by column name
};
// "declared", "person_name", "email", "phone", "card_number", "ip_address", "national_id",
// "date_of_birth", "postal_address".
std::string_view PiiKindName(PiiKind kind);

struct PiiFinding {
  std::string column;
  PiiKind kind = PiiKind::kDeclared;
  std::string reason;    // one sentence for people, e.g. "97% of 1000 values are e-mail ..."
  uint64_t checked = 0;  // non-missing values examined (0 for name and schema findings)
  uint64_t matched = 0;  // of which looked like `kind`
};

struct PiiDetectorOptions {
  // Share of the checked values that must match one kind for the column to be PII. High
  // enough that a column of random 16-digit ids (10% pass Luhn) is not taken for cards.
  double min_match_rate = 0.6;
  // At most this many non-missing values are checked per column (evenly spread rows).
  size_t max_values = 20000;
  // Columns never reported (the user said they are not personal data).
  std::vector<std::string> not_pii;
  // Whether a given schema is the user's declaration (a --schema file, a model's schema):
  // then only columns it does not list are checked.
  bool schema_is_declaration = false;
};

// One finding per PII column, in table order. `schema` (may be null) supplies declared roles.
// With schema_is_declaration, a column the schema lists with another role is not PII (the
// user decided); otherwise every column is checked by name and values.
std::vector<PiiFinding> DetectPii(const Table& table, const Schema* schema,
                                  const PiiDetectorOptions& options = {});

// Value classifiers (the text trimmed by the caller).
bool LooksLikeEmail(std::string_view text);
bool LooksLikePhone(std::string_view text);
bool LooksLikeCardNumber(std::string_view text);  // Luhn-valid with an issuer prefix
bool LooksLikeIpAddress(std::string_view text);
bool LooksLikeNationalId(std::string_view text);  // SSN, UK NINO, IBAN
bool LuhnValid(std::string_view digits);          // digits only

// The kind a column name suggests, or false. `name` is compared case-insensitively with
// separators (_ - . space) removed, against whole names only.
bool PiiKindFromColumnName(std::string_view name, PiiKind* kind);

}  // namespace keel
