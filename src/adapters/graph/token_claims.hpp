#pragma once
// Reading the claims of the tokens in an Entra token endpoint reply (graph-protocol.md §1.4):
// who signed in (oid, tid, UPN, name), the delegated scopes and the application roles. The
// decoder of token replies (token_json.cpp) fills TokenResponse's claims with these.
//
// Signatures are NOT verified here, on purpose: these tokens come straight from the token
// endpoint over a TLS connection whose certificate was verified, which OpenID Connect Core
// §3.1.3.7 (6) accepts in place of the signature check, and Graph access tokens must not be
// validated by clients at all (§1.4). Never use this for a token that arrived any other way
// (from a browser, a header, a webhook): that is JwksIdTokenVerifier's job.
// Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "app/ports/graph.hpp"
#include "core/result.hpp"

namespace ccteams::graph {

// The payload of a compact JWS (header.payload.signature). Errors: invalid_input when the text
// is not three base64url parts with a JSON object in the middle. The message never quotes it.
Result<TokenClaims> read_token_claims(std::string_view jwt);

// Splits a space-separated scope list (a token response's `scope`, a token's `scp`).
std::vector<std::string> split_scopes(std::string_view text);

// scope without Graph's resource prefix, matched case-insensitively
// ("https://graph.microsoft.com/presence.read.all" -> "presence.read.all"); other resources'
// scopes are kept whole.
std::string bare_scope(std::string_view scope);

// Fills reply's access_token_claims, id_token_claims and granted_scopes from its tokens and its
// `scope`. Only for a reply just received from the token endpoint (see above).
void read_reply_claims(TokenResponse& reply);

}  // namespace ccteams::graph
