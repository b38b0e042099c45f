#pragma once
// A scripted Entra token endpoint behind the EntraTokens port, for connector tests. Declared
// without app/ports/entra.hpp (kept out of the tests' includes); defined in
// connector_fake_entra_test.cpp.

#include <memory>
#include <string>
#include <vector>

namespace ccteams {
class EntraTokens;
struct GraphError;
}  // namespace ccteams

namespace ccteams::testing {

struct FakeEntraScript {
  enum class Answer {
    token,        // 200 with a token whose claims carry tid and roles
    refused,      // 400 unauthorized_client AADSTS700016 (service principal deleted)
    unavailable,  // 503 after retries
    throttled,    // 429 Retry-After 7
  };
  Answer answer = Answer::token;
  std::string tid = "11111111-2222-3333-4444-555555555555";
  std::vector<std::string> roles = {"Presence.ReadWrite.All", "User.Read.All"};
  int calls = 0;
  std::string last_tenant;

  // The administrator's sign-in: token_by_auth_code answers with an ID token whose text is
  // "id-token:" + the code (a fake IdTokenVerifier decides what it proves), and
  // my_directory_roles with directory_roles.
  enum class SignIn { ok, refused, unavailable, no_id_token };
  SignIn sign_in = SignIn::ok;
  int code_calls = 0;
  std::string last_code_tenant;
  std::string last_code_verifier;
  std::string last_code_scope;
  enum class Roles { ok, refused, unavailable };
  Roles roles_answer = Roles::ok;
  std::vector<std::string> directory_roles = {"62e90394-69f5-4237-9190-012177145e10"};
  bool directory_roles_complete = true;
  int role_calls = 0;
};

// The client reads script at every call; script must outlive it. A shared_ptr: its deleter is
// bound here, so holders need not see the complete EntraTokens. app_token, token_by_auth_code
// and my_directory_roles are scripted; refresh_token answers invalid_request.
std::shared_ptr<EntraTokens> make_fake_entra(FakeEntraScript& script);

// Graph errors as a Graph call would report them.
const GraphError& unauthorized_graph_error();  // 401 InvalidAuthenticationToken
const GraphError& forbidden_graph_error();     // 403 Authorization_RequestDenied
const GraphError& throttled_graph_error();     // 429

}  // namespace ccteams::testing
