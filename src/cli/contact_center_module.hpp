#pragma once
// The contact center module: the contact center (each organisation's live state on its strand),
// its configuration service, its REST and events WebSocket API (with the socket tickets and the
// allowed origins), and in the demo the seeded configuration and the simulated callers.

#include <functional>
#include <memory>
#include <string>

#include "cli/module.hpp"
#include "core/ids.hpp"

namespace ccteams {
class AuthService;
struct Caller;
class CcConfigService;
class CcEventHub;
class ContactCenter;
class DemoCallers;
class DirectoryService;
class SessionSockets;
class UserService;
class WsTickets;
namespace http {
class AllowedOrigins;
class CcEventJson;
struct CcApiContext;
class OrgEventSockets;
}  // namespace http
}  // namespace ccteams

namespace ccteams::cli {

struct ContactCenterDeps {
  const SharedServices& shared;
  AuthService& auth;
  UserService& users;  // the demo's seeding
  SessionSockets& sockets;
  // The organisation's audit log (the connector's): supervisors' overrides are recorded there.
  std::function<void(const Caller&, std::string action, bool ok, std::string detail)> audit;
  DirectoryService* directory;  // consult/transfer to Teams users; null: not resolved
};

class ContactCenterModule final : public Module {
 public:
  explicit ContactCenterModule(const ContactCenterDeps& deps);
  ~ContactCenterModule() override;

  // The demo's configuration (seeded first), then the recovery of every organisation's live
  // state, the demo's simulated callers, and the events WebSocket's allowed origins: the
  // public URL's, or without one (the demo) the bound listener's under both loopback names.
  // Errors: the demo's seeding; an invalid server.public_url.
  Result<void> start(const Listening& at) override;
  void stop() override;

  ContactCenter& center();
  CcEventHub& events();      // the telephony module follows contacts here
  CcConfigService& config();  // the demo's queues, for the telephony module's numbers
  // [cluster]: org's lease left this instance: its events sockets fed by live events are closed
  // (1012), so that their desktops reconnect where it is served. Any thread.
  std::size_t close_event_sockets(OrgId org);

 private:
  const SharedServices& shared_;
  UserService& users_;
  std::unique_ptr<CcEventHub> events_;
  std::unique_ptr<http::CcEventJson> event_json_;  // the events' wire form
  std::unique_ptr<ContactCenter> center_;
  std::unique_ptr<CcConfigService> config_;
  std::unique_ptr<WsTickets> tickets_;
  std::unique_ptr<http::OrgEventSockets> org_sockets_;  // before api_, which points at it
  // The one value filled after construction: it depends on the port bound at listen time.
  std::unique_ptr<http::AllowedOrigins> origins_;
  std::unique_ptr<http::CcApiContext> api_;
  std::unique_ptr<DemoCallers> demo_callers_;  // demo with --simulation on
};

}  // namespace ccteams::cli
