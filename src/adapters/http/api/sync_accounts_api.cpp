// Handlers of /api/v1/connectors/msteams/sync-accounts (see sync_accounts_api.hpp).
#include "adapters/http/api/sync_accounts_api.hpp"

#include <boost/json.hpp>

#include "adapters/http/api/path_ids.hpp"
#include "adapters/http/api/request_auth.hpp"
#include "adapters/http/json_io.hpp"
#include "adapters/http/message_codes.hpp"
#include "adapters/http/router.hpp"
#include "app/ports/org_ownership.hpp"
#include "app/sync_account_service.hpp"

namespace ccteams::http {

namespace json = boost::json;

namespace {

constexpr std::string_view kBase = "/api/v1/connectors/msteams/sync-accounts";

json::value optional_time(const std::optional<Timestamp>& t) {
  return t ? json::value(format_iso8601(*t)) : json::value(nullptr);
}

json::object account_to_json(const SyncAccountView& a) {
  const bool healthy = a.token_state == SyncTokenState::healthy;
  return json::object{
      {"id", a.id.value},
      {"oid", a.oid},
      {"upn", a.upn},
      {"displayName", a.display_name},
      {"health",
       json::object{
           {"state", healthy ? "healthy" : "failed"},
           {"reason", healthy ? json::value(nullptr) : json::value(a.last_error)},
           {"reasonCode", healthy ? json::value(nullptr) : message_code_json(a.last_error)},
           {"lastRefreshedAt", optional_time(a.last_refreshed_at)}}},
      {"addedBy", a.added_by.value},
      {"addedAt", format_iso8601(a.added_at)}};
}

std::string html_escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// JSON that is safe inside a <script> element: no "</script>", no "<!--", no HTML entities.
std::string script_json(const json::value& v) {
  std::string out;
  for (char c : json::serialize(v)) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// The popup's last page. The URL that brought it carries the authorization code: no referrer
// may leave it, nothing may cache it, and only our own origin hears the outcome.
Response callback_page(const TokenSource& tokens, const Result<SignInOutcome>& outcome) {
  json::object message{{"type", "ccteams.syncAccount.signIn"}, {"ok", outcome.has_value()}};
  std::string headline;
  std::string text;
  if (outcome) {
    message["account"] = account_to_json(outcome->account);
    message["replaced"] = outcome->replaced;
    headline = "Sync account added";
    text =
        outcome->account.upn + (outcome->replaced ? " was signed in again; its token was replaced."
                                                  : " can now be used for presence sync.");
  } else {
    const PublicError shown = public_error(outcome.error());
    message["error"] = json::object{{"code", errc_name(shown.error.code)},
                                    {"message", shown.error.message},
                                    {"messageCode", message_code_json(shown.error.message)}};
    headline = "The sync account was not added";
    text = shown.error.message;
  }
  const std::string nonce = tokens.new_token();
  std::string body =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>ccteams: sync account</title>"
      "<style nonce=\"" +
      nonce +
      "\">body{font-family:sans-serif;margin:2em}</style></head>"
      "<body><h1>" +
      html_escape(headline) + "</h1><p>" + html_escape(text) +
      "</p>"
      "<p>You can close this window.</p>"
      "<script nonce=\"" +
      nonce + "\">(function(){var m=" + script_json(message) +
      ";"
      "if(window.opener&&!window.opener.closed){"
      "window.opener.postMessage(m,window.location.origin);window.close();}})();</script>"
      "</body></html>\n";
  Response r = text_response(outcome ? 200 : to_http_status(outcome.error().code),
                             "text/html; charset=utf-8", std::move(body));
  r.set_header("Content-Security-Policy",
               "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" + nonce +
                   "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  r.set_header("Referrer-Policy", "no-referrer");
  r.set_header("Cache-Control", "no-store");
  r.set_header("X-Content-Type-Options", "nosniff");
  return r;
}

boost::asio::awaitable<Response> list(SyncAccountService& service, Caller caller) {
  auto accounts = co_await service.list(std::move(caller));
  if (!accounts) co_return error_response(accounts.error());
  json::array items;
  for (const auto& a : *accounts) items.emplace_back(account_to_json(a));
  co_return json_response(200, json::object{{"items", std::move(items)}});
}

boost::asio::awaitable<Response> start(SyncAccountService& service, const OrgOwnership& ownership,
                                       Caller caller) {
  if (!ownership.serves(caller.org_id)) co_return error_response(org_elsewhere(caller.org_id));
  auto started = co_await service.start_sign_in(std::move(caller));
  if (!started) co_return error_response(started.error());
  Response r = json_response(200, json::object{{"authorizationUrl", started->authorization_url},
                                               {"expiresAt", format_iso8601(started->expires_at)}});
  r.set_header("Cache-Control", "no-store");  // the URL carries a live state
  co_return r;
}

boost::asio::awaitable<Response> remove(SyncAccountService& service, const OrgOwnership& ownership,
                                        Caller caller, Result<SyncAccountId> id) {
  if (!ownership.serves(caller.org_id)) co_return error_response(org_elsewhere(caller.org_id));
  if (!id) co_return error_response(id.error());
  if (auto r = co_await service.remove(std::move(caller), *id); !r) {
    co_return error_response(r.error());
  }
  co_return empty_response(204);
}

}  // namespace

void register_sync_account_routes(Router& router, AuthService& auth, SyncAccountService& service,
                                  const OrgOwnership* ownership) {
  const std::string base(kBase);
  AuthService* a = &auth;
  SyncAccountService* s = &service;
  const OrgOwnership* o = ownership != nullptr ? ownership : &OrgOwnership::every_org();
  // Not coroutine lambdas: each returns a coroutine whose frame owns its arguments.
  router.add("GET", base, with_caller_async(auth, {Role::admin}, [s](const Caller& c, Request&) {
               return list(*s, c);
             }));
  router.add("POST", base + "/sign-in",
             with_caller_async(auth, {Role::admin}, [s, o](const Caller& c, Request&) {
               return start(*s, *o, c);
             }));
  router.add("DELETE", base + "/{id}",
             with_caller_async(auth, {Role::admin}, [s, o](const Caller& c, Request& req) {
               return remove(*s, *o, c, path_id<SyncAccountId>(req, "sync account"));
             }));
  // No session arrives on this cross-site redirect: the state names the sign-in, whose
  // session and admin role the service checks.
  router.add("GET", base + "/callback", [a, s](Request& req) -> boost::asio::awaitable<Response> {
    SignInCallback cb{req.query_param("code"), req.query_param("state"), req.query_param("error"),
                      req.query_param("error_description")};
    auto outcome = co_await s->complete_sign_in(std::move(cb));
    co_return callback_page(a->tokens(), outcome);
  });
}

}  // namespace ccteams::http
