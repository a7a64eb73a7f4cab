#include "serve/admin_routes.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <nlohmann/json.hpp>
#include <string>

#include "serve/error_response.h"
#include "serve/json_text.h"
#include "serve/request_contract.h"

namespace keel::serve {
namespace {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

bool AuthorizeAdmin(std::string_view admin_token, std::string_view authorization,
                    HttpResponse* response) {
  if (admin_token.empty()) {
    AnswerError(response, 403,
                "admin routes are off: start the server with KEEL_ADMIN_TOKEN set or "
                "--admin-token-file");
    return false;
  }
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization.starts_with(kBearer)) {
    AnswerError(response, 401, "admin routes need an Authorization: Bearer <token> header");
    response->extra_headers += "WWW-Authenticate: Bearer\r\n";
    return false;
  }
  authorization.remove_prefix(kBearer.size());
  if (!ConstantTimeEquals(authorization, admin_token)) {
    AnswerError(response, 401, "the bearer token is not the admin token");
    response->extra_headers += "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n";
    return false;
  }
  return true;
}

void AnswerReload(ModelSlot* slot, bool allow_contract_change, HttpResponse* response) {
  // Loading reads and compiles a file: run it off the I/O threads.
  response->blocking_work = [slot, allow_contract_change](HttpResponse* r) {
    auto result = slot->Reload(allow_contract_change);
    r->body.clear();
    if (!result.ok()) {
      r->status = 422;
      r->body = "{\"error\":";
      AppendJsonString(&r->body, "reload refused, the previous version keeps serving: " +
                                     result.status().message());
      r->body += ",\"model\":";
      AppendJsonString(&r->body, slot->name());
      r->body += ",\"version\":";
      AppendJsonString(&r->body, slot->Get()->version());
      r->body += "}";
      return;
    }
    nlohmann::json j = {{"model", slot->name()}};
    if (!result->reloaded) {
      r->status = 409;
      j["error"] = fmt::format(
          "reload refused, the previous version keeps serving: version {} changes the request "
          "contract ({}); start keel serve with --allow-contract-change, or add "
          "?allow_contract_change=true to this request, to accept it",
          result->version, DescribeContractChanges(result->contract_changes));
      j["version"] = result->previous_version;
      j["refused_version"] = result->version;
    } else {
      r->status = 200;
      j["version"] = result->version;
      j["previous_version"] = result->previous_version;
      j["reloaded"] = true;
    }
    j["contract_changes"] = ContractChangesJson(result->contract_changes);
    r->body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
}

}  // namespace keel::serve
