#pragma once
// EntraLinks for app tests: records what each link asks for and answers a readable stand-in
// ("sign-in:{tenant}?state=S&nonce=N&code_challenge=C", "consent:{tenant}?state=S"), values
// unencoded. The wire form of Entra's URLs is graph::EntraLinkBuilder's, tested beside it.
// Not thread-safe.

#include <string>
#include <vector>

#include "app/ports/entra_links.hpp"

namespace ccteams::testing {

class RecordingEntraLinks final : public EntraLinks {
 public:
  std::string sign_in_url(const SignInLinkRequest& request) const override {
    sign_ins.push_back(request);
    std::string url = "sign-in:" + request.tenant + "?state=" + request.state;
    if (request.nonce) url += "&nonce=" + *request.nonce;
    return url + "&code_challenge=" + request.code_challenge;
  }
  std::string admin_consent_url(const AdminConsentLinkRequest& request) const override {
    consents.push_back(request);
    return "consent:" + request.tenant + "?state=" + request.state;
  }

  mutable std::vector<SignInLinkRequest> sign_ins;
  mutable std::vector<AdminConsentLinkRequest> consents;
};

}  // namespace ccteams::testing
