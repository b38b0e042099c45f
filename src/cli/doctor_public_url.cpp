// The doctor's public URL checks: what Microsoft Graph does before it creates a subscription
// (graph-protocol.md §4.1): an https URL whose certificate chain is valid for the host, and
// both webhook URLs answering the validation handshake with the decoded token as text/plain
// within 10 s.
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <random>

#include "adapters/http/api/graph_webhook_api.hpp"
#include "adapters/http/http_client.hpp"
#include "adapters/http/http_types.hpp"
#include "cli/doctor_report.hpp"

namespace ccteams::cli {

namespace asio = boost::asio;

namespace {

constexpr std::chrono::seconds kGraphValidationDeadline{10};

bool is_certificate_error(const std::string& message) {
  return message.find("certificate") != std::string::npos ||
         message.find("TLS") != std::string::npos || message.find("handshake") != std::string::npos;
}

// What Graph sends is opaque; ours has a space and a plus so that an endpoint that echoes the
// token still URL-encoded (a failure in Graph's eyes) is caught.
std::string validation_token() {
  std::random_device rd;
  return "ccteams doctor+" + std::to_string(rd()) + "-" + std::to_string(rd());
}

// Built outside the coroutines: GCC 12 cannot keep braced initialisers with string literals
// in a coroutine frame ("array used as initializer").
ClientRequest request(std::string method, std::string url) {
  ClientRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  if (r.method == "POST") r.headers.push_back({"Content-Type", "text/plain"});
  r.timeout = kGraphValidationDeadline;
  return r;
}

// The host of an http(s) URL, without its port ("[::1]" keeps its brackets).
std::string host_of(const std::string& url) {
  const auto start = url.find("://");
  std::string authority = start == std::string::npos ? url : url.substr(start + 3);
  authority = authority.substr(0, authority.find('/'));
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    authority.resize(colon);
  }
  return authority;
}

}  // namespace

asio::awaitable<void> check_public_url(const MicrosoftCheckInputs& in, DoctorReport& report) {
  std::string base = in.config.server.public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.empty()) {
    report.fail("public URL", "server.public_url is not set",
                "set it to the https URL Microsoft Graph and browsers reach ccteams at, e.g. "
                "https://cc.example.com");
    report.skip("webhook validation", "no public URL");
    co_return;
  }
  if (base.rfind("https://", 0) != 0) {
    report.fail("public URL", base + " is not https: Graph delivers notifications only to https",
                "serve ccteams behind a TLS terminator (or server.tls_cert_file) and set "
                "server.public_url to its https URL");
    report.skip("webhook validation", "the public URL is not https");
    co_return;
  }
  // Any HTTP answer proves the handshake and the chain; the status does not matter here.
  auto probe = co_await in.public_client.send(request("GET", base + "/healthz"));
  if (!probe) {
    const std::string& why = probe.error().message;
    if (is_certificate_error(why)) {
      report.fail("public URL", base + ": " + why,
                  "install a certificate for " + host_of(base) +
                      " from a public certificate authority, with its full chain (leaf and "
                      "intermediates) on the TLS terminator; Graph refuses self-signed and "
                      "private-CA certificates");
    } else {
      report.fail("public URL", base + " cannot be reached: " + why,
                  "check DNS for " + host_of(base) +
                      ", the firewall (inbound 443 from the Internet: Graph's addresses change "
                      "without notice) and that the proxy forwards to ccteams");
    }
    report.skip("webhook validation", "the public URL cannot be reached");
    co_return;
  }
  report.ok("public URL: " + base + ": https, TLS handshake and certificate chain valid for " +
            host_of(base));

  const std::string token = validation_token();
  std::string answered;
  for (auto path : {http::kGraphNotificationsPath, http::kGraphLifecyclePath}) {
    const std::string url = base + std::string(path);
    const auto started = std::chrono::steady_clock::now();
    auto r = co_await in.public_client.send(
        request("POST", url + "?validationToken=" + http::percent_encode(token)));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    std::string why;
    if (!r) {
      why = "no answer within 10 s: " + r.error().message;
    } else if (r->status != 200) {
      why = "answered " + std::to_string(r->status) + " instead of 200";
    } else if (r->header("Content-Type").rfind("text/plain", 0) != 0) {
      why = "answered Content-Type '" + std::string(r->header("Content-Type")) +
            "' instead of text/plain";
    } else if (r->body != token) {
      why = "did not echo the validation token (decoded) as the body";
    }
    if (!why.empty()) {
      report.fail("webhook validation", "POST " + url + "?validationToken=…: " + why,
                  "make the proxy forward POST " + std::string(path) +
                      " (with its query string) unchanged to ccteams, and check that "
                      "server.public_url includes any path prefix the proxy adds");
      co_return;
    }
    answered +=
        (answered.empty() ? "" : ", ") + std::string(path) + " in " + std::to_string(ms) + " ms";
  }
  report.ok("webhook validation: the token was echoed as text/plain (" + answered + ")");
}

}  // namespace ccteams::cli
