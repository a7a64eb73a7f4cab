// Pseudonymization of personal data with a keyed hash, and scrubbing of what ingestion
// reports, so no PII value reaches an artifact, a log, a report or stderr in clear.
//
// Pseudonym(key, v) = lowercase hex of HMAC-SHA256(key, v): stable under one key (joins,
// group-bys and erasure requests still work), unlinkable without it, and the same function
// the server uses for the prediction log's `subject` (serve/record_request.h), so a subject
// pseudonymized at ingestion matches the one logged while serving.
//
// The key comes from the environment, never from a flag value (it would land in shell
// history and `ps`) and is never written anywhere: LoadPiiKey reads --pii-key-file, else
// $KEEL_PII_KEY_FILE, else $KEEL_PII_KEY.
//
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/ingest_report.h"
#include "data/pii_detector.h"
#include "data/schema.h"
#include "keel/status.h"
#include "keel/table.h"

namespace keel {

// Minimum key length: shorter keys make a dictionary attack on pseudonyms cheap.
inline constexpr size_t kMinPiiKeyBytes = 16;

// 64 lowercase hex digits of HMAC-SHA256(key, value).
std::string Pseudonym(std::string_view key, std::string_view value);

// The pseudonymization key: the contents of `key_file` if given, else of the file named by
// $KEEL_PII_KEY_FILE, else $KEEL_PII_KEY (one trailing newline stripped); "" when none is
// set. Errors: IoError (unreadable file), InvalidArgument (a key shorter than
// kMinPiiKeyBytes; the message never contains the key).
Result<std::string> LoadPiiKey(const std::string& key_file = "");

// Applies `findings` to freshly ingested data: with a key, each PII column becomes a string
// column of pseudonyms (its schema role set to pii); without one it is removed from the table
// and the schema. Then every place of `report` that can hold a cell value (column top values
// and ranges, anomaly values and messages, rejected records' reasons and raw text) is
// scrubbed: values of PII columns, and anything elsewhere that a value classifier recognises
// (e-mail, phone, card, IP, national id), are replaced by their pseudonym, or by "<pii>"
// without a key. `delimiter` splits rejected CSV records into fields (0 for JSON Lines).
// Appends what it did to report->pii_columns, in table order.
void ProtectPii(std::span<const PiiFinding> findings, std::string_view key, char delimiter,
                Table* table, Schema* schema, IngestReport* report);

// Replaces personal data inside free text (a rejected record): the fields of `record` at
// `pii_fields` and any field a value classifier recognises. `delimiter` = 0 means a JSON
// Lines record. Never throws; malformed records are split naively.
std::string ScrubRecordText(std::string_view record, char delimiter,
                            std::span<const size_t> pii_fields,
                            std::span<const std::string> pii_names, std::string_view key);

}  // namespace keel
