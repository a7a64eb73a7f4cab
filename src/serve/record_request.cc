#include "serve/record_request.h"

#include <cmath>
#include <limits>

#include "core/hash.h"
#include "core/number_format.h"
#include "data/cell_text.h"
#include "data/number_parse.h"
#include "data/timestamp_parse.h"
#include "serve/json_skip.h"
#include "serve/json_text.h"

namespace keel::serve {

namespace od = simdjson::ondemand;

namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// How much of a user's field name or value an error message quotes.
constexpr size_t kQuoteBytes = 120;

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view JsonTypeName(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "a value";
}

// Decodes one request; a class so the per-field helpers share the request's context.
class Decoder {
 public:
  Decoder(const ServedModel& model, const std::string& body, const RecordOptions& options,
          RecordBatch* batch)
      : model_(model),
        body_(body),
        options_(options),
        b_(*batch),
        nf_(model.num_features()),
        f64_(model.reads_doubles()) {}

  Status Run(od::parser* parser) {
    Reset();
    od::document doc;
    const simdjson::padded_string_view input(body_.data(), body_.size(), body_.capacity());
    if (auto err = parser->iterate(input).get(doc)) return JsonError(err, nullptr);
    doc_ = &doc;
    od::object top;
    if (auto err = doc.get_object().get(top)) {
      if (err == simdjson::INCORRECT_TYPE) {
        return Status::InvalidArgument(
            "the body must be a JSON object like {{\"instances\": [{{\"feature\": value}}]}}");
      }
      return JsonError(err, &doc);
    }
    bool saw_instances = false;
    for (auto field_result : top) {
      od::field field;
      if (auto err = std::move(field_result).get(field)) return JsonError(err, &doc);
      std::string_view key;
      if (auto err = field.unescaped_key().get(key)) return JsonError(err, &doc);
      if (key == "instances") {
        saw_instances = true;
        KEEL_RETURN_IF_ERROR(Instances(field.value()));
      } else if (key == "explain") {
        KEEL_RETURN_IF_ERROR(Explain(field.value()));
      } else if (key == "interval") {
        KEEL_RETURN_IF_ERROR(Interval(field.value()));
      } else if (!options_.lenient) {
        return Status::InvalidArgument(
            "unknown top-level field '{}': the body takes \"instances\" and optionally "
            "\"explain\" and \"interval\" (start the server with --lenient to ignore unknown "
            "fields)",
            TruncateUtf8(key, kQuoteBytes));
      } else if (auto err = SkipValue(field.value())) {
        return JsonError(err, &doc);  // ignored, but still JSON
      }
    }
    if (const char* rest = nullptr; !doc.current_location().get(rest)) {
      return Status::ParseError("malformed JSON: content after the end of the object at {}",
                                Where(&doc));
    }
    if (!saw_instances) {
      return Status::InvalidArgument(
          "the body has no \"instances\" array: send {{\"instances\": [{{\"feature\": "
          "value, ...}}]}}");
    }
    b_.anomaly_begin.push_back(static_cast<uint32_t>(b_.anomalies.size()));
    return Status::OK();
  }

 private:
  void Reset() {
    b_.n = 0;
    b_.explain_k = 0;
    b_.interval = 0;
    b_.interval_q = 0;
    b_.x.clear();
    b_.x64.clear();
    b_.raw.clear();
    b_.ids.clear();
    b_.anomalies.clear();
    b_.anomaly_begin.clear();
    b_.log_inputs.clear();
    b_.log_end.clear();
    b_.subjects.clear();
    b_.subject_end.clear();
    b_.ignored_unknown = 0;
    b_.ignored_wrong_type = 0;
  }

  std::string Where(od::document* doc) {
    if (doc != nullptr) {
      const char* p = nullptr;
      if (!doc->current_location().get(p) && p >= body_.data() &&
          p <= body_.data() + body_.size()) {
        return TextPosition(body_, static_cast<size_t>(p - body_.data()));
      }
    }
    return "the end of the body";
  }

  Status JsonError(simdjson::error_code err, od::document* doc) {
    if (err == simdjson::DEPTH_ERROR) {
      return Status::ParseError("malformed JSON: nested too deeply (near {})", Where(doc));
    }
    if (err == simdjson::EMPTY) return Status::ParseError("malformed JSON: the body is empty");
    return Status::ParseError("malformed JSON near {}: {}", Where(doc),
                              simdjson::error_message(err));
  }

  Status Explain(od::value value) {
    od::json_type t;
    if (auto err = value.type().get(t)) return JsonError(err, doc_);
    if (!options_.allow_explain_k) {
      return Status::InvalidArgument(
          "\"explain\" belongs to the predict route; the explain route returns every "
          "feature's contribution");
    }
    if (t == od::json_type::boolean) {
      bool all = false;
      if (auto err = value.get_bool().get(all)) return JsonError(err, doc_);
      b_.explain_k = all ? static_cast<int>(nf_) : 0;
      return Status::OK();
    }
    int64_t k = 0;
    if (t != od::json_type::number || value.get_int64().get(k) || k < 0) {
      return Status::InvalidArgument(
          "\"explain\" must be a non-negative integer (the number of reasons per instance) or "
          "true, got {}",
          TruncateUtf8(TrimRight(value.raw_json_token()), kQuoteBytes));
    }
    b_.explain_k = static_cast<int>(std::min<int64_t>(k, static_cast<int64_t>(nf_)));
    return Status::OK();
  }

  // "interval": a level in (0, 1): conformal bounds or sets (model/conformal.h).
  Status Interval(od::value value) {
    double level = 0;
    if (value.get_double().get(level)) {
      return Status::InvalidArgument("\"interval\" must be a number between 0 and 1, got {}",
                                     TruncateUtf8(TrimRight(value.raw_json_token()), kQuoteBytes));
    }
    KEEL_ASSIGN_OR_RETURN(b_.interval_q, ConformalQuantile(model_.predictor().conformal(), level));
    b_.interval = level;
    return Status::OK();
  }

  Status Instances(od::value value) {
    od::array arr;
    if (auto err = value.get_array().get(arr)) {
      if (err == simdjson::INCORRECT_TYPE) {
        return Status::InvalidArgument("\"instances\" must be an array of objects");
      }
      return JsonError(err, doc_);
    }
    for (auto elem_result : arr) {
      od::value elem;
      if (auto err = std::move(elem_result).get(elem)) return JsonError(err, doc_);
      if (b_.n >= options_.max_instances) {
        return Status::ResourceExhausted(
            "the request has more than {} instances (--max-instances); split it",
            options_.max_instances);
      }
      od::object inst;
      if (auto err = elem.get_object().get(inst)) {
        if (err == simdjson::INCORRECT_TYPE) {
          return Status::InvalidArgument(
              "instances[{}] must be an object of feature names and values", b_.n);
        }
        return JsonError(err, doc_);
      }
      KEEL_RETURN_IF_ERROR(Instance(inst));
    }
    return Status::OK();
  }

  void LogField(std::string_view key, std::string_view json_value) {
    if (!options_.log_inputs) return;
    if (b_.log_inputs.size() > log_start_ + 1) b_.log_inputs.push_back(',');
    AppendJsonString(&b_.log_inputs, key);
    b_.log_inputs.push_back(':');
    b_.log_inputs.append(json_value);
  }

  void AddAnomaly(uint32_t i, InstanceAnomalyKind kind, std::string_view field,
                  std::string_view value) {
    b_.anomalies.push_back({i, kind, field, value});
  }

  Status Instance(od::object& inst) {
    const auto i = static_cast<uint32_t>(b_.n++);
    b_.x.resize(b_.n * nf_, kNaNf);
    if (f64_) b_.x64.resize(b_.n * nf_, kNaN);
    b_.raw.resize(b_.n * nf_);
    b_.ids.emplace_back();
    b_.anomaly_begin.push_back(static_cast<uint32_t>(b_.anomalies.size()));
    const RowValidator* validator = model_.validator();
    if (validator != nullptr) {
      const size_t nc = validator->num_columns();
      b_.cells.assign(nc, CellValue::Missing());
      b_.cell_raw.assign(nc, {});
      b_.cell_flagged.assign(nc, 0);
    }
    b_.pending_unseen.clear();
    log_start_ = b_.log_inputs.size();
    if (options_.log_inputs) b_.log_inputs.push_back('{');
    for (auto field_result : inst) {
      od::field field;
      if (auto err = std::move(field_result).get(field)) return JsonError(err, doc_);
      std::string_view key;
      if (auto err = field.unescaped_key().get(key)) return JsonError(err, doc_);
      od::value& value = field.value();
      const FieldBinding* binding = model_.FindField(key);
      if (binding == nullptr) {
        if (!options_.lenient) {
          return Status::InvalidArgument(
              "instances[{}].{}: unknown field: the model has no feature or column of that "
              "name (start the server with --lenient to ignore unknown fields)",
              i, TruncateUtf8(key, kQuoteBytes));
        }
        ++b_.ignored_unknown;
        AddAnomaly(i, InstanceAnomalyKind::kUnknownField, key, {});
        if (auto err = SkipValue(value)) return JsonError(err, doc_);  // ignored, but still JSON
        continue;
      }
      od::json_type t;
      if (auto err = value.type().get(t)) return JsonError(err, doc_);
      if (t == od::json_type::null) {
        // type() looked at the first byte only: a token like `nul` must not pass (or be logged).
        bool is_null = false;
        if (value.is_null().get(is_null) || !is_null) {
          return JsonError(simdjson::N_ATOM_ERROR, doc_);
        }
      }
      const std::string_view raw = TrimRight(value.raw_json_token());
      std::string_view text;  // the unescaped string, for strings
      if (t == od::json_type::string) {
        if (auto err = value.get_string().get(text)) return JsonError(err, doc_);
        if (text.data() == nullptr) text = std::string_view("", 0);
      }
      double number = 0;
      if (t == od::json_type::number) {
        if (auto err = value.get_double().get(number)) return JsonError(err, doc_);
      }
      bool boolean = false;
      if (t == od::json_type::boolean) {
        if (auto err = value.get_bool().get(boolean)) return JsonError(err, doc_);
      }
      const bool nested = t == od::json_type::object || t == od::json_type::array;
      // Never a valid value: refused below (strict mode) or ignored, but still JSON (lenient).
      if (nested && options_.lenient) {
        if (auto err = SkipValue(value)) return JsonError(err, doc_);
      }
      if (binding->column >= 0 && validator != nullptr && !nested) {
        const auto col = static_cast<size_t>(binding->column);
        b_.cell_raw[col] = raw;
        switch (t) {
          case od::json_type::number:
            b_.cells[col] = CellValue::Number(number);
            break;
          case od::json_type::string:
            b_.cells[col] = CellValue::Text(text);
            break;
          case od::json_type::boolean:
            b_.cells[col] = CellValue::Text(boolean ? "true" : "false");
            break;
          default:
            break;
        }
      }
      if (binding->use == FieldBinding::Use::kFeature) {
        KEEL_RETURN_IF_ERROR(Feature(i, key, *binding, t, raw, text, number, boolean));
        // A nested value is only accepted in lenient mode, where it is ignored: not logged.
        if (!nested) LogField(key, raw);
        continue;
      }
      if (nested) {
        KEEL_RETURN_IF_ERROR(
            WrongType(i, key, binding->column, "a string, number, boolean or null", t, raw));
        continue;
      }
      if (binding->use == FieldBinding::Use::kId) {
        b_.ids.back() = raw;
        LogField(key, raw);
      } else if (binding->use == FieldBinding::Use::kPii) {
        Pii(key, t, raw, text);
      } else {
        LogField(key, raw);
      }
    }
    if (options_.log_inputs) {
      b_.log_inputs.push_back('}');
      b_.log_end.push_back(static_cast<uint32_t>(b_.log_inputs.size()));
    }
    if (b_.subject_end.size() < b_.n) {
      b_.subject_end.push_back(static_cast<uint32_t>(b_.subjects.size()));
    }
    // The schema verdict; a column the decoder already reported is not reported twice, and a
    // category the model lacks is only news when the schema check did not flag it already.
    if (validator != nullptr) {
      validator->Validate(b_.cells, &b_.row_anomalies);
      for (const RowAnomaly& ra : b_.row_anomalies) {
        if (b_.cell_flagged[ra.column]) continue;
        b_.cell_flagged[ra.column] = 1;
        AddAnomaly(i, SchemaKind(ra.kind), validator->schema().columns[ra.column].name,
                   b_.cell_raw[ra.column]);
      }
    }
    for (const InstanceAnomaly& u : b_.pending_unseen) {
      const FieldBinding* binding = model_.FindField(u.field);
      if (validator != nullptr && binding->column >= 0 &&
          b_.cell_flagged[static_cast<size_t>(binding->column)]) {
        continue;
      }
      b_.anomalies.push_back(u);
    }
    return Status::OK();
  }

  static InstanceAnomalyKind SchemaKind(AnomalyKind kind) {
    switch (kind) {
      case AnomalyKind::kNewCategory:  // ingestion's name; serving's is unseen_category
        return InstanceAnomalyKind::kUnseenCategory;
      case AnomalyKind::kOutOfRange:
        return InstanceAnomalyKind::kOutOfRange;
      case AnomalyKind::kUnseenLabel:
        return InstanceAnomalyKind::kUnseenLabel;
      default:
        return InstanceAnomalyKind::kTypeMismatch;
    }
  }

  // A pii value never leaves this function in clear: it is pseudonymized into the log (and
  // the subject) or dropped.
  void Pii(std::string_view key, od::json_type t, std::string_view raw, std::string_view text) {
    if (options_.pii_key.empty() || t == od::json_type::null) return;
    const std::string_view clear = t == od::json_type::string ? text : raw;
    pseudonym_.clear();
    AppendPseudonym(&pseudonym_, options_.pii_key, clear);
    if (key == model_.subject_column() && b_.subject_end.size() < b_.n) {
      b_.subjects.append(pseudonym_);
      b_.subject_end.push_back(static_cast<uint32_t>(b_.subjects.size()));
    }
    if (options_.log_inputs) {
      tagged_ = "\"hmac-sha256:";
      tagged_ += pseudonym_;
      tagged_ += '"';
      LogField(key, tagged_);
    }
  }

  Status WrongType(uint32_t i, std::string_view key, int32_t column, std::string_view expected,
                   od::json_type got, std::string_view raw) {
    if (!options_.lenient) {
      return Status::InvalidArgument("instances[{}].{}: expected {}, got {} ({})", i,
                                     TruncateUtf8(key, kQuoteBytes), expected, JsonTypeName(got),
                                     TruncateUtf8(raw, kQuoteBytes));
    }
    ++b_.ignored_wrong_type;
    // An array or object is not quoted: its raw token is only its opening bracket (the rest
    // was checked by SkipValue, not kept).
    const bool nested = got == od::json_type::object || got == od::json_type::array;
    AddAnomaly(i, InstanceAnomalyKind::kWrongType, key, nested ? std::string_view() : raw);
    if (column >= 0 && model_.validator() != nullptr) {
      b_.cell_flagged[static_cast<size_t>(column)] = 1;
    }
    return Status::OK();
  }

  // Stores one feature value: the float the float32 predictor reads and, for a float64
  // model, the exact double (x64).
  void Set(size_t slot, double v) {
    b_.x[slot] = static_cast<float>(v);
    if (f64_) b_.x64[slot] = v;
  }

  // The code of a category text (-1 = unseen, reported once the schema verdict is known).
  void Category(uint32_t i, std::string_view key, const FeatureCodec& c, std::string_view text,
                std::string_view raw, size_t slot) {
    const int32_t code = c.codes_only ? -1 : c.Code(text);
    if (code < 0) {
      b_.pending_unseen.push_back({i, InstanceAnomalyKind::kUnseenCategory, key, raw});
    } else {
      Set(slot, code);
    }
  }

  Status Feature(uint32_t i, std::string_view key, const FieldBinding& binding, od::json_type t,
                 std::string_view raw, std::string_view text, double number, bool boolean) {
    const auto f = static_cast<size_t>(binding.feature);
    const FeatureCodec& c = model_.codec(f);
    const size_t slot = i * nf_ + f;
    // The raw text is echoed in explanations' reasons; an array or object's raw token is only
    // its opening bracket, so it is echoed as null (the feature is missing).
    const bool nested = t == od::json_type::object || t == od::json_type::array;
    b_.raw[slot] = nested ? std::string_view() : raw;
    Set(slot, kNaN);
    switch (t) {
      case od::json_type::null:
        return Status::OK();
      case od::json_type::number:
        if (!c.categorical) {
          Set(slot, number);
        } else if (c.codes_only) {
          if (number >= 0 && number < 16777216.0 && number == std::floor(number)) {
            Set(slot, number);
          } else {
            b_.pending_unseen.push_back({i, InstanceAnomalyKind::kUnseenCategory, key, raw});
            // A float64 model reads any number as LightGBM does (model/split_rule.h), as
            // `keel predict` passes it.
            if (f64_) Set(slot, number);
          }
        } else {
          int32_t code = c.Code(raw);
          if (code < 0) {
            char buf[32];
            code = c.Code(std::string_view(buf, FormatDoubleTo(buf, number)));
          }
          if (code < 0) {
            b_.pending_unseen.push_back({i, InstanceAnomalyKind::kUnseenCategory, key, raw});
          } else {
            Set(slot, code);
          }
        }
        return Status::OK();
      case od::json_type::string: {
        const std::string_view trimmed = TrimCell(text);
        if (model_.missing_tokens().IsMissing(trimmed)) return Status::OK();
        if (c.categorical) {
          Category(i, key, c, trimmed, raw, slot);
          return Status::OK();
        }
        double v = 0;
        bool bv = false;
        int64_t micros = 0;
        if (c.source_kind == ColumnKind::kTimestamp && ParseTimestamp(trimmed, &micros)) {
          Set(slot, static_cast<double>(micros) / 1e6);
        } else if (c.source_kind == ColumnKind::kBoolean && ParseBool(trimmed, &bv)) {
          Set(slot, bv ? 1.0 : 0.0);
        } else if (ParseNumber(trimmed, &v)) {
          Set(slot, v);
        } else {
          return WrongType(i, key, binding.column,
                           c.source_kind == ColumnKind::kTimestamp
                               ? "an ISO 8601 timestamp, epoch seconds or null"
                           : c.source_kind == ColumnKind::kBoolean ? "true, false or null"
                                                                   : "a number or null",
                           t, raw);
        }
        return Status::OK();
      }
      case od::json_type::boolean:
        if (c.categorical) {
          Category(i, key, c, boolean ? "true" : "false", raw, slot);
          return Status::OK();
        }
        if (c.source_kind == ColumnKind::kBoolean) {
          Set(slot, boolean ? 1.0 : 0.0);
          return Status::OK();
        }
        return WrongType(i, key, binding.column, "a number or null", t, raw);
      case od::json_type::object:
      case od::json_type::array:
        break;
    }
    return WrongType(i, key, binding.column,
                     c.categorical ? "a category (string) or null" : "a number or null", t, raw);
  }

  const ServedModel& model_;
  const std::string& body_;
  const RecordOptions& options_;
  RecordBatch& b_;
  const size_t nf_;
  const bool f64_;  // the model reads doubles: fill x64 too
  od::document* doc_ = nullptr;
  size_t log_start_ = 0;
  std::string pseudonym_;
  std::string tagged_;
};

}  // namespace

std::string_view InstanceAnomalyKindName(InstanceAnomalyKind kind) {
  switch (kind) {
    case InstanceAnomalyKind::kTypeMismatch:
      return "type_mismatch";
    case InstanceAnomalyKind::kOutOfRange:
      return "out_of_range";
    case InstanceAnomalyKind::kUnseenLabel:
      return "unseen_label";
    case InstanceAnomalyKind::kUnseenCategory:
      return "unseen_category";
    case InstanceAnomalyKind::kWrongType:
      return "wrong_type";
    case InstanceAnomalyKind::kUnknownField:
      return "unknown_field";
  }
  return "anomaly";
}

std::string TextPosition(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

void AppendPseudonym(std::string* out, std::string_view key, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  const Sha256Digest d = HmacSha256(key, value);
  for (uint8_t byte : d) {
    out->push_back(kHex[byte >> 4]);
    out->push_back(kHex[byte & 15]);
  }
}

Status ParseRecordRequest(const ServedModel& model, const std::string& body,
                          const RecordOptions& options, od::parser* parser, RecordBatch* batch) {
  Decoder decoder(model, body, options, batch);
  return decoder.Run(parser);
}

}  // namespace keel::serve
