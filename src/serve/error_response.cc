#include "serve/error_response.h"

#include "serve/json_text.h"

namespace keel::serve {

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kParseError:
    case StatusCode::kOutOfRange:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kResourceExhausted:
      return 413;
    case StatusCode::kUnsupported:
      return 415;
    case StatusCode::kCorrupt:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kIoError:
    case StatusCode::kAlreadyExists:
      return 422;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kOk:
    case StatusCode::kInternal:
    case StatusCode::kCancelled:
      break;
  }
  return 500;
}

void AnswerError(HttpResponse* response, int status, std::string_view message) {
  response->status = status;
  response->body.clear();
  response->body.append("{\"error\":");
  AppendJsonString(&response->body, message);
  response->body.push_back('}');
}

void AnswerStatus(HttpResponse* response, const Status& st) {
  AnswerError(response, HttpStatusOf(st.code()), st.message());
}

}  // namespace keel::serve
