// The admin side of the server: who may call the admin routes, and the answer of a hot
// reload (POST /v1/models/{name}/reload).
#pragma once

#include <string_view>

#include "serve/http_types.h"
#include "serve/model_store.h"

namespace keel::serve {

// Whether `authorization` (the request's Authorization header) carries `admin_token` as a
// bearer token, compared in constant time. If not, answers 403 when admin routes are off
// (`admin_token` empty) or 401 with a WWW-Authenticate header, and returns false.
bool AuthorizeAdmin(std::string_view admin_token, std::string_view authorization,
                    HttpResponse* response);

// Sets response->blocking_work to reload `slot` from its file (off the I/O threads) and answer
// 200 with the new and previous versions, 409 when the new artifact changes the request
// contract and `allow_contract_change` is false, or 422 when it fails to load or check; the
// previous version keeps serving unless the answer is 200.
void AnswerReload(ModelSlot* slot, bool allow_contract_change, HttpResponse* response);

}  // namespace keel::serve
