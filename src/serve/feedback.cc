#include "serve/feedback.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "registry/prediction_log_store.h"
#include "registry/registry.h"
#include "serve/error_response.h"
#include "serve/json_text.h"
#include "serve/record_id.h"
#include "serve/record_request.h"

namespace keel::serve {
namespace {

// The text of a scalar JSON value: a string's content, a number's or boolean's JSON text.
bool ScalarText(const nlohmann::json& v, std::string* out) {
  if (v.is_string()) {
    *out = v.get<std::string>();
    return true;
  }
  if (v.is_number() || v.is_boolean()) {
    *out = v.dump();
    return true;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<FeedbackWriter>> FeedbackWriter::Open(const std::string& location,
                                                             int64_t late_after_us) {
  registry::DatabaseOptions o;
  o.durable = true;  // an acknowledged label is on disk
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<registry::SqlDatabase> db,
                        registry::OpenDatabase(location, o));
  KEEL_RETURN_IF_ERROR(registry::EnsurePredictionLogSchema(*db));
  return std::unique_ptr<FeedbackWriter>(new FeedbackWriter(std::move(db), late_after_us));
}

Result<registry::FeedbackCounts> FeedbackWriter::Store(
    std::string_view model, const std::vector<registry::FedBackLabel>& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  return registry::StoreLabels(*db_, model, labels, registry::NowMicros(), late_after_us_);
}

Result<std::vector<registry::FedBackLabel>> ParseFeedback(const ServedModel& model,
                                                          std::string_view body,
                                                          std::string_view pii_key,
                                                          size_t max_labels) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::ParseError("malformed JSON in the feedback body");
  if (!j.is_object() || !j.contains("labels") || !j["labels"].is_array()) {
    return Status::InvalidArgument(
        "the feedback body must be {{\"labels\": [{{\"id\": ..., \"label\": ...}}, ...]}}");
  }
  const nlohmann::json& list = j["labels"];
  if (list.size() > max_labels) {
    return Status::ResourceExhausted("{} labels in one request; at most {}", list.size(),
                                     max_labels);
  }
  const bool pii = RecordIdIsPseudonym(model);
  if (pii && pii_key.empty()) {
    return Status::FailedPrecondition(
        "model '{}' keys its logged predictions by the pii column '{}', pseudonymized: set "
        "KEEL_PII_KEY (the key the log was written with) to join labels to them",
        model.name(), model.subject_column());
  }
  std::vector<registry::FedBackLabel> out;
  out.reserve(list.size());
  std::string id;
  for (size_t i = 0; i < list.size(); ++i) {
    const nlohmann::json& e = list[i];
    if (!e.is_object() || !e.contains("id") || !ScalarText(e["id"], &id) || id.empty() ||
        e["id"].is_boolean()) {
      return Status::InvalidArgument("labels[{}].id: give the record's id as a string or number",
                                     i);
    }
    registry::FedBackLabel l;
    if (!e.contains("label") || !ScalarText(e["label"], &l.label)) {
      return Status::InvalidArgument(
          "labels[{}].label: give the outcome as a string, number or "
          "boolean",
          i);
    }
    if (pii) {
      AppendPseudonym(&l.record_id, pii_key, id);  // as the log keyed the prediction
    } else {
      l.record_id = id;
    }
    out.push_back(std::move(l));
  }
  return out;
}

void AnswerFeedback(FeedbackWriter* writer, const ServedModel& model, std::string_view body,
                    std::string_view pii_key, size_t max_labels, HttpResponse* response) {
  auto labels = ParseFeedback(model, body, pii_key, max_labels);
  if (!labels.ok()) return AnswerStatus(response, labels.status());
  response->blocking_work = [writer, name = model.name(),
                             labels = std::move(labels).value()](HttpResponse* r) {
    auto counts = writer->Store(name, labels);
    if (!counts.ok()) {
      return AnswerError(r, 503,
                         "the labels could not be stored (none was): " + counts.status().message());
    }
    const registry::FeedbackCounts& c = *counts;
    r->body = "{\"model\":";
    AppendJsonString(&r->body, name);
    r->body += fmt::format(
        ",\"received\":{},\"stored\":{},\"duplicates\":{},\"unknown_ids\":{},\"late\":{}}}",
        c.received, c.stored, c.duplicates, c.unknown, c.late);
  };
}

}  // namespace keel::serve
