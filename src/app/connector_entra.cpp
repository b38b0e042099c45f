#include "app/connector_entra.hpp"

#include <cctype>

#include "app/app_token_claims.hpp"
#include "app/ports/graph.hpp"

namespace ccteams {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Entra's description without its "Trace ID / Correlation ID" lines, bounded for display.
std::string first_line(std::string_view text) {
  auto line = text.substr(0, text.find_first_of("\r\n"));
  if (line.size() > 300) line = line.substr(0, 300);
  return std::string(line);
}

bool is_transient(const GraphError& e) {
  return e.kind == GraphErrorKind::transport || e.kind == GraphErrorKind::throttled ||
         e.kind == GraphErrorKind::unavailable;
}

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

boost::asio::awaitable<TenantConfirmation> confirm_tenant(GraphClient& graph, std::string tenant) {
  auto token = co_await graph.app_token(tenant);
  if (!token) {
    if (is_transient(token.error())) {
      TenantConfirmation out;
      out.kind = TenantConfirmation::Kind::transient;
      out.error = transient_error(token.error());
      co_return out;
    }
    co_return refused(entra_refusal_message(token.error(), tenant));
  }
  // The token came straight from Entra's token endpoint over TLS: reading its payload without
  // verifying the signature is sound here (see app_token_claims.hpp).
  auto claims = read_app_token_claims(token->access_token);
  if (!claims || claims->tid.empty()) {
    co_return refused(
        "Microsoft Entra ID answered with a token this service cannot read; the tenant could "
        "not be confirmed");
  }
  if (!iequal(claims->tid, tenant)) {
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
