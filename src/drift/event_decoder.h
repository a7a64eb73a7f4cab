// Decoding one JSON Lines event (a JSON object) into a model's feature vector plus what the
// stream's drift windows need, with simdjson's On Demand API.
//
// Keys are matched to the model's schema by name; unknown keys are skipped. Values read as
// the CSV and JSON Lines readers read them:
//   numeric feature      number; string holding a number; true/false as 1/0; null, absent or
//                        anything else missing (a non-number string is also counted as
//                        invalid). Timestamp features: ISO 8601 string or epoch seconds.
//   categorical feature  string, or a number/boolean by its JSON text; the model's code by
//                        exact then ASCII case-insensitive match; unseen = missing. A model
//                        without a dictionary (imported, takes codes): the number itself
//                        (a string: an integer code, else missing), as EncodeFeatures reads it
//   id (role id)         its raw JSON token, passed through to the output unchanged
//   time (role time)     ISO 8601 string, or a number of epoch seconds
//   target               label for label drift (class by the model's label mapping)
//   sensitive columns    the attribute's group in the reference profile
// Thread-compatible: use one decoder per thread (each owns a simdjson parser).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "drift/profile.h"
#include "keel/status.h"
#include "model/model.h"

namespace keel::drift {

// Where one decoded row goes. Arrays are owned by the caller and sized by the decoder's
// counts; the decoder writes every entry of each row it decodes.
struct DecodedRow {
  float* features = nullptr;  // num_features() floats, as the predictor reads them
  // Null, or num_features() doubles: the same values unrounded (a float64 model's inputs,
  // Model::input_precision), NaN = missing.
  double* features64 = nullptr;
  // Profile values for the model features, in feature order: the numeric value (double, not
  // rounded to float), or for categorical features the tracked bin (>= 0); NaN = missing;
  // kUntracked = a category the profile does not track, whose text is in `untracked`.
  double* profile = nullptr;
  int32_t* groups = nullptr;  // num_groups() group indices, -1 = unknown
  double label = 0;           // bin, value, NaN (absent), or kUntracked (text in `untracked`)
  int64_t time = 0;           // micros; kMissingTime when absent or unreadable
  std::string_view id;        // raw JSON token in the input line; empty when absent
  std::string_view time_raw;  // raw JSON token of the time column; empty when absent
};

inline constexpr double kUntracked = -1.0;

// A category text the profile does not track, kept for the window's frequent-items summary.
struct UntrackedText {
  uint32_t row = 0;    // row within the caller's batch
  int32_t column = 0;  // profile column (feature index, or the label column)
  std::string text;
};

class EventDecoder {
 public:
  // `layout` may be null (no windows): profile values, groups and labels are then not
  // produced. The model must outlive the decoder.
  static Result<std::unique_ptr<EventDecoder>> Create(const Model& model,
                                                      std::shared_ptr<const ProfileLayout> layout);

  size_t num_features() const { return features_.size(); }
  size_t num_groups() const { return groups_.size(); }
  bool has_id() const { return !id_key_.empty(); }
  const std::string& id_key() const { return id_key_; }
  // The profile column of the label, or -1 when the profile has none.
  int32_t label_column() const { return label_column_; }

  // Decodes `line` (no newline). The bytes after it up to `capacity` must be readable (at
  // least simdjson::SIMDJSON_PADDING of them): the stream buffer provides this padding.
  // `row` is the caller's batch row number (for untracked texts). Errors: ParseError with
  // simdjson's reason when the line is not a JSON object. Counts invalid values in
  // invalid_values().
  Status Decode(const char* line, size_t length, size_t capacity, uint32_t row, DecodedRow* out,
                std::vector<UntrackedText>* untracked);

  uint64_t invalid_values() const { return invalid_values_; }

 private:
  struct Slot {
    int32_t feature = -1;
    int32_t group = -1;
    bool id = false;
    bool time = false;
    bool label = false;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using TextMap = std::unordered_map<std::string, int32_t, Hash, std::equal_to<>>;
  struct Feature {
    bool categorical = false;
    bool codes_only = false;  // categorical without a dictionary: values are the codes
    bool timestamp = false;
    TextMap exact;                     // text -> model code
    TextMap folded;                    // lower-case text -> model code
    std::vector<int32_t> code_to_bin;  // model code -> profile bin (-1 untracked)
    int32_t profile_column = -1;
    const ColumnSpec* spec = nullptr;
  };
  struct Group {
    const GroupSpec* spec = nullptr;
  };

  EventDecoder() = default;
  const Slot* FindSlot(std::string_view key, size_t position);
  int32_t CodeOf(const Feature& f, std::string_view text);

  const Model* model_ = nullptr;
  std::shared_ptr<const ProfileLayout> layout_;
  std::vector<Feature> features_;
  std::vector<Group> groups_;
  std::string id_key_;
  int32_t label_column_ = -1;
  bool label_numeric_ = false;
  std::unordered_map<std::string, Slot, Hash, std::equal_to<>> slots_;
  // Objects in a stream usually repeat their key order: remember the slot at each position.
  std::vector<std::pair<std::string, const Slot*>> order_cache_;
  simdjson::ondemand::parser parser_;
  std::string scratch_;
  uint64_t invalid_values_ = 0;
};

}  // namespace keel::drift
