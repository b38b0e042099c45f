#pragma once
// Drives the emulated Entra admin-consent pages as a browser would, over HTTPS with the
// emulator's CA: GET the consent URL, submit the sign-in form (Email, Next), then the consent
// form (Accept / Cancel), and hand back where Entra redirects to. Also ccteams API helpers for
// the connector tests.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "adapters/http/http_types.hpp"
#include "support/entra_consent.hpp"
#include "support/https_get.hpp"
#include "support/raw_http.hpp"

namespace ccteams::testing {

class EntraBrowser {
 public:
  EntraBrowser(std::string emulator_base, std::string ca_pem)
      : base_(std::move(emulator_base)), ca_(std::move(ca_pem)) {}

  Result<ClientResponse> get(const std::string& url) const {
    return client_send({"GET", url, {}, {}, std::chrono::seconds(10)}, ca_);
  }
  Result<ClientResponse> post_form(
      const std::string& url, const std::vector<std::pair<std::string, std::string>>& f) const {
    return post_form_to(url, f, ca_);
  }
  Result<ClientResponse> post_json(const std::string& path, const std::string& body) const {
    return send_json("POST", path, body);
  }
  Result<ClientResponse> send_json(const std::string& method, const std::string& path,
                                   const std::string& body) const {
    return client_send({method,
                        base_ + path,
                        {{"Content-Type", "application/json"}},
                        body,
                        std::chrono::seconds(10)},
                       ca_);
  }

  // Follows consent_url, signs in as upn and answers the consent page with decision
  // ("accept" or "cancel"). Returns the Location Entra redirects to (our callback), or "" after
  // a test failure.
  std::string consent(const std::string& consent_url, const std::string& upn,
                      const std::string& decision) const {
    auto location = entra_consent(base_, ca_, consent_url, upn, decision);
    if (!location) {
      ADD_FAILURE() << location.error().message;
      return {};
    }
    return *location;
  }

  // The connector's whole Set up (entra_set_up): open_ours fetches our callback. Returns the
  // consent's callback Location, or "" after a test failure.
  template <class OpenOurs>
  std::string set_up(const std::string& authorize_url, const std::string& upn, OpenOurs open_ours,
                     const std::string& decision = "accept") const {
    auto location = entra_set_up(base_, ca_, authorize_url, upn, open_ours, decision);
    if (!location) {
      ADD_FAILURE() << location.error().message;
      return {};
    }
    return *location;
  }

  const std::string& base() const { return base_; }
  const std::string& ca() const { return ca_; }

 private:
  std::string base_;
  std::string ca_;
};

}  // namespace ccteams::testing
