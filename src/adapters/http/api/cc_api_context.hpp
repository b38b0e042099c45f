#pragma once
// What the contact-center REST and WebSocket handlers need, gathered once by the wiring
// (cli/runtime). Kept apart from ApiContext so the foundation's handlers do not depend on it.

#include <cstddef>
#include <functional>
#include <string>

#include "adapters/http/api/allowed_origins.hpp"
#include "app/auth_service.hpp"
#include "app/cc_config_service.hpp"
#include "app/ports/store.hpp"

namespace ccteams {
class ContactCenter;
class CcEventHub;
class DirectoryService;
class SessionSockets;
class WsTickets;
}  // namespace ccteams

namespace ccteams::http {

class OrgEventSockets;  // org_event_sockets.hpp

struct CcApiContext {
  AuthService& auth;
  CcConfigService& config;
  ContactCenter& center;
  CcEventHub& events;
  Store& store;       // the event log, for WebSocket resume (read on the store's executor)
  bool demo = false;  // registers POST /api/v1/demo/contacts
  // The Teams directory (issue 7): consult/transfer {"teamsUserId"} resolve through it. Null:
  // a teamsUserId needs a number beside it.
  DirectoryService* directory = nullptr;
  // The organisation's audit log (the connector's): a supervisor's forced state change, end or
  // re-queue is recorded with who did it. Empty: logged only.
  std::function<void(const Caller&, std::string action, bool ok, std::string detail)> audit;

  // ---- the events WebSocket's guards (issue 23) ----
  // Open sockets per session: closed when the session ends, capped per session. Null: neither.
  SessionSockets* sockets = nullptr;
  // Single-use tickets for ?ticket= (POST /api/v1/events/ticket). Null: no tickets.
  WsTickets* tickets = nullptr;
  // The sockets fed by live events, closed when their organisation's lease leaves ([cluster]).
  // Null: not registered.
  OrgEventSockets* org_sockets = nullptr;
  // Origins whose pages may open the socket. An upgrade carrying any other Origin is refused
  // (403): the cookie would otherwise let any site's page in. Set when the listener is bound.
  const AllowedOrigins& ws_origins;
  // A resume (?after=) replays at most this many events; a client further behind is told to
  // reload its state instead. Keep it below the WebSocket outbox bound.
  std::size_t replay_max = 200;
};

class Router;
// /api/v1/idle-codes, /api/v1/desktop-profiles, /api/v1/queues, /api/v1/agents (admin).
void register_cc_config_routes(Router& router, CcApiContext& ctx);
// /api/v1/me…, /api/v1/agents/states, /api/v1/queues/{id}/stats, /api/v1/contacts/{id}/…,
// and in demo mode /api/v1/demo/contacts.
void register_cc_desk_routes(Router& router, CcApiContext& ctx);
// GET /api/v1/events (WebSocket).
void register_cc_event_routes(Router& router, CcApiContext& ctx);

}  // namespace ccteams::http
