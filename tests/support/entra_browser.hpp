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
#include "support/https_get.hpp"
#include "support/raw_http.hpp"

namespace ccteams::testing {

// The value of attribute attr of the first tag containing marker, e.g. the form's action.
inline std::string attribute_after(const std::string& html, const std::string& marker,
                                   const std::string& attr) {
  const auto at = html.find(marker);
  if (at == std::string::npos) return {};
  const auto p = html.find(attr + "=\"", at);
  if (p == std::string::npos) return {};
  const auto start = p + attr.size() + 2;
  return html.substr(start, html.find('"', start) - start);
}

class EntraBrowser {
 public:
  EntraBrowser(std::string emulator_base, std::string ca_pem)
      : base_(std::move(emulator_base)), ca_(std::move(ca_pem)) {}

  Result<ClientResponse> get(const std::string& url) const {
    return client_send({"GET", url, {}, {}, std::chrono::seconds(10)}, ca_);
  }
  Result<ClientResponse> post_form(
      const std::string& url, const std::vector<std::pair<std::string, std::string>>& f) const {
    return client_send({"POST",
                        url,
                        {{"Content-Type", "application/x-www-form-urlencoded"}},
                        http::encode_form(f),
                        std::chrono::seconds(10)},
                       ca_);
  }
  Result<ClientResponse> post_json(const std::string& path, const std::string& body) const {
    return client_send({"POST",
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
    auto page = get(consent_url);
    if (!page || page->status != 200) {
      ADD_FAILURE() << "consent URL: " << (page ? page->body : page.error().message);
      return {};
    }
    EXPECT_NE(page->body.find(">Email</label>"), std::string::npos) << page->body;
    EXPECT_NE(page->body.find(">Next</button>"), std::string::npos);
    auto next = post_form(
        base_ + attribute_after(page->body, "<form", "action"),
        {{"flow", attribute_after(page->body, "name=\"flow\"", "value")}, {"login", upn}});
    if (!next) {
      ADD_FAILURE() << next.error().message;
      return {};
    }
    if (next->status == 302) return std::string(next->header("Location"));  // refused at sign-in
    if (next->status != 200 || next->body.find(">Accept</button>") == std::string::npos) {
      ADD_FAILURE() << "no consent page: " << next->status << " " << next->body;
      return {};
    }
    auto done = post_form(
        base_ + attribute_after(next->body, "<form", "action"),
        {{"flow", attribute_after(next->body, "name=\"flow\"", "value")}, {"decision", decision}});
    if (!done || done->status != 302) {
      ADD_FAILURE() << "consent decision: " << (done ? done->body : done.error().message);
      return {};
    }
    return std::string(done->header("Location"));
  }

  const std::string& base() const { return base_; }
  const std::string& ca() const { return ca_; }

 private:
  std::string base_;
  std::string ca_;
};

// The path and query of an http://host:port/... URL (our callback, fetched with http_request).
inline std::string target_of(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

// A query parameter of a URL, decoded.
inline std::string query_value(const std::string& url, const std::string& name) {
  const auto q = url.find('?');
  if (q == std::string::npos) return {};
  for (const auto& [k, v] : http::parse_form(url.substr(q + 1))) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace ccteams::testing
