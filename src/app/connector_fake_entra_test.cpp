// The scripted Entra of app/testing/fake_entra.hpp (support for connector_service_test.cpp).
#include "app/ports/entra.hpp"
#include "app/testing/fake_entra.hpp"

namespace ccteams::testing {
namespace {

GraphError error_of(GraphErrorKind kind, int status, std::string code, std::string message) {
  GraphError e;
  e.kind = kind;
  e.http_status = status;
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

class FakeEntra final : public EntraTokens {
 public:
  explicit FakeEntra(FakeEntraScript& s) : s_(s) {}

  Async<TokenResponse> app_token(std::string tenant) override {
    ++s_.calls;
    s_.last_tenant = tenant;
    switch (s_.answer) {
      case FakeEntraScript::Answer::refused: {
        auto e = error_of(GraphErrorKind::unauthorized, 400, "unauthorized_client",
                          "AADSTS700016: Application with identifier 'app' was not found in the "
                          "directory.\r\nTrace ID: x");
        e.error_codes = {700016};
        e.entra = EntraErrorKind::app_unknown_in_tenant;
        co_return e;
      }
      case FakeEntraScript::Answer::unavailable:
        co_return error_of(GraphErrorKind::unavailable, 503, "temporarily_unavailable", "busy");
      case FakeEntraScript::Answer::throttled: {
        auto e = error_of(GraphErrorKind::throttled, 429, "", "");
        e.retry_after_seconds = 7;
        co_return e;
      }
      case FakeEntraScript::Answer::token:
        break;
    }
    TokenResponse t;
    t.token_type = "Bearer";
    t.expires_in = 3599;
    t.access_token = "app-token";
    t.access_token_claims = TokenClaims{};
    t.access_token_claims->aud = "https://graph.microsoft.com";
    t.access_token_claims->tid = s_.tid;
    t.access_token_claims->roles = s_.roles;
    co_return t;
  }

  Async<TokenResponse> token_by_auth_code(AuthCodeRequest request) override {
    ++s_.code_calls;
    s_.last_code_tenant = request.tenant;
    s_.last_code_verifier = request.code_verifier;
    s_.last_code_scope = request.scope;
    switch (s_.sign_in) {
      case FakeEntraScript::SignIn::refused: {
        auto e = error_of(GraphErrorKind::unauthorized, 400, "invalid_grant",
                          "AADSTS54005: OAuth2 Authorization code was already redeemed.");
        e.error_codes = {54005};
        e.entra = EntraErrorKind::refresh_token_dead;
        co_return e;
      }
      case FakeEntraScript::SignIn::unavailable:
        co_return error_of(GraphErrorKind::unavailable, 503, "temporarily_unavailable", "busy");
      case FakeEntraScript::SignIn::ok:
      case FakeEntraScript::SignIn::no_id_token:
        break;
    }
    TokenResponse t;
    t.token_type = "Bearer";
    t.expires_in = 3599;
    t.access_token = "delegated-access-token";
    if (s_.sign_in == FakeEntraScript::SignIn::ok) t.id_token = "id-token:" + request.code;
    co_return t;
  }
  Async<DirectoryRoles> my_directory_roles(std::string, std::string token) override {
    ++s_.role_calls;
    if (token != "delegated-access-token") co_return unused();
    switch (s_.roles_answer) {
      case FakeEntraScript::Roles::refused:
        co_return forbidden_graph_error();
      case FakeEntraScript::Roles::unavailable:
        co_return error_of(GraphErrorKind::unavailable, 503, "serviceNotAvailable", "busy");
      case FakeEntraScript::Roles::ok:
        break;
    }
    co_return DirectoryRoles{s_.directory_roles, s_.directory_roles_complete};
  }
  Async<TokenResponse> refresh_token(RefreshRequest) override { co_return unused(); }

 private:
  static GraphError unused() {
    return error_of(GraphErrorKind::invalid_request, 400, "notScripted", "not scripted");
  }
  FakeEntraScript& s_;
};

}  // namespace

std::shared_ptr<EntraTokens> make_fake_entra(FakeEntraScript& script) {
  return std::make_shared<FakeEntra>(script);
}

const GraphError& unauthorized_graph_error() {
  static const GraphError e = error_of(GraphErrorKind::unauthorized, 401,
                                       "InvalidAuthenticationToken", "Access token is empty.");
  return e;
}
const GraphError& forbidden_graph_error() {
  static const GraphError e =
      error_of(GraphErrorKind::forbidden, 403, "Authorization_RequestDenied",
               "Insufficient privileges to complete the operation.");
  return e;
}
const GraphError& throttled_graph_error() {
  static const GraphError e = error_of(GraphErrorKind::throttled, 429, "TooManyRequests", "");
  return e;
}

}  // namespace ccteams::testing
