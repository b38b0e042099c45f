#pragma once
// The Teams connector REST API (DESIGN.md API table), admin only and scoped to the caller's
// organisation, except the consent callback (Entra's redirect, identified by its state):
//   GET    /api/v1/connectors                      the connectors tab
//   POST   /api/v1/connectors/msteams/authorize     {"authorizationUrl","expiresAt"}
//   GET    /api/v1/connectors/msteams/callback      HTML page for the consent popup
//   GET    /api/v1/connectors/msteams               details
//   PATCH  /api/v1/connectors/msteams               showUserDetails, presenceSync, presenceMapping
//   POST   /api/v1/connectors/msteams/deactivate    Active -> Inactive
//   POST   /api/v1/connectors/msteams/reactivate    Inactive -> Active (token confirmed)
//   DELETE /api/v1/connectors/msteams               409 while Active
//   GET    /api/v1/connectors/msteams/audit?limit=&before=

#include <string>

#include "adapters/http/http_types.hpp"
#include "app/auth_service.hpp"
#include "app/connector_service.hpp"

namespace ccteams::http {

struct ConnectorApiContext {
  AuthService& auth;
  ConnectorService& connectors;
};

class Router;
void register_connector_routes(Router& router, ConnectorApiContext& ctx);

// The page the consent popup ends on: the result in words, and a script (allowed by a per-
// response CSP nonce, no other script) that posts {"type":"ccteams-connector","status",
// "message"} to window.opener for this origin only and closes the popup. Status 200 on
// success, the error's status otherwise.
Response consent_result_page(const Result<TeamsConnector>& result);

}  // namespace ccteams::http
