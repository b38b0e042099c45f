#pragma once
// The Entra ID role of the Graph port (app/ports/graph.hpp): tokens from Entra's token endpoint
// and the signed-in user's directory roles, in plain values. The adapter (HttpGraphClient)
// builds every form, path and scope; the app names tenants and requests.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/ports/graph_error.hpp"

namespace ccteams {

// What a token says about itself, read by the adapter from the JWT payload of a token in a
// token endpoint reply (§1.4). Not verified, and sound only because the reply came straight
// from Entra's token endpoint over a verified TLS connection (OpenID Connect Core §3.1.3.7 (6);
// Graph access tokens must not be validated by clients at all).
struct TokenClaims {
  std::string oid;
  std::string tid;
  std::string aud;
  std::string upn;  // `upn`, else `preferred_username`, else `unique_name`
  std::string name;
  std::vector<std::string> scopes;  // `scp`, split on spaces (delegated permissions)
  std::vector<std::string> roles;   // `roles` (application permissions); empty when absent
  std::optional<std::int64_t> exp;  // seconds since the epoch
};

// A successful token endpoint reply (§1.3). Secrets: access_token and refresh_token must never
// be logged; the decoder's normalised output (graph decode) redacts them.
struct TokenResponse {
  std::string token_type;  // "Bearer"
  std::string access_token;
  std::int64_t expires_in = 0;  // seconds
  std::optional<std::int64_t> ext_expires_in;
  std::optional<std::string> refresh_token;  // code and refresh grants with offline_access
  std::optional<std::string> scope;          // space-separated
  std::optional<std::string> id_token;
  // Read by the adapter (see TokenClaims); nullopt when the token is not a readable JWT (an
  // access token may be opaque).
  std::optional<TokenClaims> access_token_claims;
  std::optional<TokenClaims> id_token_claims;
  // The delegated permissions Graph will see, without Graph's resource prefix
  // ("https://graph.microsoft.com/Presence.Read.All" -> "Presence.Read.All"): the access
  // token's `scp`, else (an opaque token) the reply's `scope`.
  std::vector<std::string> granted_scopes;
};

// Delegated sign-in inputs (§1.2, §1.3). The secret stays in the adapter's configuration.
struct AuthCodeRequest {
  std::string tenant;  // tenant id, or "organizations"
  std::string code;
  std::string redirect_uri;  // exactly as sent to /authorize
  std::string code_verifier;
  std::string scope;  // e.g. "https://graph.microsoft.com/Presence.Read.All offline_access"
};

struct RefreshRequest {
  std::string tenant;
  std::string refresh_token;
  std::string scope;  // equal to or a subset of the original; may be empty
};

// The signed-in user's directory roles (GET /me/memberOf, delegated; §1.4): the role template
// ids of the directoryRole objects among the memberships. complete is false when Graph returned
// a directoryRole without its roleTemplateId ("limited information": the token may not read
// directory roles), so that a missing role cannot be told from an unreadable one.
struct DirectoryRoles {
  std::vector<std::string> template_ids;
  bool complete = true;
};

// Token calls (§1.1-§1.4). One EntraTokens serves every tenant; calls name the tenant.
// Thread-safety: implementations must allow concurrent calls from any executor.
class EntraTokens {
 public:
  virtual ~EntraTokens() = default;
  template <class T>
  using Async = GraphAsync<T>;

  // client_credentials for https://graph.microsoft.com/.default; never yields a refresh token.
  // Also how a consent callback confirms a tenant (§1.1).
  virtual Async<TokenResponse> app_token(std::string tenant) = 0;
  virtual Async<TokenResponse> token_by_auth_code(AuthCodeRequest request) = 0;
  // The reply's refresh_token replaces the stored one (§1.3: always rotate).
  virtual Async<TokenResponse> refresh_token(RefreshRequest request) = 0;
  // Delegated: the directory roles of the user access_token was issued to (follows paging).
  virtual Async<DirectoryRoles> my_directory_roles(std::string tenant,
                                                   std::string access_token) = 0;
};

}  // namespace ccteams
