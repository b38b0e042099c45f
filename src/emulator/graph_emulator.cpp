#include "emulator/graph_emulator.hpp"

#include "emulator/emulator_state.hpp"
#include "emulator/notifier.hpp"

namespace ccteams::emulator {

GraphEmulator::GraphEmulator(EmulatorOptions options)
    : state_(std::make_shared<State>(std::move(options))) {
  // The listener lives inside the state it points to, so the raw pointer cannot dangle.
  State* s = state_.get();
  for (auto& t : state_->tenants) {
    t->presence.add_listener([s, tid = t->directory.tenant_id()](const PresenceView& v) {
      notify_presence_change(*s, tid, v);
    });
  }
}

std::string tenant_domain(const std::string& domain, int k) {
  if (k == 1) return domain;
  const auto dot = domain.find('.');
  return dot == std::string::npos ? domain + std::to_string(k)
                                  : domain.substr(0, dot) + std::to_string(k) + domain.substr(dot);
}

void GraphEmulator::attach(boost::asio::io_context& ioc) {
  auto notifier = std::make_shared<Notifier>(ioc, state_->options.notifications,
                                             state_->options.clock);
  std::lock_guard lock(state_->mu);
  notifier->set_reorder(state_->faults.reorder_notifications);
  state_->notifier = std::move(notifier);
}

GraphEmulator::~GraphEmulator() {
  // Routes may keep the state alive longer; delivery must stop with the emulator so that
  // nothing retries against the io_context after its owner has moved on.
  std::lock_guard lock(state_->mu);
  state_->notifier.reset();
}

void GraphEmulator::register_routes(http::Router& router) {
  register_entra_routes(router, state_);
  register_token_route(router, state_);
  register_users_routes(router, state_);
  register_delta_routes(router, state_);
  register_presence_routes(router, state_);
  register_control_routes(router, state_);
  register_subscription_routes(router, state_);
}

void GraphEmulator::tick(Timestamp now) {
  std::lock_guard lock(state_->mu);
  for (auto& t : state_->tenants) {
    t->presence.tick(now);
    if (!t->activity.enabled()) continue;
    std::vector<std::string> ids;
    for (const auto& u : t->directory.all_users()) {
      if (!u.removed_reason && u.account_enabled) ids.push_back(u.id);
    }
    for (auto& change : t->activity.tick(ids, now)) {
      t->presence.set_client_state(change.user_id, change.state, now);
    }
  }
  tick_subscriptions(*state_, now);
  if (state_->notifier) state_->notifier->tick(now);
  // Expired codes and interactions would otherwise accumulate for the process lifetime.
  std::erase_if(state_->codes, [&](const auto& kv) { return kv.second.expires_at <= now; });
  std::erase_if(state_->interactions, [&](const auto& kv) {
    return kv.second.created + std::chrono::hours(1) <= now;
  });
  std::erase_if(state_->refresh_tokens,
                [&](const auto& kv) { return kv.second.expires_at <= now; });
}

namespace {
constexpr std::size_t kMaxSampleUsers = 100'000;

EmulatorTenantInfo tenant_info(const TenantModel& t) {
  EmulatorTenantInfo i;
  i.tenant_id = t.tenant_id();
  i.domain = t.domain();
  for (const char* local : {"admin", "privadmin", "member"}) {
    i.accounts.push_back(std::string(local) + "@" + t.domain());
  }
  for (const auto& u : t.all_users()) {
    if (i.sample_user_ids.size() >= kMaxSampleUsers) break;
    const std::string local = u.user_principal_name.substr(0, u.user_principal_name.find('@'));
    if (!u.account_enabled || u.removed_reason || local == "admin" || local == "privadmin" ||
        local == "member") {
      continue;
    }
    i.sample_user_ids.push_back(u.id);
  }
  return i;
}

}  // namespace

EmulatorInfo GraphEmulator::info() const {
  std::lock_guard lock(state_->mu);
  const auto& s = *state_;
  const auto& app = s.home().directory.apps().front();
  EmulatorInfo i;
  for (const auto& t : s.tenants) i.tenants.push_back(tenant_info(t->directory));
  const auto& home = i.tenants.front();
  i.tenant_id = home.tenant_id;
  i.domain = home.domain;
  i.app_id = app.client_id;
  i.app_secret = app.client_secret;
  i.login_base_url = s.login_base;
  i.graph_base_url = s.graph_base;
  i.accounts = home.accounts;
  i.sample_user_ids = home.sample_user_ids;
  return i;
}

}  // namespace ccteams::emulator
