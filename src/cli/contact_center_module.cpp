#include "cli/contact_center_module.hpp"

#include <vector>

#include "adapters/http/api/allowed_origins.hpp"
#include "adapters/http/api/cc_api_context.hpp"
#include "adapters/http/api/cc_json.hpp"
#include "adapters/http/api/org_event_sockets.hpp"
#include "adapters/http/router.hpp"
#include "app/cc_config_service.hpp"
#include "app/cc_event_hub.hpp"
#include "app/connector_service.hpp"
#include "app/contact_center.hpp"
#include "app/demo_callers.hpp"
#include "app/metrics.hpp"
#include "app/org_actors.hpp"
#include "app/ports/store.hpp"
#include "app/session_sockets.hpp"
#include "app/user_service.hpp"
#include "app/ws_tickets.hpp"
#include "cli/demo.hpp"
#include "cli/run_now.hpp"

namespace ccteams::cli {

namespace {

// The events WebSocket accepts pages of our own origin only: the public URL's, or without one
// (the demo) the bound listener's, under both loopback names.
Result<std::vector<std::string>> own_origins(const ServerConfig& sc, const Listening& at) {
  if (!sc.public_url.empty()) {
    auto origin = web_origin(sc.public_url);
    if (!origin) return std::move(origin).error();
    return std::vector<std::string>{*origin};
  }
  const std::string scheme = sc.tls_cert_file.empty() ? "http://" : "https://";
  const std::string port = ":" + std::to_string(at.port);
  if (at.host == "127.0.0.1" || at.host == "localhost") {
    return std::vector<std::string>{scheme + "127.0.0.1" + port, scheme + "localhost" + port};
  }
  return std::vector<std::string>{scheme + at.host + port};
}

}  // namespace

ContactCenterModule::ContactCenterModule(const ContactCenterDeps& deps)
    : shared_(deps.shared),
      users_(deps.users),
      events_(std::make_unique<CcEventHub>()),
      event_json_(std::make_unique<http::CcEventJson>()),
      origins_(std::make_unique<http::AllowedOrigins>()) {
  const SharedServices& sh = deps.shared;
  const EventsConfig& ec = sh.options.config.events;
  ContactCenterOptions options;
  options.event_retention = std::chrono::hours(ec.retention_hours);
  options.repairs_metric = &sh.metrics.counter(
      "contact_center_recovery_repairs_total",
      "Agents and contacts that disagreed when an organisation was loaded, and were repaired");
  options.ronas_metric = &sh.metrics.counter(
      "contact_center_ronas_total",
      "Offers and consults that rang out unanswered (RONA: the agent was idled)");
  center_ = std::make_unique<ContactCenter>(sh.actors, sh.store, sh.clock, sh.scheduler, *events_,
                                            *event_json_, options, sh.ownership);
  // The contact center keeps each organisation's configuration in memory: a change reloads it.
  // An idle code the Teams connector's presence mapping uses cannot be deleted.
  config_ = std::make_unique<CcConfigService>(
      sh.store, [center = center_.get()](OrgId org) { center->config_changed(org); },
      std::vector<IdleCodeGuard>{&ConnectorService::idle_code_in_use});
  WsTicketOptions ticket_options;
  ticket_options.ttl = std::chrono::seconds(ec.ticket_ttl_seconds);
  tickets_ = std::make_unique<WsTickets>(sh.tokens, sh.clock, ticket_options);
  org_sockets_ = std::make_unique<http::OrgEventSockets>();
  api_ = std::make_unique<http::CcApiContext>(
      http::CcApiContext{.auth = deps.auth,
                         .config = *config_,
                         .center = *center_,
                         .events = *events_,
                         .store = sh.store,
                         .demo = sh.options.demo,
                         .directory = deps.directory,
                         .audit = deps.audit,
                         .sockets = &deps.sockets,
                         .tickets = tickets_.get(),
                         .org_sockets = org_sockets_.get(),
                         .ws_origins = *origins_,
                         .replay_max = static_cast<std::size_t>(ec.replay_max_events)});
  http::register_cc_config_routes(sh.router, *api_);
  http::register_cc_desk_routes(sh.router, *api_);
  http::register_cc_event_routes(sh.router, *api_);
}

ContactCenterModule::~ContactCenterModule() { stop(); }

std::size_t ContactCenterModule::close_event_sockets(OrgId org) {
  return org_sockets_->close_org(org.value);
}

Result<void> ContactCenterModule::start(const Listening& at) {
  const RuntimeOptions& o = shared_.options;
  if (o.demo) {
    // Before the I/O threads run: the seeding runs on an io_context of its own.
    if (auto r = run_now(seed_demo_contact_center(users_, *config_, o.demo_teams_users)); !r) {
      return r;
    }
    for (const auto& org : o.more_demo_orgs) {
      if (auto r = run_now(seed_demo_contact_center(users_, *config_, org.teams_users, org.name));
          !r) {
        return r;
      }
    }
  }
  center_->recover();
  if (o.demo && o.simulation) {
    auto org = run_now(users_.ensure_org(kDemoOrgName));
    if (!org) return std::move(org).error();
    auto queues = run_now(config_->list_queues(org->id));
    if (!queues) return std::move(queues).error();
    std::vector<QueueId> ids;
    for (const auto& q : *queues) ids.push_back(q.id);
    demo_callers_ = std::make_unique<DemoCallers>(*center_, shared_.scheduler, shared_.clock,
                                                  org->id, std::move(ids));
    demo_callers_->start();
  }
  auto origins = own_origins(o.config.server, at);
  if (!origins) return std::move(origins).error();
  origins_->set(std::move(*origins));
  return ok();
}

CcEventHub& ContactCenterModule::events() { return *events_; }
CcConfigService& ContactCenterModule::config() { return *config_; }

void ContactCenterModule::stop() {
  if (demo_callers_) demo_callers_->stop();
}

ContactCenter& ContactCenterModule::center() { return *center_; }

}  // namespace ccteams::cli
