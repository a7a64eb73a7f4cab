#include "serve/request_logging.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <random>

#include "core/json_number.h"
#include "serve/error_response.h"
#include "serve/json_text.h"
#include "serve/record_id.h"

namespace keel::serve {
namespace {

// A client's X-Request-Id is used when it is short printable ASCII without quotes.
bool UsableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c <= ' ' || c > '~' || c == '"' || c == '\\') return false;
  }
  return true;
}

int64_t UnixMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Appends `rec` as row `i` of its request; tracks the last ticket and whether a row was lost.
class RowAppender {
 public:
  RowAppender(PredictionLog* log, const ServedModel& model, std::string_view request_id,
              size_t rows, std::string_view variant = "champion")
      : log_(log), rows_(rows) {
    rec_.variant = variant;
    rec_.request_id = request_id;
    rec_.time_micros = UnixMicros();
    rec_.model = model.name();
    rec_.model_version = model.version();
  }

  void Append(size_t i, std::string_view subject, std::string_view inputs, std::string_view output,
              std::string_view record_id = {}) {
    rec_.record_id = record_id;
    rec_.instance = static_cast<int32_t>(i);
    rec_.subject = subject;
    rec_.inputs_json = inputs;
    rec_.output_json = output;
    const uint64_t ticket = log_->Append(rec_);
    if (ticket == 0) dropped_ = true;
    last_ = std::max(last_, ticket);
  }

  // In durable mode, holds the answer until the rows are committed (503 if they cannot be).
  void Finish(HttpResponse* response) const {
    if (response == nullptr || !log_->durable() || rows_ == 0) return;
    if (dropped_) {
      return AnswerError(response, 503,
                         "the prediction log is closed; the prediction was not logged");
    }
    PredictionLog* log = log_;
    const uint64_t last = last_;
    response->blocking_work = [log, last](HttpResponse* r) {
      Status st = log->WaitDurable(last);
      if (!st.ok()) AnswerError(r, 503, "the prediction could not be logged: " + st.message());
    };
  }

 private:
  PredictionLog* log_;
  PredictionRecord rec_;  // the fields every row of the request shares
  size_t rows_;
  uint64_t last_ = 0;
  bool dropped_ = false;
};

}  // namespace

RequestIds::RequestIds() {
  std::random_device rd;
  prefix_ = rd();
}

void RequestIds::Assign(std::string_view client_id, std::string* id) {
  if (UsableRequestId(client_id)) {
    id->assign(client_id);
    return;
  }
  id->clear();
  fmt::format_to(std::back_inserter(*id), "{:08x}-{:012x}", prefix_,
                 next_.fetch_add(1, std::memory_order_relaxed));
}

void LogRecordRows(PredictionLog* log, const ServedModel& model, const RecordBatch& batch,
                   std::string_view request_id, std::string_view body, const InstanceSpans& spans,
                   HttpResponse* response, std::string_view variant) {
  RowAppender rows(log, model, request_id, batch.n, variant);
  thread_local std::string record_id;  // reused: no allocation per row once grown
  // A schema without an id column keys rows by the pii subject's pseudonym (record_id.h).
  const bool by_subject = RecordIdIsPseudonym(model);
  for (size_t i = 0; i < batch.n; ++i) {
    const std::string_view raw_id = i < batch.ids.size() ? batch.ids[i] : std::string_view();
    if (by_subject || !RecordIdText(raw_id, &record_id)) record_id.clear();
    const std::string_view key = by_subject ? batch.subject(i) : std::string_view(record_id);
    rows.Append(i, batch.subject(i), batch.log_input(i),
                body.substr(spans.begin[i], spans.end[i] - spans.begin[i]), key);
  }
  rows.Finish(response);
}

void LogInferRows(PredictionLog* log, const ServedModel& model, const OipBatch& b,
                  const double* values, std::string_view request_id, std::string* scratch,
                  HttpResponse* response) {
  const size_t nf = model.num_features();
  const size_t nv = model.num_values();
  const auto& features = model.model().features;
  RowAppender rows(log, model, request_id, b.n);
  for (size_t i = 0; i < b.n; ++i) {
    std::string& t = *scratch;
    t.clear();
    t.push_back('{');
    bool first = true;
    for (size_t f = 0; f < nf; ++f) {
      const float x = b.x[i * nf + f];
      if (std::isnan(x)) continue;
      if (!first) t.push_back(',');
      first = false;
      t.append(model.feature_names_json()[f]);
      t.push_back(':');
      const auto& cats = features[f].categories;
      if (features[f].kind == FeatureSpec::Kind::kCategorical && x >= 0 &&
          static_cast<size_t>(x) < cats.size()) {
        AppendJsonString(&t, cats[static_cast<size_t>(x)]);
      } else {
        AppendJsonNumber(&t, x);
      }
    }
    t.push_back('}');
    const size_t split = t.size();
    t.push_back('{');
    for (size_t k = 0; k < nv; ++k) {
      if (k > 0) t.push_back(',');
      t.append(model.value_keys_json()[k]);
      t.push_back(':');
      AppendJsonNumber(&t, values[i * nv + k]);
    }
    t.push_back('}');
    const std::string_view text(t);
    rows.Append(i, "", text.substr(0, split), text.substr(split));
  }
  rows.Finish(response);
}

}  // namespace keel::serve
