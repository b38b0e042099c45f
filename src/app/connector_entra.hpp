#pragma once
// The connector's questions to Microsoft Entra ID: "did this tenant really consent?" (an app
// token for it, with its `tid` and granted `roles`) and "does this Graph error mean our tokens
// are refused?".
//
// Why a separate file: the connector service reaches Graph only through these two questions,
// so it does not depend on the whole Graph port; only connector_entra.cpp includes it.

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace ccteams {

class EntraTokens;
struct GraphError;

struct TenantConfirmation {
  enum class Kind {
    ok,         // Entra issued a token for tenant with tid == tenant and at least one role
    refused,    // Entra refused, or the token grants nothing / names another tenant
    transient,  // Entra unreachable or throttling: nothing can be concluded
  };
  Kind kind = Kind::ok;
  std::string tid;
  std::vector<std::string> roles;  // granted application permissions
  Error error;  // refused: conflict; transient: unavailable / rate_limited; admin-readable
};

// Gets an app token for tenant through entra and reads its claims (never trusting the tenant
// text alone, graph-protocol.md §1.1).
boost::asio::awaitable<TenantConfirmation> confirm_tenant(EntraTokens& entra, std::string tenant);

enum class ReportedFailure {
  refused,  // Entra refused our credentials or consent (unauthorized)
  confirm,  // forbidden: may be one missing permission; confirm with a fresh token
  ignore,   // not about authorisation
};
ReportedFailure classify_reported_failure(const GraphError& error);

// "Microsoft Entra ID refused the connector's app token for tenant T (code, AADSTSn): ...".
std::string entra_refusal_message(const GraphError& error, const std::string& tenant);

}  // namespace ccteams
