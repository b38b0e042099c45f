#pragma once
// The claims the connector needs from an app (client-credentials) access token: the tenant
// (`tid`) and the granted application permissions (`roles`).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccteams {

struct AppTokenClaims {
  std::string tid;
  std::vector<std::string> roles;  // empty when Entra granted none (no `roles` claim)
};

// Decodes the JWT's payload WITHOUT verifying its signature. Acceptable only for a token this
// service has just received itself from Entra's token endpoint over TLS (the channel vouches for
// it, and Graph access tokens are not meant to be validated by clients, graph-protocol.md §1.4).
// Never use it on a token that came from a browser or a request. nullopt when the text is not a
// three-part JWT with a base64url JSON object payload.
std::optional<AppTokenClaims> read_app_token_claims(std::string_view jwt);

}  // namespace ccteams
