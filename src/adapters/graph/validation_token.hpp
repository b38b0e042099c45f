#pragma once
// Checking the validationTokens of a rich change-notification batch (graph-protocol.md §4.6).
// Each token is an Entra v1 JWT that Microsoft's notification publisher obtained for our app:
//   RS256 signature by a key of Entra's JWKS (fetched by the caller, handed in as a JwkSet),
//   exp/nbf with a small clock skew, iss == https://sts.windows.net/{tenantId}/ for a tenant
//   configured, aud == our client id, appid == 0bf30f3b-4a52-48df-9a82-234910c4a086 (the Graph
//   change-notification publisher).
// Any failure is a TokenRefusal naming the check that failed; the webhook then treats the POST
// as suspicious (it has already answered 202, §4.3). On unknown_key the caller should re-fetch
// the JWKS once (Entra rotates keys) and check again.
// No network and no clock here: keys and time come in as arguments.
// Thread-safety: immutable after construction; check/check_all may run concurrently.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/crypto/jwt.hpp"
#include "adapters/graph/notification_crypto_result.hpp"
#include "core/time.hpp"

namespace ccteams::graph {

inline constexpr std::string_view kNotificationPublisherAppId =
    "0bf30f3b-4a52-48df-9a82-234910c4a086";

enum class TokenRefusalReason {
  missing_token,   // a batch with resource data carried no validation token
  malformed,       // not a compact JWS of JSON objects, too long, exp/nbf not numbers
  unknown_key,     // kid/x5t not in the JWKS: re-fetch it once
  bad_signature,   // alg is not RS256, or the signature does not verify
  expired,         // exp has passed, or there is no exp (a token that never expires)
  not_yet_valid,   // nbf
  issuer,          // iss
  audience,        // aud
  app_id,          // appid
};
std::string_view token_refusal_reason_name(TokenRefusalReason reason);

struct TokenRefusal {
  TokenRefusalReason reason = TokenRefusalReason::malformed;
  std::string message;  // names the claim; never contains the token
  // Errc::unauthenticated with the message.
  Error to_error() const;
};

struct ValidationTokenConfig {
  // The Entra tenants (GUIDs, as configured) whose tokens are accepted. One POST may mix
  // tenants when organisations share the webhook URL (§4.3), hence a list. Empty: any tenant,
  // each token's iss must then name its own `tid` (the caller checks which tenants it got).
  std::vector<std::string> tenant_ids;
  std::string client_id;  // our app registration's client id
  std::chrono::seconds clock_skew{300};
};

// The claims of a token that passed every check.
struct ValidatedToken {
  std::string tenant_id;  // the tenant iss named (a configured one, or the token's own tid)
  std::string audience;   // our client id
};

class ValidationTokenValidator {
 public:
  explicit ValidationTokenValidator(ValidationTokenConfig config);

  // One token. The JWKS are Entra's keys as the caller last fetched them.
  CheckResult<ValidatedToken, TokenRefusal> check(std::string_view token, const JwkSet& keys,
                                                  Timestamp now) const;
  // Every token of a batch (§4.6: "if any fails, treat the POST as suspicious"); the first
  // refusal is returned. The caller may compare the tenants of the result with those of the
  // batch's items (one token per app and tenant). An empty list is refused as missing_token: call this only for batches
  // that carry encryptedContent.
  CheckResult<std::vector<ValidatedToken>, TokenRefusal> check_all(
      const std::vector<std::string>& tokens, const JwkSet& keys, Timestamp now) const;

  // https://sts.windows.net/{tenant}/
  static std::string issuer_for(std::string_view tenant_id);

 private:
  ValidationTokenConfig config_;
};

}  // namespace ccteams::graph
