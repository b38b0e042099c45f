#pragma once
// Verifying the OpenID Connect ID token of an administrator's sign-in (graph-protocol.md §1.4,
// §1.5): the proof of which Microsoft Entra tenant the person belongs to. The connector binds a
// tenant only on this proof, never on the `tenant` text of a redirect (§1.1), which the browser
// can forge.
// Thread-safety: verify may be called concurrently.

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

// Directory role template ids the connector accepts (graph-protocol.md §1.4 table).
inline constexpr std::string_view kGlobalAdministratorRole = "62e90394-69f5-4237-9190-012177145e10";
inline constexpr std::string_view kPrivilegedRoleAdministratorRole =
    "e8611ab8-c189-46e8-94e1-60213ab1f814";

struct IdTokenExpectations {
  std::string client_id;  // aud
  std::string nonce;      // the nonce of our authorize request
  Timestamp now{};
};

// The claims of an ID token that passed every check.
struct VerifiedIdToken {
  std::string tid;
  std::string oid;
  std::string upn;  // preferred_username (v2), else upn / email; for display only
  std::string name;
  // `wids`: present only when the app registration asks for directory roles in tokens
  // (groupMembershipClaims DirectoryRole or All); nullopt when the claim is absent.
  std::optional<std::vector<std::string>> wids;
};

class IdTokenVerifier {
 public:
  virtual ~IdTokenVerifier() = default;
  // Checks: RS256 signature by a key of Entra's published JWKS (re-fetched once when the kid is
  // unknown), exp/nbf with a small skew, iss == {login}/{tid}/v2.0 for the token's own tid, aud
  // == client_id, nonce == expected, and non-empty tid and oid.
  // Errors: unauthenticated naming the failed check (never quoting the token); unavailable when
  // the keys cannot be fetched now.
  virtual boost::asio::awaitable<Result<VerifiedIdToken>> verify(std::string id_token,
                                                                 IdTokenExpectations expect) = 0;
};

}  // namespace ccteams
