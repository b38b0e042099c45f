#pragma once
// IdTokenVerifier over Entra's published keys (graph-protocol.md §1.4-1.5): the proof of an
// administrator's tenant in the connector's sign-in. v2 ID tokens only: iss must be
// {login_base}/{tid}/v2.0 for the token's own tid, which is why this needs no list of tenants
// (a multi-tenant app accepts every tenant's sign-in; the caller decides what the tid may bind).
// Thread-safety: verify may be called concurrently.

#include <chrono>
#include <string>

#include "adapters/graph/cached_jwks.hpp"
#include "app/ports/id_token_verifier.hpp"

namespace ccteams::graph {

class JwksIdTokenVerifier final : public IdTokenVerifier {
 public:
  // keys is not owned and must outlive the verifier. login_base: e.g.
  // "https://login.microsoftonline.com" (no trailing slash), as configured for the client.
  JwksIdTokenVerifier(CachedJwks& keys, std::string login_base,
                      std::chrono::seconds clock_skew = std::chrono::seconds(300))
      : keys_(keys), login_base_(std::move(login_base)), clock_skew_(clock_skew) {}

  boost::asio::awaitable<Result<VerifiedIdToken>> verify(std::string id_token,
                                                         IdTokenExpectations expect) override;

  // Pure check of a token against keys already at hand (the testable part of verify). Errors
  // as IdTokenVerifier::verify, plus not_found when the key is unknown (re-fetch and retry).
  Result<VerifiedIdToken> check(std::string_view id_token, const JwkSet& keys,
                                const IdTokenExpectations& expect) const;

 private:
  CachedJwks& keys_;
  std::string login_base_;
  std::chrono::seconds clock_skew_;
};

}  // namespace ccteams::graph
