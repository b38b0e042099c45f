#pragma once
// Scope and redirect-URI rules of the Microsoft identity platform v2 as the emulator applies
// them (graph-protocol.md §1.1-1.3).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/tenant_model.hpp"

namespace ccteams::emulator {

// "openid offline_access https://graph.microsoft.com/Presence.Read.All" ->
// {"openid","offline_access","Presence.Read.All"}. Bare names are Graph scopes (as in v2);
// ".default" stays ".default". nullopt when a scope names another resource or is empty.
std::optional<std::vector<std::string>> normalise_scopes(std::string_view scope);
bool is_oidc_scope(std::string_view scope);  // openid, profile, email, offline_access
// Delegated scopes only an administrator may consent to.
bool is_admin_restricted(std::string_view scope);
// For the token response: Graph scopes with the resource prefix, OIDC scopes bare.
std::string scope_string(const std::vector<std::string>& scopes);
// Registered exactly, or http://localhost / 127.0.0.1 with any port (Entra ignores the port
// of loopback redirect URIs).
bool redirect_uri_allowed(const AppRegistration& app, std::string_view uri);

}  // namespace ccteams::emulator
