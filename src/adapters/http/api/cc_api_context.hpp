#pragma once
// What the contact-center REST and WebSocket handlers need, gathered once by the wiring
// (cli/runtime). Kept apart from ApiContext so the foundation's handlers do not depend on it.

#include "app/auth_service.hpp"
#include "app/cc_config_service.hpp"

#include <functional>
#include <string>

namespace ccteams {
class ContactCenter;
class CcEventHub;
class DirectoryService;
}  // namespace ccteams

namespace ccteams::http {

struct CcApiContext {
  AuthService& auth;
  CcConfigService& config;
  ContactCenter& center;
  CcEventHub& events;
  ContactCenterStore& store;  // the event log, for WebSocket resume
  bool demo = false;  // registers POST /api/v1/demo/contacts
  // The Teams directory (issue 7), set by its wiring: consult/transfer {"teamsUserId"} resolve
  // through it. Null: a teamsUserId needs a number beside it.
  DirectoryService* directory = nullptr;
  // The organisation's audit log (the connector's, set by its wiring): a supervisor's forced
  // state change, end or re-queue is recorded with who did it. Empty: logged only.
  std::function<void(const Caller&, std::string action, bool ok, std::string detail)> audit;
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
