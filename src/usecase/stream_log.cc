#include "usecase/stream_log.h"

#include <simdjson.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "core/log.h"
#include "registry/prediction_log_store.h"
#include "registry/sql_database.h"
#include "serve/record_request.h"
#include "serve/served_model.h"

namespace keel::usecase {

struct StreamPredictionLog::Impl {
  std::unique_ptr<registry::SqlDatabase> db;
  std::unique_ptr<registry::PredictionLogWriter> writer;
  std::shared_ptr<const serve::ServedModel> model;  // its decoder builds the logged inputs
  std::string pii_key;
  serve::RecordOptions options;
  simdjson::ondemand::parser parser;
  serve::RecordBatch batch;
  std::string body;
  std::vector<registry::LoggedPrediction> rows;
  uint64_t written = 0;

  // Decodes `events` as one record request, so batch.log_input(i) and batch.subject(i) are
  // event i's logged inputs and subject pseudonym.
  Status Decode(const std::vector<StreamLogRow>& events) {
    body = "{\"instances\":[";
    for (size_t i = 0; i < events.size(); ++i) {
      if (i > 0) body.push_back(',');
      body.append(events[i].event_json);
    }
    body.append("]}");
    body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    options.max_instances = std::max<size_t>(events.size(), 1);
    return serve::ParseRecordRequest(*model, body, options, &parser, &batch);
  }
};

StreamPredictionLog::StreamPredictionLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamPredictionLog::~StreamPredictionLog() = default;

Result<std::unique_ptr<StreamPredictionLog>> StreamPredictionLog::Open(
    const std::string& location, const std::string& model_path) {
  auto impl = std::make_unique<Impl>();
  KEEL_ASSIGN_OR_RETURN(
      impl->model,
      serve::ServedModel::Load(std::filesystem::path(model_path).stem().string(), model_path));
  registry::DatabaseOptions dbo;
  dbo.durable = true;
  KEEL_ASSIGN_OR_RETURN(impl->db, registry::OpenDatabase(location, dbo));
  KEEL_ASSIGN_OR_RETURN(impl->writer,
                        registry::PredictionLogWriter::OpenIdempotent(impl->db.get()));
  // The key the server uses for the same log (keel serve reads $KEEL_PII_KEY too).
  if (const char* key = std::getenv("KEEL_PII_KEY"); key != nullptr) impl->pii_key = key;
  impl->options.lenient = true;  // log what the stream scored: unknown fields are no error
  impl->options.log_inputs = true;
  impl->options.pii_key = impl->pii_key;
  if (impl->pii_key.empty() && !impl->model->subject_column().empty()) {
    log::Warn(
        "pii columns are dropped from the prediction log (set KEEL_PII_KEY to log them "
        "pseudonymized)");
  }
  return std::unique_ptr<StreamPredictionLog>(new StreamPredictionLog(std::move(impl)));
}

Status StreamPredictionLog::Log(const std::vector<StreamLogRow>& events) {
  if (events.empty()) return Status::OK();
  Impl& m = *impl_;
  // One event the record decoder refuses (a repeated key, say) must not stop the others: the
  // batch is then decoded event by event, and a refused event is logged without inputs.
  const bool together = m.Decode(events).ok();
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::vector<std::string> inputs, subjects;
  inputs.reserve(events.size());
  subjects.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    if (together) {
      inputs.emplace_back(m.batch.log_input(i));
      subjects.emplace_back(m.batch.subject(i));
    } else if (m.Decode({events[i]}).ok()) {
      inputs.emplace_back(m.batch.log_input(0));
      subjects.emplace_back(m.batch.subject(0));
    } else {
      inputs.emplace_back("{}");
      subjects.emplace_back();
    }
  }
  m.rows.clear();
  for (size_t i = 0; i < events.size(); ++i) {
    registry::LoggedPrediction r;
    r.request_id = events[i].request_id;
    r.instance = 0;
    r.time_micros = now;
    r.model = m.model->name();
    r.model_version = m.model->version();
    r.subject = subjects[i];
    r.inputs_json = inputs[i];
    r.output_json = events[i].output_json;
    m.rows.push_back(r);
  }
  KEEL_RETURN_IF_ERROR(m.writer->Insert(m.rows));
  m.written += events.size();
  return Status::OK();
}

uint64_t StreamPredictionLog::rows_written() const {
  return impl_->written;
}

}  // namespace keel::usecase
