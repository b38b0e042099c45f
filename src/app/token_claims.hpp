#pragma once
// Reading the claims of the tokens Entra's token endpoint gives us (graph-protocol.md §1.4),
// to learn who signed in: oid, tid, UPN, name and the granted scopes.
//
// Signatures are NOT verified here, on purpose: these tokens come straight from the token
// endpoint over a TLS connection whose certificate was verified, which OpenID Connect Core
// §3.1.3.7 (6) accepts in place of the signature check, and Graph access tokens must not be
// validated by clients at all (§1.4). Never use this for a token that arrived any other way
// (from a browser, a header, a webhook).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace ccteams {

struct TokenClaims {
  std::string oid;
  std::string tid;
  std::string aud;
  std::string upn;  // `upn`, else `preferred_username`, else `unique_name`
  std::string name;
  std::vector<std::string> scopes;  // `scp`, split on spaces
  std::optional<std::int64_t> exp;  // seconds since the epoch
};

// The payload of a compact JWS (header.payload.signature). Errors: invalid_input when the text
// is not three base64url parts with a JSON object in the middle. The message never quotes it.
Result<TokenClaims> read_token_claims(std::string_view jwt);

// True when scopes hold want, bare or with Graph's resource prefix, case-insensitively
// ("Presence.Read.All" == "https://graph.microsoft.com/presence.read.all").
bool has_scope(const std::vector<std::string>& scopes, std::string_view want);

// Splits a space-separated scope list (a token response's `scope`).
std::vector<std::string> split_scopes(std::string_view text);

}  // namespace ccteams
