#pragma once
// GET /api/v1/connectors/msteams/presence-sync (admins and supervisors of the org): presence
// sync's state for the console and the operator: running, first-sync progress, agents linked
// and watched, the bulk-read round, subscriptions and their next expiry, the coverage message
// (sync accounts missing, no public URL), call and failure counts. docs/api.md has the fields.

namespace ccteams {
class AuthService;
class PresenceSync;
}  // namespace ccteams

namespace ccteams::http {

class Router;

// auth and sync are not owned and must outlive the router.
void register_presence_sync_routes(Router& router, AuthService& auth, PresenceSync& sync);

}  // namespace ccteams::http
