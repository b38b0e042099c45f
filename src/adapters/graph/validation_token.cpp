#include "adapters/graph/validation_token.hpp"

#include <boost/json/value.hpp>

namespace ccteams::graph {

namespace json = boost::json;

namespace {

constexpr std::string_view kIssuerPrefix = "https://sts.windows.net/";

TokenRefusal refuse(TokenRefusalReason reason, std::string_view detail) {
  return TokenRefusal{reason, "validation token refused: " +
                                  std::string(token_refusal_reason_name(reason)) + ": " +
                                  std::string(detail)};
}

const json::string* string_claim(const json::object& claims, std::string_view key) {
  const auto* v = claims.if_contains(key);
  return v != nullptr ? v->if_string() : nullptr;
}

TokenRefusal from_verify_error(const Error& e) {
  switch (e.code) {
    case Errc::not_found: return refuse(TokenRefusalReason::unknown_key, e.message);
    case Errc::unauthenticated: return refuse(TokenRefusalReason::bad_signature, e.message);
    default: return refuse(TokenRefusalReason::malformed, e.message);
  }
}

}  // namespace

std::string_view token_refusal_reason_name(TokenRefusalReason reason) {
  switch (reason) {
    case TokenRefusalReason::missing_token: return "missing token";
    case TokenRefusalReason::malformed: return "malformed";
    case TokenRefusalReason::unknown_key: return "unknown signing key";
    case TokenRefusalReason::bad_signature: return "bad signature";
    case TokenRefusalReason::expired: return "exp";
    case TokenRefusalReason::not_yet_valid: return "nbf";
    case TokenRefusalReason::issuer: return "iss";
    case TokenRefusalReason::audience: return "aud";
    case TokenRefusalReason::app_id: return "appid";
  }
  return "refused";
}

Error TokenRefusal::to_error() const { return make_error(Errc::unauthenticated, message); }

ValidationTokenValidator::ValidationTokenValidator(ValidationTokenConfig config)
    : config_(std::move(config)) {}

std::string ValidationTokenValidator::issuer_for(std::string_view tenant_id) {
  return std::string(kIssuerPrefix) + std::string(tenant_id) + "/";
}

CheckResult<ValidatedToken, TokenRefusal> ValidationTokenValidator::check(
    std::string_view token, const JwkSet& keys, Timestamp now) const {
  auto verified = verify_jwt_rs256(token, keys);
  if (!verified) return from_verify_error(verified.error());
  const auto& claims = verified->claims;

  switch (check_jwt_time(claims, now, config_.clock_skew)) {
    case JwtTimeCheck::valid: break;
    case JwtTimeCheck::missing_exp:
      return refuse(TokenRefusalReason::expired, "the token has no exp");
    case JwtTimeCheck::expired: return refuse(TokenRefusalReason::expired, "the token expired");
    case JwtTimeCheck::not_yet_valid:
      return refuse(TokenRefusalReason::not_yet_valid, "the token is not valid yet");
    case JwtTimeCheck::bad_claim:
      return refuse(TokenRefusalReason::malformed, "exp or nbf is not a number");
  }
  // The configured values may be named in messages; the token's own values are not echoed,
  // they are attacker-controlled text.
  const auto* iss = string_claim(claims, "iss");
  const std::string* tenant = nullptr;
  for (const auto& t : config_.tenant_ids) {
    if (iss != nullptr && !t.empty() && *iss == issuer_for(t)) tenant = &t;
  }
  // Any tenant: the signed iss names it (https://sts.windows.net/{tenant}/); a tid, when
  // present, must agree.
  std::string issuer_tenant;
  const std::string_view iss_text = iss != nullptr ? std::string_view(*iss) : std::string_view();
  if (config_.tenant_ids.empty() && iss_text.starts_with(kIssuerPrefix) &&
      iss_text.ends_with("/") && iss_text.size() > kIssuerPrefix.size() + 1) {
    issuer_tenant = std::string(
        iss_text.substr(kIssuerPrefix.size(), iss_text.size() - kIssuerPrefix.size() - 1));
    const auto* tid = string_claim(claims, "tid");
    const bool agrees = tid == nullptr || *tid == issuer_tenant;
    if (agrees && issuer_tenant.find('/') == std::string::npos) tenant = &issuer_tenant;
  }
  if (tenant == nullptr) {
    return refuse(TokenRefusalReason::issuer,
                  config_.tenant_ids.empty()
                      ? "not https://sts.windows.net/{tenant}/ agreeing with the token's tid"
                      : "not https://sts.windows.net/{tenant}/ of a configured tenant");
  }
  if (!jwt_audience_includes(claims, config_.client_id)) {
    return refuse(TokenRefusalReason::audience, "expected our client id " + config_.client_id);
  }
  const auto* appid = string_claim(claims, "appid");
  if (appid == nullptr || *appid != kNotificationPublisherAppId) {
    return refuse(TokenRefusalReason::app_id, "expected the Graph notification publisher " +
                                                  std::string(kNotificationPublisherAppId));
  }
  return ValidatedToken{*tenant, config_.client_id};
}

CheckResult<std::vector<ValidatedToken>, TokenRefusal> ValidationTokenValidator::check_all(
    const std::vector<std::string>& tokens, const JwkSet& keys, Timestamp now) const {
  if (tokens.empty()) {
    return refuse(TokenRefusalReason::missing_token, "the batch carries no validationTokens");
  }
  std::vector<ValidatedToken> out;
  out.reserve(tokens.size());
  for (const auto& token : tokens) {
    auto r = check(token, keys, now);
    if (!r) return std::move(r).error();
    out.push_back(std::move(*r));
  }
  return out;
}

}  // namespace ccteams::graph
