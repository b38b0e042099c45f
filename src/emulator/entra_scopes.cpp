#include "emulator/entra_scopes.hpp"

#include <algorithm>
#include <array>

#include "adapters/http/http_types.hpp"

namespace ccteams::emulator {

namespace {

constexpr std::array<std::string_view, 2> kGraphPrefixes = {
    "https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000/"};

// "http://localhost:8080/cb" -> "http://localhost/cb" for loopback hosts; others unchanged.
std::string without_loopback_port(std::string_view uri) {
  for (std::string_view host : {"http://localhost", "http://127.0.0.1"}) {
    if (uri.substr(0, host.size()) != host) continue;
    std::string_view rest = uri.substr(host.size());
    if (!rest.empty() && rest.front() == ':') {
      const auto slash = rest.find('/');
      rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    } else if (!rest.empty() && rest.front() != '/') {
      return std::string(uri);  // "http://localhost.evil.example"
    }
    return std::string(host) + std::string(rest);
  }
  return std::string(uri);
}

}  // namespace

bool is_oidc_scope(std::string_view scope) {
  return scope == "openid" || scope == "profile" || scope == "email" ||
         scope == "offline_access";
}

std::optional<std::vector<std::string>> normalise_scopes(std::string_view scope) {
  std::vector<std::string> out;
  while (!scope.empty()) {
    const auto sp = scope.find(' ');
    std::string_view one = scope.substr(0, sp);
    scope = sp == std::string_view::npos ? std::string_view{} : scope.substr(sp + 1);
    if (one.empty()) continue;
    std::string name;
    if (is_oidc_scope(one)) {
      name = std::string(one);
    } else {
      bool matched = false;
      for (auto prefix : kGraphPrefixes) {
        if (one.size() > prefix.size() && http::iequals(one.substr(0, prefix.size()), prefix)) {
          name = std::string(one.substr(prefix.size()));
          matched = true;
        }
      }
      if (!matched) {
        if (one.find('/') != std::string_view::npos || one.find(':') != std::string_view::npos) {
          return std::nullopt;  // another resource: one token serves one resource
        }
        name = std::string(one);
      }
    }
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  }
  if (out.empty()) return std::nullopt;
  return out;
}

bool is_admin_restricted(std::string_view scope) {
  static constexpr std::array<std::string_view, 6> kRestricted = {
      "User.Read.All",      "User.ReadWrite.All",      "Directory.Read.All",
      "Directory.ReadWrite.All", "Presence.ReadWrite.All", ".default"};
  return std::find(kRestricted.begin(), kRestricted.end(), scope) != kRestricted.end();
}

std::string scope_string(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out.push_back(' ');
    out += is_oidc_scope(s) ? s : "https://graph.microsoft.com/" + s;
  }
  return out;
}

bool redirect_uri_allowed(const AppRegistration& app, std::string_view uri) {
  const std::string wanted = without_loopback_port(uri);
  return std::any_of(app.redirect_uris.begin(), app.redirect_uris.end(),
                     [&](const std::string& r) { return without_loopback_port(r) == wanted; });
}

}  // namespace ccteams::emulator
