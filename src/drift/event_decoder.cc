#include "drift/event_decoder.h"

#include <cmath>
#include <limits>

#include "data/timestamp_parse.h"
#include "drift/column_values.h"
#include "predict/feature_matrix.h"

namespace keel::drift {
namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// One JSON value read once, in every form a role may need.
struct Scalar {
  enum class Type { kMissing, kNumber, kString, kBool, kOther } type = Type::kMissing;
  double number = kNaN;   // numbers, booleans (1/0)
  std::string_view text;  // string content, or the JSON text of a number/boolean
  std::string_view raw;   // the raw JSON token (strings with their quotes)
};

simdjson::error_code ReadScalar(simdjson::ondemand::value& v, Scalar* s) {
  using simdjson::ondemand::json_type;
  json_type type;
  if (auto err = v.type().get(type)) return err;
  s->raw = Trim(v.raw_json_token());
  switch (type) {
    case json_type::number: {
      s->type = Scalar::Type::kNumber;
      s->text = s->raw;
      return v.get_double().get(s->number);
    }
    case json_type::string: {
      s->type = Scalar::Type::kString;
      return v.get_string().get(s->text);
    }
    case json_type::boolean: {
      bool b = false;
      if (auto err = v.get_bool().get(b)) return err;
      s->type = Scalar::Type::kBool;
      s->number = b ? 1.0 : 0.0;
      s->text = b ? "true" : "false";
      return simdjson::SUCCESS;
    }
    case json_type::null:
      s->type = Scalar::Type::kMissing;
      return simdjson::SUCCESS;
    default:
      s->type = Scalar::Type::kOther;  // nested object or array: not a usable value
      return simdjson::SUCCESS;
  }
}

}  // namespace

Result<std::unique_ptr<EventDecoder>> EventDecoder::Create(
    const Model& model, std::shared_ptr<const ProfileLayout> layout) {
  std::unique_ptr<EventDecoder> d(new EventDecoder());
  d->model_ = &model;
  d->layout_ = layout;
  d->features_.resize(model.features.size());
  for (size_t i = 0; i < model.features.size(); ++i) {
    const FeatureSpec& spec = model.features[i];
    Feature& f = d->features_[i];
    f.categorical = spec.kind == FeatureSpec::Kind::kCategorical;
    f.codes_only = f.categorical && spec.categories.empty();
    f.timestamp = spec.source_kind == ColumnKind::kTimestamp;
    if (f.categorical) {
      for (size_t c = 0; c < spec.categories.size(); ++c) {
        f.exact.emplace(spec.categories[c], static_cast<int32_t>(c));
        std::string low = spec.categories[c];
        for (char& ch : low) ch = Lower(ch);
        f.folded.emplace(std::move(low), static_cast<int32_t>(c));
      }
    }
    if (layout != nullptr) {
      const int32_t col = layout->Find(spec.name, ProfileRole::kFeature);
      if (col < 0) {
        return Status::Corrupt("the training profile has no column for feature '{}'", spec.name);
      }
      f.profile_column = col;
      f.spec = &layout->columns[static_cast<size_t>(col)];
      if (f.categorical) {
        for (const auto& text : spec.categories)
          f.code_to_bin.push_back(f.spec->CategoryIndex(text));
      }
    }
    d->slots_[spec.name].feature = static_cast<int32_t>(i);
  }
  d->id_key_ = model.schema.FirstWithRole(Role::kId);
  if (!d->id_key_.empty()) d->slots_[d->id_key_].id = true;
  const std::string time_key = model.schema.FirstWithRole(Role::kTime);
  if (!time_key.empty()) d->slots_[time_key].time = true;
  if (layout != nullptr) {
    if (!model.target.empty()) {
      d->label_column_ = layout->Find(model.target, ProfileRole::kLabel);
      if (d->label_column_ >= 0) {
        d->slots_[model.target].label = true;
        d->label_numeric_ =
            layout->columns[static_cast<size_t>(d->label_column_)].kind == ValueKind::kNumeric;
      }
    }
    for (size_t g = 0; g < layout->groups.size(); ++g) {
      d->groups_.push_back({&layout->groups[g]});
      d->slots_[layout->groups[g].attribute].group = static_cast<int32_t>(g);
    }
  }
  return d;
}

const EventDecoder::Slot* EventDecoder::FindSlot(std::string_view key, size_t position) {
  if (position < order_cache_.size() && order_cache_[position].first == key) {
    return order_cache_[position].second;
  }
  auto it = slots_.find(key);
  const Slot* slot = it == slots_.end() ? nullptr : &it->second;
  if (position < 256) {
    if (order_cache_.size() <= position) order_cache_.resize(position + 1);
    order_cache_[position] = {std::string(key), slot};
  }
  return slot;
}

int32_t EventDecoder::CodeOf(const Feature& f, std::string_view text) {
  if (auto it = f.exact.find(text); it != f.exact.end()) return it->second;
  scratch_.assign(text);
  for (char& c : scratch_) c = Lower(c);
  if (auto it = f.folded.find(scratch_); it != f.folded.end()) return it->second;
  return -1;
}

Status EventDecoder::Decode(const char* line, size_t length, size_t capacity, uint32_t row,
                            DecodedRow* out, std::vector<UntrackedText>* untracked) {
  const size_t nf = features_.size();
  for (size_t f = 0; f < nf; ++f) out->features[f] = kNaNf;
  if (out->features64 != nullptr) {
    for (size_t f = 0; f < nf; ++f) out->features64[f] = kNaN;
  }
  if (out->profile != nullptr) {
    for (size_t f = 0; f < nf; ++f) out->profile[f] = kNaN;
  }
  for (size_t g = 0; g < groups_.size(); ++g) out->groups[g] = -1;
  out->label = kNaN;
  out->time = kMissingTime;
  out->id = {};
  out->time_raw = {};

  simdjson::ondemand::document doc;
  simdjson::padded_string_view input(line, length, capacity);
  if (auto err = parser_.iterate(input).get(doc)) {
    return Status::ParseError("not valid JSON ({})", simdjson::error_message(err));
  }
  simdjson::ondemand::object obj;
  if (auto err = doc.get_object().get(obj)) {
    return Status::ParseError("not a JSON object ({})", simdjson::error_message(err));
  }
  size_t position = 0;
  for (auto field : obj) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) {
      return Status::ParseError("malformed object ({})", simdjson::error_message(err));
    }
    const Slot* slot = FindSlot(key, position++);
    if (slot == nullptr) continue;  // a key the model does not use: skipped unparsed
    simdjson::ondemand::value value;
    if (auto err = field.value().get(value)) {
      return Status::ParseError("bad value for '{}' ({})", key, simdjson::error_message(err));
    }
    Scalar s;
    if (auto err = ReadScalar(value, &s)) {
      return Status::ParseError("bad value for '{}' ({})", key, simdjson::error_message(err));
    }
    if (slot->id && s.type != Scalar::Type::kMissing) out->id = s.raw;
    if (slot->time) {
      if (s.type != Scalar::Type::kMissing) out->time_raw = s.raw;
      int64_t micros = 0;
      if (s.type == Scalar::Type::kNumber && std::isfinite(s.number)) {
        out->time = static_cast<int64_t>(std::llround(s.number * 1e6));
      } else if (s.type == Scalar::Type::kString && ParseTimestamp(s.text, &micros)) {
        out->time = micros;
      }
    }
    if (slot->feature >= 0) {
      const auto fi = static_cast<size_t>(slot->feature);
      const Feature& f = features_[fi];
      if (!f.categorical) {
        double v = kNaN;
        switch (s.type) {
          case Scalar::Type::kNumber:
          case Scalar::Type::kBool:
            v = s.number;
            break;
          case Scalar::Type::kString: {
            int64_t micros = 0;
            v = ParseNumberText(s.text);
            if (std::isnan(v) && f.timestamp && ParseTimestamp(s.text, &micros)) {
              v = static_cast<double>(micros) / 1e6;
            }
            if (std::isnan(v) && !Trim(s.text).empty()) ++invalid_values_;
            break;
          }
          case Scalar::Type::kOther:
            ++invalid_values_;
            break;
          case Scalar::Type::kMissing:
            break;
        }
        out->features[fi] = static_cast<float>(v);
        if (out->features64 != nullptr) out->features64[fi] = v;
        if (out->profile != nullptr) out->profile[fi] = v;
      } else if (s.type == Scalar::Type::kOther) {
        ++invalid_values_;
      } else if (f.codes_only && s.type != Scalar::Type::kMissing) {
        // A code-taking (imported) model reads the value as its code, as EncodeFeatures does.
        const double v = s.type == Scalar::Type::kString
                             ? EncodeText(model_->features[fi], Trim(s.text))
                             : s.number;
        out->features[fi] = static_cast<float>(v);
        if (out->features64 != nullptr) out->features64[fi] = v;
        if (out->profile != nullptr) {
          const int32_t bin = f.spec->CategoryIndex(s.text);
          if (bin >= 0) {
            out->profile[fi] = bin;
          } else {
            out->profile[fi] = kUntracked;
            untracked->push_back({row, f.profile_column, std::string(s.text)});
          }
        }
      } else if (s.type != Scalar::Type::kMissing) {
        const int32_t code = CodeOf(f, s.text);
        if (code >= 0) {
          out->features[fi] = static_cast<float>(code);
          if (out->features64 != nullptr) out->features64[fi] = code;
        }
        if (out->profile != nullptr) {
          int32_t bin = code >= 0 ? f.code_to_bin[static_cast<size_t>(code)] : -1;
          if (bin < 0 && code < 0) bin = f.spec->CategoryIndex(s.text);
          if (bin >= 0) {
            out->profile[fi] = bin;
          } else {
            out->profile[fi] = kUntracked;
            untracked->push_back({row, f.profile_column, std::string(s.text)});
          }
        }
      }
    }
    if (slot->label && s.type != Scalar::Type::kMissing && s.type != Scalar::Type::kOther) {
      if (label_numeric_) {
        out->label = s.type == Scalar::Type::kString ? ParseNumberText(s.text) : s.number;
      } else {
        const int32_t k = model_->labels.ClassOf(s.text);
        if (k >= 0) {
          out->label = k;
        } else {
          out->label = kUntracked;
          untracked->push_back({row, label_column_, std::string(s.text)});
        }
      }
    }
    if (slot->group >= 0 && s.type != Scalar::Type::kMissing && s.type != Scalar::Type::kOther) {
      const GroupSpec& g = *groups_[static_cast<size_t>(slot->group)].spec;
      if (g.kind == ValueKind::kNumeric) {
        const double v = s.type == Scalar::Type::kString ? ParseNumberText(s.text) : s.number;
        out->groups[slot->group] = g.GroupOf(v);
      } else {
        out->groups[slot->group] = g.GroupOf(s.text);
      }
    }
  }
  return Status::OK();
}

}  // namespace keel::drift
