#pragma once
// EntraLinks on Entra's v2.0 endpoints (graph-protocol.md §1.1, §1.2): the /authorize and
// /adminconsent URLs a browser is sent to, every query value percent-encoded.
// Thread-safety: immutable once built.

#include <string>

#include "app/ports/entra_links.hpp"

namespace ccteams::graph {

class EntraLinkBuilder final : public EntraLinks {
 public:
  // login_base: e.g. "https://login.microsoftonline.com"; a trailing slash is dropped.
  explicit EntraLinkBuilder(std::string login_base);

  // EntraLinks
  std::string sign_in_url(const SignInLinkRequest& request) const override;
  std::string admin_consent_url(const AdminConsentLinkRequest& request) const override;

 private:
  std::string login_base_;
};

}  // namespace ccteams::graph
