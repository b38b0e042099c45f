#include "app/connector_entra.hpp"

#include <cctype>

#include "app/oauth_text.hpp"
#include "app/ports/entra.hpp"

namespace ccteams {

namespace {

Error transient_error(const GraphError& e) {
  const Error inner = e.to_error();
  return make_error(e.kind == GraphErrorKind::throttled ? Errc::rate_limited : Errc::unavailable,
                    "Microsoft Entra ID could not be reached or is throttling (" + inner.message +
                        "); try again in a moment",
                    inner.retry_after_seconds);
}

TenantConfirmation refused(std::string message) {
  TenantConfirmation out;
  out.kind = TenantConfirmation::Kind::refused;
  out.error = make_error(Errc::conflict, std::move(message));
  return out;
}

}  // namespace

std::string entra_refusal_message(const GraphError& e, const std::string& tenant) {
  std::string text = "Microsoft Entra ID refused the connector's app token for tenant " + tenant;
  if (!e.code.empty()) text += " (" + e.code;
  for (auto c : e.error_codes) text += ", AADSTS" + std::to_string(c);
  if (!e.code.empty()) text += ")";
  if (!e.message.empty()) text += ": " + first_line(e.message);
  return text + ". An administrator must authorise the connector again (Set up).";
}

ReportedFailure classify_reported_failure(const GraphError& error) {
  if (error.kind == GraphErrorKind::unauthorized) return ReportedFailure::refused;
  if (error.kind == GraphErrorKind::forbidden) return ReportedFailure::confirm;
  return ReportedFailure::ignore;
}

boost::asio::awaitable<TenantConfirmation> confirm_tenant(EntraTokens& entra, std::string tenant) {
  auto token = co_await entra.app_token(tenant);
  if (!token) {
    if (token.error().transient()) {
      TenantConfirmation out;
      out.kind = TenantConfirmation::Kind::transient;
      out.error = transient_error(token.error());
      co_return out;
    }
    co_return refused(entra_refusal_message(token.error(), tenant));
  }
  // The adapter read the token's claims: it came straight from Entra's token endpoint over TLS,
  // so reading them unverified is sound here (see TokenClaims).
  auto& claims = token->access_token_claims;
  if (!claims || claims->tid.empty()) {
    co_return refused(
        "Microsoft Entra ID answered with a token this service cannot read; the tenant could "
        "not be confirmed");
  }
  if (!same_id(claims->tid, tenant)) {
    co_return refused("The tenant in the consent answer (" + tenant +
                      ") is not the tenant Microsoft Entra ID issued the token for; nothing was "
                      "changed");
  }
  if (claims->roles.empty()) {
    co_return refused("Microsoft Entra ID granted the app no application permission in tenant " +
                      tenant +
                      ": the admin consent was revoked or never given. An administrator must "
                      "authorise the connector again (Set up).");
  }
  TenantConfirmation out;
  out.tid = std::move(claims->tid);
  out.roles = std::move(claims->roles);
  co_return out;
}

}  // namespace ccteams
