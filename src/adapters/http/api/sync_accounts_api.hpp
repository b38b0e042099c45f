#pragma once
// /api/v1/connectors/msteams/sync-accounts: the presence sync accounts of the caller's
// organisation (docs/api.md "Sync accounts").
//   GET    …/sync-accounts            admin: the accounts with their token health
//   POST   …/sync-accounts/sign-in    admin: {"authorizationUrl","expiresAt"} for a popup
//   GET    …/sync-accounts/callback   Entra's redirect (no session cookie arrives on it): an
//                                     HTML page that tells the opener (same origin) and closes
//   DELETE …/sync-accounts/{id}       admin: 204

namespace ccteams {
class AuthService;
class OrgOwnership;
class SyncAccountService;
}  // namespace ccteams

namespace ccteams::http {

class Router;

// auth, service and ownership are not owned and must outlive the router. The admin's changes
// (sign-in, DELETE) on an instance that does not serve the organisation are refused with 503
// org_elsewhere before anything is written, so that the server forwards them to its owner
// ([cluster]; nullptr: every organisation is served here).
void register_sync_account_routes(Router& router, AuthService& auth, SyncAccountService& service,
                                  const OrgOwnership* ownership = nullptr);

}  // namespace ccteams::http
