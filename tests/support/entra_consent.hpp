#pragma once
// The emulated Entra sign-in and consent pages driven as a browser would (GET the URL, submit
// Email + Next, then Accept or Cancel), without GoogleTest, so that benches can use it too.

#include <string>
#include <utility>
#include <vector>

#include "adapters/http/http_types.hpp"
#include "support/https_get.hpp"

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

inline Result<ClientResponse> post_form_to(
    const std::string& url, const std::vector<std::pair<std::string, std::string>>& f,
    const std::string& ca) {
  return client_send({"POST",
                      url,
                      {{"Content-Type", "application/x-www-form-urlencoded"}},
                      http::encode_form(f),
                      std::chrono::seconds(10)},
                     ca);
}

// Follows url (an authorize or admin-consent URL of the emulator at base), signs in as upn and
// answers a consent page, when one is shown, with decision ("accept" or "cancel"). Returns the
// Location Entra redirects to (our callback).
inline Result<std::string> entra_consent(const std::string& base, const std::string& ca,
                                         const std::string& url, const std::string& upn,
                                         const std::string& decision = "accept") {
  auto page = client_send({"GET", url, {}, {}, std::chrono::seconds(10)}, ca);
  if (!page) return std::move(page).error();
  if (page->status != 200) return make_error(Errc::internal, "sign-in page: " + page->body);
  if (page->body.find(">Email</label>") == std::string::npos ||
      page->body.find(">Next</button>") == std::string::npos) {
    return make_error(Errc::internal, "no Email field or Next button: " + page->body);
  }
  auto next = post_form_to(
      base + attribute_after(page->body, "<form", "action"),
      {{"flow", attribute_after(page->body, "name=\"flow\"", "value")}, {"login", upn}}, ca);
  if (!next) return std::move(next).error();
  if (next->status == 302) return std::string(next->header("Location"));
  if (next->status != 200 || next->body.find(">Accept</button>") == std::string::npos) {
    return make_error(Errc::internal,
                      "no consent page: " + std::to_string(next->status) + " " + next->body);
  }
  auto done = post_form_to(
      base + attribute_after(next->body, "<form", "action"),
      {{"flow", attribute_after(next->body, "name=\"flow\"", "value")}, {"decision", decision}},
      ca);
  if (!done) return std::move(done).error();
  if (done->status != 302) return make_error(Errc::internal, "consent decision: " + done->body);
  return std::string(done->header("Location"));
}

// The Teams connector's whole Set up in a browser (issue 23): the administrator's sign-in at
// authorize_url, our callback answering 302 to admin consent in the proven tenant, then the
// consent page answered with decision. open_ours(location) fetches our callback and returns
// {status, Location header or, when not a redirect, the body}. Returns the consent's callback
// Location.
template <class OpenOurs>
Result<std::string> entra_set_up(const std::string& base, const std::string& ca,
                                 const std::string& authorize_url, const std::string& upn,
                                 OpenOurs open_ours, const std::string& decision = "accept") {
  auto signed_in = entra_consent(base, ca, authorize_url, upn, "accept");
  if (!signed_in) return signed_in;
  const std::pair<int, std::string> ours = open_ours(*signed_in);
  if (ours.first != 302) {
    return make_error(Errc::internal, "sign-in callback answered " + std::to_string(ours.first) +
                                          ": " + ours.second);
  }
  return entra_consent(base, ca, ours.second, upn, decision);
}

}  // namespace ccteams::testing
