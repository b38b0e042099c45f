#pragma once
// Where a browser is sent to Microsoft Entra ID for the OAuth and OpenID Connect steps the app
// runs (graph-protocol.md §1.1, §1.2): an administrator's or a sync account's sign-in
// (authorization code with PKCE) and admin consent. The app says what to ask for, in plain
// values; the adapter (graph::EntraLinkBuilder) owns the authority and the URLs' wire form.
// Thread-safety: both calls may run concurrently.

#include <optional>
#include <string>

namespace ccteams {

// An /authorize request: response_type=code, response_mode=query, PKCE S256,
// prompt=select_account.
struct SignInLinkRequest {
  std::string tenant;  // a tenant id, or "organizations" (any work account)
  std::string client_id;
  std::string redirect_uri;
  std::string scope;  // space-separated
  std::string state;
  std::optional<std::string> nonce;  // OpenID Connect: bound into the ID token
  std::string code_challenge;        // S256 of the code verifier
};

// An admin consent request for every application permission of the app (`.default`).
struct AdminConsentLinkRequest {
  std::string tenant;
  std::string client_id;
  std::string redirect_uri;
  std::string state;
};

class EntraLinks {
 public:
  virtual ~EntraLinks() = default;
  virtual std::string sign_in_url(const SignInLinkRequest& request) const = 0;
  virtual std::string admin_consent_url(const AdminConsentLinkRequest& request) const = 0;
};

}  // namespace ccteams
