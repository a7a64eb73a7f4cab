// Error answers of the server's routes: {"error": "<message>"} with the HTTP status a Status
// code maps to (400 bad request, 404 not found, 413 too large, 415 media type, 422 a model
// or artifact that cannot do what was asked, 503 unavailable, 500 a bug).
#pragma once

#include <string_view>

#include "keel/status.h"
#include "serve/http_types.h"

namespace keel::serve {

// The HTTP status that answers a failed Status of `code`.
int HttpStatusOf(StatusCode code);

// Replaces the body with {"error": message} and sets the status.
void AnswerError(HttpResponse* response, int status, std::string_view message);

// AnswerError with the status HttpStatusOf(st.code()) and st's message.
void AnswerStatus(HttpResponse* response, const Status& st);

}  // namespace keel::serve
