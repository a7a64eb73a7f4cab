#include "serve/oip_request.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>

#include "core/number_format.h"
#include "data/timestamp_parse.h"
#include "serve/json_skip.h"
#include "serve/json_text.h"
#include "serve/record_request.h"

namespace keel::serve {

namespace od = simdjson::ondemand;

namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr size_t kQuoteBytes = 120;
constexpr int kMaxShapeRank = 8;

enum class ElementKind : uint8_t { kNumber, kBool, kBytes };

// Datatypes of the protocol and the JSON elements each takes.
bool ParseDatatype(std::string_view dt, ElementKind* kind) {
  static constexpr std::string_view kNumeric[] = {"UINT8", "UINT16", "UINT32", "UINT64",
                                                  "INT8",  "INT16",  "INT32",  "INT64",
                                                  "FP16",  "FP32",   "FP64"};
  for (auto n : kNumeric) {
    if (dt == n) {
      *kind = ElementKind::kNumber;
      return true;
    }
  }
  if (dt == "BOOL") {
    *kind = ElementKind::kBool;
    return true;
  }
  if (dt == "BYTES") {
    *kind = ElementKind::kBytes;
    return true;
  }
  return false;
}

class InferDecoder {
 public:
  InferDecoder(const ServedModel& model, const std::string& body, const OipOptions& options,
               OipBatch* batch)
      : model_(model),
        body_(body),
        options_(options),
        b_(*batch),
        nf_(model.num_features()),
        f64_(model.reads_doubles()) {}

  Status Run(od::parser* parser) {
    b_.n = 0;
    b_.x.clear();
    b_.x64.clear();
    b_.id = {};
    b_.has_id = false;
    b_.want_probabilities = b_.want_label = b_.want_prediction = true;
    b_.ignored_inputs = 0;
    b_.unseen_categories = 0;
    b_.given.assign(nf_, 0);
    have_n_ = false;
    matrix_ = false;
    per_feature_ = false;

    od::document doc;
    const simdjson::padded_string_view input(body_.data(), body_.size(), body_.capacity());
    if (auto err = parser->iterate(input).get(doc)) return JsonError(err);
    doc_ = &doc;
    od::object top;
    if (auto err = doc.get_object().get(top)) {
      if (err == simdjson::INCORRECT_TYPE) {
        return Status::InvalidArgument(
            "the body must be an inference request object {{\"inputs\": [...]}}");
      }
      return JsonError(err);
    }
    bool saw_inputs = false;
    for (auto fr : top) {
      od::field field;
      if (auto err = std::move(fr).get(field)) return JsonError(err);
      std::string_view key;
      if (auto err = field.unescaped_key().get(key)) return JsonError(err);
      if (key == "inputs") {
        saw_inputs = true;
        KEEL_RETURN_IF_ERROR(Inputs(field.value()));
      } else if (key == "id") {
        if (auto err = field.value().get_string().get(b_.id)) {
          if (err == simdjson::INCORRECT_TYPE) {
            return Status::InvalidArgument("\"id\" must be a string");
          }
          return JsonError(err);
        }
        b_.has_id = true;
      } else if (key == "outputs") {
        KEEL_RETURN_IF_ERROR(Outputs(field.value()));
      } else if (key == "parameters" || options_.lenient) {
        // Request parameters are accepted and ignored (none changes what Keel computes), and
        // so is any other field in lenient mode; either must still be JSON.
        if (auto err = SkipValue(field.value())) return JsonError(err);
      } else {
        return Status::InvalidArgument(
            "unknown field '{}' in the inference request (it takes id, parameters, inputs, "
            "outputs)",
            TruncateUtf8(key, kQuoteBytes));
      }
    }
    if (const char* rest = nullptr; !doc.current_location().get(rest)) {
      return Status::ParseError("malformed JSON: content after the end of the object");
    }
    if (!saw_inputs || !have_n_) {
      return Status::InvalidArgument("the inference request has no \"inputs\" tensors");
    }
    return Status::OK();
  }

 private:
  std::string Where() {
    const char* p = nullptr;
    if (doc_ != nullptr && !doc_->current_location().get(p) && p >= body_.data() &&
        p <= body_.data() + body_.size()) {
      return TextPosition(body_, static_cast<size_t>(p - body_.data()));
    }
    return "the end of the body";
  }

  Status JsonError(simdjson::error_code err) {
    if (err == simdjson::EMPTY) return Status::ParseError("malformed JSON: the body is empty");
    return Status::ParseError("malformed JSON near {}: {}", Where(), simdjson::error_message(err));
  }

  Status Outputs(od::value value) {
    od::array arr;
    if (value.get_array().get(arr)) {
      return Status::InvalidArgument("\"outputs\" must be an array of {{\"name\": ...}} objects");
    }
    b_.want_probabilities = b_.want_label = b_.want_prediction = false;
    for (auto er : arr) {
      od::object o;
      if (std::move(er).get_object().get(o)) {
        return Status::InvalidArgument("\"outputs\" must be an array of {{\"name\": ...}} objects");
      }
      std::string_view name;
      if (auto err = o.find_field_unordered("name").get_string().get(name)) {
        if (err == simdjson::NO_SUCH_FIELD || err == simdjson::INCORRECT_TYPE) {
          return Status::InvalidArgument("each requested output needs a string \"name\"");
        }
        return JsonError(err);
      }
      if (model_.is_classifier() && name == "probabilities") {
        b_.want_probabilities = true;
      } else if (model_.is_classifier() && name == "label") {
        b_.want_label = true;
      } else if (!model_.is_classifier() && name == "prediction") {
        b_.want_prediction = true;
      } else {
        return Status::InvalidArgument(
            "unknown output '{}': this model's outputs are {}", TruncateUtf8(name, kQuoteBytes),
            model_.is_classifier() ? "\"probabilities\" and \"label\"" : "\"prediction\"");
      }
      KEEL_RETURN_IF_ERROR(CheckUnread(o, {"name"}));
    }
    return Status::OK();
  }

  Status Inputs(od::value value) {
    od::array arr;
    if (value.get_array().get(arr)) {
      return Status::InvalidArgument("\"inputs\" must be an array of tensors");
    }
    for (auto er : arr) {
      od::object tensor;
      if (auto err = std::move(er).get_object().get(tensor)) {
        if (err == simdjson::INCORRECT_TYPE) {
          return Status::InvalidArgument("each input must be a tensor object");
        }
        return JsonError(err);
      }
      bool data_read = false;
      KEEL_RETURN_IF_ERROR(Tensor(tensor, &data_read));
      if (data_read) {
        KEEL_RETURN_IF_ERROR(CheckUnread(tensor, {"name", "datatype", "shape", "data"}));
      } else {
        KEEL_RETURN_IF_ERROR(CheckUnread(tensor, {"name", "datatype", "shape"}));
      }
    }
    return Status::OK();
  }

  // Fixes the row count from the first tensor; later ones must agree.
  Status SetRows(size_t n, std::string_view name) {
    if (have_n_) {
      if (n != b_.n) {
        return Status::InvalidArgument("input '{}' has {} rows but an earlier input has {}",
                                       TruncateUtf8(name, kQuoteBytes), n, b_.n);
      }
      return Status::OK();
    }
    if (n > options_.max_instances) {
      return Status::ResourceExhausted(
          "the request has {} rows, more than {} (--max-instances); split it", n,
          options_.max_instances);
    }
    have_n_ = true;
    b_.n = n;
    b_.x.assign(n * nf_, kNaNf);
    if (f64_) b_.x64.assign(n * nf_, std::numeric_limits<double>::quiet_NaN());
    return Status::OK();
  }

  Status Flatten(od::value value, int depth, ElementKind kind, std::string_view name) {
    od::json_type t;
    if (auto err = value.type().get(t)) return JsonError(err);
    switch (t) {
      case od::json_type::array: {
        if (depth >= kMaxShapeRank) {
          return Status::InvalidArgument("input '{}': data is nested deeper than {} levels",
                                         TruncateUtf8(name, kQuoteBytes), kMaxShapeRank);
        }
        od::array arr;
        if (auto err = value.get_array().get(arr)) return JsonError(err);
        for (auto er : arr) {
          od::value elem;
          if (auto err = std::move(er).get(elem)) return JsonError(err);
          KEEL_RETURN_IF_ERROR(Flatten(elem, depth + 1, kind, name));
        }
        return Status::OK();
      }
      case od::json_type::null: {
        // type() looked at the first byte only: a token like `nul` must not pass.
        bool is_null = false;
        if (value.is_null().get(is_null) || !is_null) return JsonError(simdjson::N_ATOM_ERROR);
        if (kind == ElementKind::kBytes) {
          b_.texts.emplace_back();  // data() == nullptr marks missing
        } else {
          b_.numbers.push_back(std::numeric_limits<double>::quiet_NaN());
        }
        return Status::OK();
      }
      case od::json_type::number:
        if (kind == ElementKind::kNumber) {
          double d = 0;
          if (auto err = value.get_double().get(d)) return JsonError(err);
          b_.numbers.push_back(d);
          return Status::OK();
        }
        break;
      case od::json_type::boolean:
        if (kind == ElementKind::kBool) {
          bool v = false;
          if (auto err = value.get_bool().get(v)) return JsonError(err);
          b_.numbers.push_back(v ? 1.0 : 0.0);
          return Status::OK();
        }
        break;
      case od::json_type::string:
        if (kind == ElementKind::kBytes) {
          std::string_view s;
          if (auto err = value.get_string().get(s)) return JsonError(err);
          if (s.data() == nullptr) s = std::string_view("", 0);
          b_.texts.push_back(s);
          return Status::OK();
        }
        break;
      case od::json_type::object:
        break;
    }
    return Status::InvalidArgument(
        "input '{}': element {} does not match its datatype ({} expected)",
        TruncateUtf8(name, kQuoteBytes), TruncateUtf8(value.raw_json_token(), kQuoteBytes),
        kind == ElementKind::kBytes  ? "strings"
        : kind == ElementKind::kBool ? "booleans"
                                     : "numbers");
  }

  // The fields of an object other than the `read` ones (a tensor's or output's "parameters",
  // the data of an ignored input) are ignored, but must still be JSON.
  Status CheckUnread(od::object& object, std::initializer_list<std::string_view> read) {
    bool ok = false;
    if (auto err = object.reset().get(ok)) return JsonError(err);
    for (auto fr : object) {
      od::field field;
      if (auto err = std::move(fr).get(field)) return JsonError(err);
      std::string_view key;
      if (auto err = field.unescaped_key().get(key)) return JsonError(err);
      if (std::find(read.begin(), read.end(), key) != read.end()) continue;  // already checked
      if (auto err = SkipValue(field.value())) return JsonError(err);
    }
    return Status::OK();
  }

  // Reads one input tensor; *data_read tells whether its "data" was read.
  Status Tensor(od::object& tensor, bool* data_read) {
    std::string_view name, datatype;
    if (auto err = tensor.find_field_unordered("name").get_string().get(name)) {
      if (err == simdjson::NO_SUCH_FIELD || err == simdjson::INCORRECT_TYPE) {
        return Status::InvalidArgument("an input tensor has no string \"name\"");
      }
      return JsonError(err);
    }
    if (auto err = tensor.find_field_unordered("datatype").get_string().get(datatype)) {
      if (err == simdjson::NO_SUCH_FIELD || err == simdjson::INCORRECT_TYPE) {
        return Status::InvalidArgument("input '{}' has no string \"datatype\"",
                                       TruncateUtf8(name, kQuoteBytes));
      }
      return JsonError(err);
    }
    ElementKind kind;
    if (!ParseDatatype(datatype, &kind)) {
      return Status::InvalidArgument("input '{}': unknown datatype '{}'",
                                     TruncateUtf8(name, kQuoteBytes),
                                     TruncateUtf8(datatype, kQuoteBytes));
    }
    uint64_t dims[kMaxShapeRank];
    int rank = 0;
    {
      od::array shape;
      if (auto err = tensor.find_field_unordered("shape").get_array().get(shape)) {
        if (err == simdjson::NO_SUCH_FIELD || err == simdjson::INCORRECT_TYPE) {
          return Status::InvalidArgument("input '{}' has no \"shape\" array",
                                         TruncateUtf8(name, kQuoteBytes));
        }
        return JsonError(err);
      }
      for (auto dr : shape) {
        uint64_t d = 0;
        if (std::move(dr).get_uint64().get(d) || rank >= kMaxShapeRank) {
          return Status::InvalidArgument(
              "input '{}': the shape must list at most {} non-negative integers",
              TruncateUtf8(name, kQuoteBytes), kMaxShapeRank);
        }
        dims[rank++] = d;
      }
    }
    // Row-major element count, refusing shapes whose product overflows or is absurd.
    uint64_t count = 1;
    for (int r = 0; r < rank; ++r) {
      if (dims[r] != 0 && count > (uint64_t{1} << 40) / dims[r]) {
        return Status::InvalidArgument("input '{}': the shape is too large",
                                       TruncateUtf8(name, kQuoteBytes));
      }
      count *= dims[r];
    }

    const FieldBinding* binding = model_.FindField(name);
    const bool is_feature = binding != nullptr && binding->use == FieldBinding::Use::kFeature;
    const bool is_matrix = !is_feature && rank == 2 && dims[1] == nf_ && nf_ > 0;
    if (!is_feature && !is_matrix) {
      if (options_.lenient) {
        ++b_.ignored_inputs;
        return Status::OK();
      }
      return Status::InvalidArgument(
          "unknown input '{}': send one tensor per feature (named as in the model metadata) "
          "or one [N, {}] matrix",
          TruncateUtf8(name, kQuoteBytes), nf_);
    }
    if (is_feature && !(rank == 1 || (rank == 2 && dims[1] == 1))) {
      return Status::InvalidArgument("input '{}': a feature tensor has shape [N] or [N, 1]",
                                     TruncateUtf8(name, kQuoteBytes));
    }
    if ((is_matrix && per_feature_) || (is_feature && matrix_) || (is_matrix && matrix_)) {
      return Status::InvalidArgument(
          "input '{}': send either one feature matrix or tensors per feature, not both",
          TruncateUtf8(name, kQuoteBytes));
    }
    if (is_matrix && kind == ElementKind::kBytes) {
      return Status::InvalidArgument(
          "input '{}': the feature matrix must be numeric (categorical features as codes); "
          "send BYTES tensors per feature instead",
          TruncateUtf8(name, kQuoteBytes));
    }
    KEEL_RETURN_IF_ERROR(SetRows(static_cast<size_t>(dims[0]), name));

    b_.numbers.clear();
    b_.texts.clear();
    od::value data;
    if (auto err = tensor.find_field_unordered("data").get(data)) {
      if (err == simdjson::NO_SUCH_FIELD) {
        return Status::InvalidArgument("input '{}' has no \"data\"",
                                       TruncateUtf8(name, kQuoteBytes));
      }
      return JsonError(err);
    }
    *data_read = true;
    KEEL_RETURN_IF_ERROR(Flatten(data, 0, kind, name));
    const size_t got = kind == ElementKind::kBytes ? b_.texts.size() : b_.numbers.size();
    if (got != count) {
      return Status::InvalidArgument("input '{}': shape {} holds {} elements but data has {}",
                                     TruncateUtf8(name, kQuoteBytes), ShapeText(dims, rank), count,
                                     got);
    }

    if (is_matrix) {
      matrix_ = true;
      for (size_t i = 0; i < b_.numbers.size(); ++i) Set(i, b_.numbers[i]);
      return Status::OK();
    }
    per_feature_ = true;
    const auto f = static_cast<size_t>(binding->feature);
    if (b_.given[f]) {
      return Status::InvalidArgument("input '{}' is given twice", TruncateUtf8(name, kQuoteBytes));
    }
    b_.given[f] = 1;
    return FillFeature(f, kind, name);
  }

  // Stores one feature value: the float the float32 predictor reads and, for a float64
  // model, the exact double (x64).
  void Set(size_t slot, double v) {
    b_.x[slot] = static_cast<float>(v);
    if (f64_) b_.x64[slot] = v;
  }

  Status FillFeature(size_t f, ElementKind kind, std::string_view name) {
    const FeatureCodec& c = model_.codec(f);
    for (size_t i = 0; i < b_.n; ++i) {
      const size_t slot = i * nf_ + f;
      if (kind == ElementKind::kBytes) {
        const std::string_view s = b_.texts[i];
        if (s.data() == nullptr) continue;
        if (c.categorical) {
          const int32_t code = c.codes_only ? -1 : c.Code(s);
          if (code < 0) {
            ++b_.unseen_categories;
          } else {
            Set(slot, code);
          }
          continue;
        }
        int64_t micros = 0;
        if (c.source_kind == ColumnKind::kTimestamp && ParseTimestamp(s, &micros)) {
          Set(slot, static_cast<double>(micros) / 1e6);
          continue;
        }
        return Status::InvalidArgument(
            "input '{}': feature '{}' is numeric; send a numeric datatype{}",
            TruncateUtf8(name, kQuoteBytes), model_.model().features[f].name,
            c.source_kind == ColumnKind::kTimestamp ? " or ISO 8601 timestamps" : "");
      }
      const double d = b_.numbers[i];
      if (std::isnan(d)) continue;
      if (!c.categorical) {
        Set(slot, d);
        continue;
      }
      int32_t code = -1;
      if (c.codes_only) {
        if (d >= 0 && d < 16777216.0 && d == std::floor(d)) code = static_cast<int32_t>(d);
      } else {
        char buf[32];
        code = c.Code(std::string_view(buf, FormatDoubleTo(buf, d)));
      }
      if (code < 0) {
        ++b_.unseen_categories;
        // A float64 model reads any number as LightGBM does (model/split_rule.h), as
        // `keel predict` passes it.
        if (f64_ && c.codes_only) Set(slot, d);
      } else {
        Set(slot, code);
      }
    }
    return Status::OK();
  }

  static std::string ShapeText(const uint64_t* dims, int rank) {
    std::string s = "[";
    for (int r = 0; r < rank; ++r) {
      if (r > 0) s += ", ";
      s += std::to_string(dims[r]);
    }
    return s + "]";
  }

  const ServedModel& model_;
  const std::string& body_;
  const OipOptions& options_;
  OipBatch& b_;
  const size_t nf_;
  const bool f64_;  // the model reads doubles: fill x64 too
  od::document* doc_ = nullptr;
  bool have_n_ = false;
  bool matrix_ = false;
  bool per_feature_ = false;
};

}  // namespace

Status ParseInferRequest(const ServedModel& model, const std::string& body,
                         const OipOptions& options, od::parser* parser, OipBatch* batch) {
  InferDecoder decoder(model, body, options, batch);
  return decoder.Run(parser);
}

void AppendModelMetadata(const ServedModel& model, std::string* out) {
  out->append("{\"name\":");
  AppendJsonString(out, model.name());
  out->append(",\"versions\":[");
  AppendJsonString(out, model.version());
  out->append("],\"platform\":\"keel\",\"inputs\":[");
  const auto& features = model.model().features;
  for (size_t f = 0; f < features.size(); ++f) {
    if (f > 0) out->push_back(',');
    out->append("{\"name\":");
    out->append(model.feature_names_json()[f]);
    const bool bytes =
        features[f].kind == FeatureSpec::Kind::kCategorical && !features[f].categories.empty();
    // Numbers: the precision the model reads (a float64 model keeps the doubles sent).
    out->append(bytes                   ? ",\"datatype\":\"BYTES\""
                : model.reads_doubles() ? ",\"datatype\":\"FP64\""
                                        : ",\"datatype\":\"FP32\"");
    out->append(",\"shape\":[-1]}");
  }
  out->append("],\"outputs\":[");
  if (model.is_classifier()) {
    out->append("{\"name\":\"probabilities\",\"datatype\":\"FP64\",\"shape\":[-1,");
    AppendJsonInt(out, static_cast<int64_t>(model.num_values()));
    out->append("]},{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[-1]}");
  } else {
    out->append("{\"name\":\"prediction\",\"datatype\":\"FP64\",\"shape\":[-1]}");
  }
  out->append("],\"parameters\":{\"task\":");
  AppendJsonString(out, TaskName(model.model().task));
  if (model.is_classifier()) {
    out->append(",\"classes\":[");
    for (size_t k = 0; k < model.class_names_json().size(); ++k) {
      if (k > 0) out->push_back(',');
      out->append(model.class_names_json()[k]);
    }
    out->push_back(']');
  }
  out->append(",\"sha256\":");
  AppendJsonString(out, model.sha256());
  out->append("}}");
}

void AppendInferResponse(const ServedModel& model, const OipBatch& batch, const double* values,
                         std::string* out) {
  const size_t n = batch.n;
  const size_t nv = model.num_values();
  out->append("{\"model_name\":");
  AppendJsonString(out, model.name());
  out->append(",\"model_version\":");
  AppendJsonString(out, model.version());
  if (batch.has_id) {
    out->append(",\"id\":");
    AppendJsonString(out, batch.id);
  }
  out->append(",\"outputs\":[");
  bool first = true;
  auto open = [&](std::string_view name, std::string_view datatype) {
    if (!first) out->push_back(',');
    first = false;
    out->append("{\"name\":\"");
    out->append(name);
    out->append("\",\"datatype\":\"");
    out->append(datatype);
    out->append("\",\"shape\":[");
    AppendJsonInt(out, static_cast<int64_t>(n));
  };
  if (model.is_classifier()) {
    if (batch.want_probabilities) {
      open("probabilities", "FP64");
      out->push_back(',');
      AppendJsonInt(out, static_cast<int64_t>(nv));
      out->append("],\"data\":[");
      for (size_t i = 0; i < n * nv; ++i) {
        if (i > 0) out->push_back(',');
        AppendJsonNumber(out, values[i]);
      }
      out->append("]}");
    }
    if (batch.want_label) {
      open("label", "BYTES");
      out->append("],\"data\":[");
      for (size_t i = 0; i < n; ++i) {
        if (i > 0) out->push_back(',');
        const double* v = values + i * nv;
        const size_t best = static_cast<size_t>(std::max_element(v, v + nv) - v);
        out->append(model.class_names_json()[best]);
      }
      out->append("]}");
    }
  } else if (batch.want_prediction) {
    open("prediction", "FP64");
    if (nv > 1) {  // a model of several quantiles: shape [n, levels], row-major
      out->push_back(',');
      AppendJsonInt(out, static_cast<int64_t>(nv));
    }
    out->append("],\"data\":[");
    for (size_t i = 0; i < n * nv; ++i) {
      if (i > 0) out->push_back(',');
      AppendJsonNumber(out, values[i]);
    }
    out->append("]}");
  }
  out->append("]}");
}

}  // namespace keel::serve
