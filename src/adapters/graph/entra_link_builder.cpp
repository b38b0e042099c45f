#include "adapters/graph/entra_link_builder.hpp"

#include "adapters/http/http_types.hpp"

namespace ccteams::graph {

namespace {

std::string enc(std::string_view s) { return http::percent_encode(s); }

}  // namespace

EntraLinkBuilder::EntraLinkBuilder(std::string login_base) : login_base_(std::move(login_base)) {
  while (!login_base_.empty() && login_base_.back() == '/') login_base_.pop_back();
}

std::string EntraLinkBuilder::sign_in_url(const SignInLinkRequest& r) const {
  std::string url = login_base_ + "/" + enc(r.tenant) +
                    "/oauth2/v2.0/authorize?client_id=" + enc(r.client_id) +
                    "&response_type=code&redirect_uri=" + enc(r.redirect_uri) +
                    "&response_mode=query&scope=" + enc(r.scope) + "&state=" + enc(r.state);
  if (r.nonce) url += "&nonce=" + enc(*r.nonce);
  return url + "&code_challenge=" + enc(r.code_challenge) +
         "&code_challenge_method=S256&prompt=select_account";
}

std::string EntraLinkBuilder::admin_consent_url(const AdminConsentLinkRequest& r) const {
  return login_base_ + "/" + enc(r.tenant) + "/v2.0/adminconsent?client_id=" + enc(r.client_id) +
         "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&redirect_uri=" + enc(r.redirect_uri) +
         "&state=" + enc(r.state);
}

}  // namespace ccteams::graph
