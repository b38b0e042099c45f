#pragma once
// EntraTokens for app-layer tests of delegated tokens: a scripted Entra token endpoint
// (authorization code with PKCE, refresh with rotation) whose replies carry chosen claims, as
// the adapter reads them from the tokens. app_token and my_directory_roles fail with
// invalid_request. Not
// thread-safe: drive it from one io_context.

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "app/ports/entra.hpp"

namespace ccteams::testing {

class FakeTokenGraph final : public EntraTokens {
 public:
  struct Identity {
    std::string oid = "oid-1";
    std::string tid = "tid-1";
    std::string upn = "sync1@contoso.example";
    std::string name = "Sync One";
    std::string aud = "client-1";
    std::vector<std::string> scp = {"Presence.Read.All", "User.Read"};
    bool refresh_token = true;
  };

  Identity identity;
  // Set by the test: what /authorize gave the browser (code -> code_challenge).
  std::map<std::string, std::string> codes;
  std::function<std::string(std::string_view)> s256;  // the PKCE hash the test uses
  std::deque<GraphError> refresh_failures;            // next refreshes fail with these
  std::chrono::milliseconds refresh_delay{0};         // lets callers pile up
  std::set<std::string> live_refresh_tokens;
  std::vector<AuthCodeRequest> code_requests;
  std::vector<RefreshRequest> refresh_requests;
  int issued = 0;

  Async<TokenResponse> app_token(std::string) override { co_return unsupported(); }

  Async<TokenResponse> token_by_auth_code(AuthCodeRequest request) override {
    code_requests.push_back(request);
    auto it = codes.find(request.code);
    if (it == codes.end())
      co_return entra_error("invalid_grant", 70008, EntraErrorKind::refresh_token_dead);
    const std::string challenge = it->second;
    codes.erase(it);
    if (!s256 || s256(request.code_verifier) != challenge) {
      co_return entra_error("invalid_grant", 501481, EntraErrorKind::refresh_token_dead);
    }
    co_return tokens();
  }

  Async<TokenResponse> refresh_token(RefreshRequest request) override {
    refresh_requests.push_back(request);
    if (refresh_delay.count() > 0) {
      boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, refresh_delay);
      co_await t.async_wait(boost::asio::use_awaitable);
    }
    if (!refresh_failures.empty()) {
      GraphError e = refresh_failures.front();
      refresh_failures.pop_front();
      co_return e;
    }
    // Rotation (§1.3): the presented token is spent.
    if (live_refresh_tokens.erase(request.refresh_token) == 0) {
      co_return entra_error("invalid_grant", 70008, EntraErrorKind::refresh_token_dead);
    }
    co_return tokens();
  }

  // As the adapter decodes it: `entra` is what the adapter's classification gives for code and
  // aadsts (graph::classify_entra_error).
  static GraphError entra_error(std::string code, std::int64_t aadsts, EntraErrorKind entra,
                                int status = 400) {
    GraphError e;
    e.entra = entra;
    e.kind = status >= 500 ? GraphErrorKind::unavailable : GraphErrorKind::unauthorized;
    e.http_status = status;
    e.code = std::move(code);
    e.message = "AADSTS" + std::to_string(aadsts) + ": scripted";
    e.error_codes = {aadsts};
    return e;
  }

  Async<DirectoryRoles> my_directory_roles(std::string, std::string) override {
    co_return unsupported();
  }

 private:
  static GraphError unsupported() {
    GraphError e;
    e.kind = GraphErrorKind::invalid_request;
    e.code = "notSupportedByFake";
    return e;
  }

  TokenResponse tokens() {
    ++issued;
    TokenResponse t;
    t.token_type = "Bearer";
    t.expires_in = 3600;
    t.access_token = "access-" + std::to_string(issued);
    TokenClaims who;
    who.oid = identity.oid;
    who.tid = identity.tid;
    who.upn = identity.upn;
    t.access_token_claims = who;
    t.access_token_claims->scopes = identity.scp;
    t.granted_scopes = identity.scp;
    t.id_token = "id-" + std::to_string(issued);
    t.id_token_claims = who;
    t.id_token_claims->aud = identity.aud;
    t.id_token_claims->name = identity.name;
    if (identity.refresh_token) {
      t.refresh_token = "rt-" + std::to_string(issued);
      live_refresh_tokens.insert(*t.refresh_token);
    }
    return t;
  }
};

}  // namespace ccteams::testing
